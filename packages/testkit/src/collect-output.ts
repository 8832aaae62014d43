import { format } from 'node:util';

type Write = typeof process.stdout.write;
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Captures everything written to `process.stdout`, `process.stderr` and `console.*` until
 * `restore()`, so a test can assert that a secret never shows up. Captured output is swallowed
 * unless `passThrough` is set. Collectors nest: `restore()` puts back what was there before.
 * @example
 * const out = collectOutput();
 * try { ... } finally { out.restore(); }
 * expect(out.text()).not.toContain(TEST_API_KEY);
 */
export function collectOutput(options: { passThrough?: boolean } = {}): { text(): string; restore(): void } {
  const parts: string[] = [];
  const origOut = process.stdout.write;
  const origErr = process.stderr.write;
  const origConsole = CONSOLE_METHODS.map((m) => console[m]);
  let restored = false;

  const capture = (orig: Write, stream: NodeJS.WriteStream): Write =>
    function write(this: unknown, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
      parts.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      if (options.passThrough)
        return (orig as (...a: unknown[]) => boolean).call(stream, chunk, encoding, cb);
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    } as Write;

  process.stdout.write = capture(origOut, process.stdout);
  process.stderr.write = capture(origErr, process.stderr);
  // Test runners (vitest) replace `console` with their own, which bypasses the streams.
  CONSOLE_METHODS.forEach((m, i) => {
    console[m] = (...args: unknown[]) => {
      parts.push(`${format(...args)}\n`);
      if (options.passThrough) (origConsole[i] as (...a: unknown[]) => void).apply(console, args);
    };
  });

  return {
    text: () => parts.join(''),
    restore() {
      if (restored) return;
      restored = true;
      process.stdout.write = origOut;
      process.stderr.write = origErr;
      CONSOLE_METHODS.forEach((m, i) => {
        console[m] = origConsole[i]!;
      });
    },
  };
}
