import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { attachResponseHeaders } from '../src/error-headers.js';

function fakeResponse(trace: string, request: string) {
  const res = new EventEmitter() as EventEmitter & { headersSent: boolean; getHeader(n: string): unknown };
  res.headersSent = false;
  res.getHeader = (n) =>
    n === 'x-allstak-trace-id' ? trace : n === 'x-allstak-request-id' ? request : undefined;
  return res as unknown as ServerResponse & { headersSent: boolean };
}

describe('attachResponseHeaders', () => {
  it('adds the trace headers to err.headers until the response closes, without enumerating them', () => {
    const err = new Error('x') as Error & { headers?: Record<string, string> };
    const res = fakeResponse('t1', 'r1');
    attachResponseHeaders(err, res);
    expect(err.headers).toEqual({ 'x-allstak-trace-id': 't1', 'x-allstak-request-id': 'r1' });
    expect(Object.keys(err)).not.toContain('headers');
    res.emit('close');
    expect('headers' in err).toBe(false);
  });

  it("merges with the app's headers (the app's win) and never writes to the app's object", () => {
    const own = { 'retry-after': '5', 'x-allstak-request-id': 'app' };
    const err = Object.assign(new Error('x'), { headers: own });
    const res = fakeResponse('t1', 'r1');
    attachResponseHeaders(err, res);
    expect(err.headers).toEqual({
      'x-allstak-trace-id': 't1',
      'x-allstak-request-id': 'app',
      'retry-after': '5',
    });
    expect(own).toEqual({ 'retry-after': '5', 'x-allstak-request-id': 'app' });
    res.emit('close');
    expect(err.headers).toBe(own);
  });

  it('keeps two requests throwing one shared error apart and restores it once both are done', () => {
    const own = { a: '1' };
    const shared = Object.assign(new Error('shared'), { headers: own as Record<string, string> });
    const r1 = fakeResponse('t1', 'r1');
    const r2 = fakeResponse('t2', 'r2');
    attachResponseHeaders(shared, r1);
    attachResponseHeaders(shared, r2);
    expect(shared.headers).toEqual({ 'x-allstak-trace-id': 't2', 'x-allstak-request-id': 'r2', a: '1' });
    r1.emit('close');
    expect(shared.headers['x-allstak-trace-id']).toBe('t2');
    r2.emit('close');
    expect(shared.headers).toBe(own);
  });

  it('leaves primitives, frozen errors, non-plain headers and sent responses alone', () => {
    const res = fakeResponse('t', 'r');
    expect(() => attachResponseHeaders('str', res)).not.toThrow();
    const frozen = Object.freeze(new Error('f'));
    attachResponseHeaders(frozen, res);
    expect('headers' in frozen).toBe(false);
    const map = new Map();
    const withMap = Object.assign(new Error('m'), { headers: map });
    attachResponseHeaders(withMap, res);
    expect(withMap.headers).toBe(map);
    const sent = fakeResponse('t', 'r');
    sent.headersSent = true;
    const e = new Error('s');
    attachResponseHeaders(e, sent);
    expect('headers' in e).toBe(false);
    expect(res.listenerCount('close')).toBe(0);
  });
});
