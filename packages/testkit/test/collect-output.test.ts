import { afterEach, describe, expect, it } from 'vitest';
import { TEST_API_KEY, collectOutput } from '../src/index.js';

describe('collectOutput', () => {
  let out: ReturnType<typeof collectOutput> | undefined;
  afterEach(() => out?.restore());

  it('captures stdout, stderr and console.* and swallows them', async () => {
    const before = {
      out: process.stdout.write,
      err: process.stderr.write,
      log: console.log,
      warn: console.warn,
    };
    out = collectOutput();
    process.stdout.write('to stdout\n');
    process.stderr.write(Buffer.from(`to stderr ${TEST_API_KEY}\n`));
    console.log('log %s', 'formatted', { a: 1 });
    console.warn('warned');
    console.error(new Error('boom'));
    console.debug('debugged');
    await new Promise<void>((resolve) => process.stdout.write('with callback\n', () => resolve()));
    const text = out.text();
    out.restore();
    expect(text).toContain('to stdout\n');
    expect(text).toContain(`to stderr ${TEST_API_KEY}`);
    expect(text).toContain('log formatted { a: 1 }\n');
    expect(text).toContain('warned');
    expect(text).toContain('Error: boom');
    expect(text).toContain('debugged');
    expect(text).toContain('with callback');
    expect(process.stdout.write).toBe(before.out);
    expect(process.stderr.write).toBe(before.err);
    expect(console.log).toBe(before.log);
    expect(console.warn).toBe(before.warn);
  });

  it('nests: the inner collector restores the outer one', () => {
    out = collectOutput();
    const inner = collectOutput();
    console.log('inner');
    inner.restore();
    console.log('outer');
    expect(inner.text()).toBe('inner\n');
    expect(out.text()).toBe('outer\n');
  });
});
