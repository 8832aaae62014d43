import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../helpers/app.js';
import { arrivedAt, releaseGate } from '../helpers/gates.js';
import { send } from '../helpers/http.js';
import { PLATFORMS } from '../helpers/nest.js';
import { type Telemetry, itemsFor, startTelemetry } from '../helpers/telemetry.js';

let seq = 0;
const key = (name: string) => `${name}-${process.pid}-${++seq}`;

/** Behaviour 6: streamed, abandoned and aborted responses are recorded once, correctly. */
describe.each(PLATFORMS)('streaming and aborted requests (%s)', (platform) => {
  let t: Telemetry;
  let app: RunningApp;

  beforeAll(async () => {
    t = await startTelemetry();
    app = await startApp({ platform });
  });

  afterAll(async () => {
    await app?.close();
    await t?.stop();
  });

  /** All records and errors of one request id, after everything queued was delivered. */
  async function settled(requestId: string) {
    await itemsFor(t.server, 'http-requests', requestId);
    await new Promise((r) => setTimeout(r, 30));
    await t.client.flush(2000);
    return {
      records: t.server.items('http-requests').filter((r) => r.requestId === requestId),
      errors: t.server.items('errors').filter((e) => e.requestId === requestId),
    };
  }

  it('records a StreamableFile response once it has been sent in full', async () => {
    const r = await send(app.url, '/files/stream');
    expect(r.status).toBe(200);
    expect(r.body).toBe('alpha,beta,gamma');
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.traceId).toBeDefined();
    const { records, errors } = await settled(r.requestId!);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      method: 'GET',
      path: '/files/stream',
      statusCode: 200,
      traceId: r.traceId,
    });
    expect(records[0].metadata).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('records a request the client abandons before any header as 499, aborted, once', async () => {
    const id = key('hang');
    const req = http.request(`${app.url}/slow/hang`, { headers: { 'x-request-id': id }, agent: false });
    req.on('error', () => {});
    req.end();
    await arrivedAt(id);
    req.destroy();
    const [record] = await itemsFor(t.server, 'http-requests', id);
    expect(record).toMatchObject({ path: '/slow/hang', statusCode: 499, metadata: { aborted: true } });
    // The handler finishes afterwards and Nest writes to the dead socket: still one record, no error.
    releaseGate(id);
    const { records, errors } = await settled(id);
    expect(records).toHaveLength(1);
    expect(errors).toEqual([]);
    const spans = await t.server.waitFor('spans', (s) => s.some((x) => x.traceId === record.traceId));
    expect(spans.find((s) => s.traceId === record.traceId)).toMatchObject({
      operation: 'GET /slow/hang',
      tags: expect.objectContaining({ 'http.status_code': '499', 'http.aborted': 'true' }),
    });
  });

  it('records a stream the client cuts mid-way with its real status, aborted, once', async () => {
    const id = key('stream');
    const firstChunk = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${app.url}/files/slow-stream`,
        { headers: { 'x-request-id': id }, agent: false },
        (res) => {
          res.once('data', (chunk: Buffer) => {
            resolve(chunk.toString());
            req.destroy();
          });
        },
      );
      req.on('error', (err) =>
        err.message.includes('aborted') || err.message.includes('socket hang up') ? undefined : reject(err),
      );
      req.end();
    });
    expect(firstChunk).toBe('first chunk\n');
    const [record] = await itemsFor(t.server, 'http-requests', id);
    expect(record).toMatchObject({
      path: '/files/slow-stream',
      statusCode: 200,
      metadata: { aborted: true },
    });
    releaseGate(id);
    const { records, errors } = await settled(id);
    expect(records).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('keeps serving and recording after aborted requests', async () => {
    const r = await send(app.url, '/users/77');
    expect(r.status).toBe(200);
    const { records } = await settled(r.requestId!);
    expect(records).toEqual([expect.objectContaining({ path: '/users/:id', statusCode: 200, userId: '77' })]);
  });
});
