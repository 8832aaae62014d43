import { Writable } from 'node:stream';

/**
 * A stream a logger writes JSON lines to (as it would to stdout); `lines` holds each line parsed,
 * in order. Chunks may hold several lines; blank lines are skipped.
 * @example
 * const { lines, stream } = jsonLines();
 * pino({ mixin: sightlineMixin() }, stream).info('hi');
 * expect(lines[0]).toMatchObject({ msg: 'hi' });
 */
export function jsonLines(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, stream };
}
