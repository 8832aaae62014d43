import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StackFrame, parseStack } from '../src/stack/parse.js';
import { SourceContextCache } from '../src/stack/source-context.js';

const require = createRequire(import.meta.url);
const thrower = require('./fixtures/thrower.cjs') as { outer: (label: string) => void };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sightline-srcctx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function frameAt(absPath: string, lineno: number, colno?: number): StackFrame {
  return { filename: absPath, absPath, function: 'f', lineno, colno, inApp: true };
}

async function contextOf(cache: SourceContextCache, path: string, lineno = 1): Promise<string | undefined> {
  const f = frameAt(path, lineno);
  await cache.addContext([f]);
  return f.contextLine;
}

describe('SourceContextCache', () => {
  it('adds the exact source lines to frames of a real error thrown from a fixture file', async () => {
    let err: Error | undefined;
    try {
      thrower.outer('ctx');
    } catch (e) {
      err = e as Error;
    }
    const frames = parseStack(err?.stack);
    const inner = frames.find((f) => f.function === 'inner');
    const outer = frames.find((f) => f.function === 'Object.outer');
    expect(inner?.absPath).toMatch(/test[\\/]fixtures[\\/]thrower\.cjs$/);
    expect(inner?.lineno).toBe(6);
    expect(inner?.inApp).toBe(true);

    await new SourceContextCache({ contextLines: 2 }).addContext(frames);

    expect(inner?.contextLine).toBe('  throw new Error(message); // <- line 6');
    // Split so the linter does not take the fixture's template literal for a mistake here.
    expect(inner?.preContext).toEqual([
      'function inner(label) {',
      '  const message = `boom from $' + '{label}`;',
    ]);
    expect(inner?.postContext).toEqual(['}', '']);
    expect(outer?.contextLine).toBe('  return inner(label);');
    // Frames outside the app are left alone.
    for (const f of frames.filter((x) => !x.inApp)) expect(f.contextLine).toBeUndefined();
  });

  it('clips context at the start and end of the file; 5 lines by default', async () => {
    const path = join(dir, 'ten.js');
    await writeFile(path, Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n'));
    const first = frameAt(path, 1);
    const middle = frameAt(path, 7);
    const beyond = frameAt(path, 11);
    await new SourceContextCache().addContext([first, middle, beyond]);
    expect(first.preContext).toEqual([]);
    expect(first.contextLine).toBe('line 1');
    expect(first.postContext).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    expect(middle.preContext).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    expect(middle.postContext).toEqual(['line 8', 'line 9', 'line 10']);
    expect(beyond.contextLine).toBeUndefined();
  });

  it('strips CR from CRLF files and a leading BOM', async () => {
    const path = join(dir, 'crlf.js');
    await writeFile(path, '\ufeffa\r\nb\r\nc\r\n');
    const f = frameAt(path, 1);
    await new SourceContextCache({ contextLines: 1 }).addContext([f]);
    expect(f.contextLine).toBe('a');
    expect(f.postContext).toEqual(['b']);
  });

  it('cuts long lines with …, keeping a window around the column of the frame line', async () => {
    const path = join(dir, 'long.js');
    const long = `${'a'.repeat(300)}TARGET${'b'.repeat(300)}`;
    await writeFile(path, `${'x'.repeat(80)}\n${long}\nshort`);
    const f = frameAt(path, 2, 302);
    await new SourceContextCache({ maxLineLength: 40, contextLines: 1 }).addContext([f]);
    expect(f.preContext).toEqual([`${'x'.repeat(40)}…`]);
    expect(f.postContext).toEqual(['short']);
    expect(f.contextLine).toBe(`…${'a'.repeat(19)}TARGET${'b'.repeat(15)}…`);
    const head = frameAt(path, 2, 3);
    await new SourceContextCache({ maxLineLength: 40 }).addContext([head]);
    expect(head.contextLine).toBe(`${'a'.repeat(40)}…`);
  });

  it('remembers a missing file as a miss, and never rejects', async () => {
    const path = join(dir, 'later.js');
    const cache = new SourceContextCache();
    await expect(contextOf(cache, path)).resolves.toBeUndefined();
    await writeFile(path, 'now it exists');
    expect(await contextOf(cache, path)).toBeUndefined();
    expect(await contextOf(new SourceContextCache(), path)).toBe('now it exists');
  });

  it('skips files over maxFileBytes, directories and frames it must not read', async () => {
    const big = join(dir, 'big.js');
    const small = join(dir, 'small.js');
    await writeFile(big, `${'x'.repeat(2047)}\n`);
    await writeFile(small, 'small');
    const cache = new SourceContextCache({ maxFileBytes: 1024 });
    expect(await contextOf(cache, big)).toBeUndefined();
    expect(await contextOf(cache, small)).toBe('small');
    expect(await contextOf(cache, dir)).toBeUndefined();

    const notInApp = { ...frameAt(small, 1), inApp: false };
    const relative = frameAt('small.js', 1);
    const internal = frameAt('node:internal/timers', 1);
    const noLine = { ...frameAt(small, 1), lineno: undefined };
    const odd = [null, notInApp, relative, internal, noLine, frameAt(small, 0), frameAt(small, Number.NaN)];
    const good = frameAt(small, 1);
    await expect(cache.addContext([...odd, good] as StackFrame[])).resolves.toBeUndefined();
    for (const f of odd) expect(f?.contextLine).toBeUndefined();
    expect(good.contextLine).toBe('small');
    await expect(cache.addContext(null as unknown as StackFrame[])).resolves.toBeUndefined();
  });

  it('caches file contents and respects the maxFiles LRU bound', async () => {
    const [a, b, c] = ['a.js', 'b.js', 'c.js'].map((n) => join(dir, n)) as [string, string, string];
    await Promise.all([writeFile(a, 'a v1'), writeFile(b, 'b v1'), writeFile(c, 'c v1')]);
    const cache = new SourceContextCache({ maxFiles: 2 });
    expect(await contextOf(cache, a)).toBe('a v1');
    await writeFile(a, 'a v2');
    expect(await contextOf(cache, a)).toBe('a v1'); // served from the cache
    expect(await contextOf(cache, b)).toBe('b v1');
    expect(await contextOf(cache, a)).toBe('a v1'); // touch a: b is now the oldest
    expect(await contextOf(cache, c)).toBe('c v1'); // evicts b
    await writeFile(b, 'b v2');
    expect(await contextOf(cache, a)).toBe('a v1');
    expect(await contextOf(cache, b)).toBe('b v2'); // re-read, evicts c
    await writeFile(c, 'c v2');
    expect(await contextOf(cache, c)).toBe('c v2');
  });

  it('respects the maxCacheBytes bound', async () => {
    const [a, b] = ['ba.js', 'bb.js'].map((n) => join(dir, n)) as [string, string];
    await Promise.all([writeFile(a, `a v1${' '.repeat(60)}`), writeFile(b, `b v1${' '.repeat(60)}`)]);
    const cache = new SourceContextCache({ maxCacheBytes: 100 });
    expect(await contextOf(cache, a)).toMatch(/^a v1/);
    expect(await contextOf(cache, b)).toMatch(/^b v1/); // 128 bytes > 100: a is dropped
    await writeFile(a, 'a v2');
    expect(await contextOf(cache, a)).toBe('a v2');
  });

  it('reads a file once for concurrent callers', async () => {
    const path = join(dir, 'shared.js');
    await writeFile(path, 'one\ntwo');
    const cache = new SourceContextCache();
    const f1 = frameAt(path, 1);
    const f2 = frameAt(path, 2);
    await Promise.all([cache.addContext([f1]), cache.addContext([f2])]);
    expect([f1.contextLine, f2.contextLine]).toEqual(['one', 'two']);
  });
});
