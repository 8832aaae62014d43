import { open } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { StackFrame } from './parse.js';

export interface SourceContextOptions {
  /** Lines read before and after the frame's line. @default 5 */
  contextLines?: number;
  /** Files (and remembered misses) kept in the LRU cache. @default 100 */
  maxFiles?: number;
  /** Files bigger than this are never read (remembered as misses). @default 1048576 (1 MiB) */
  maxFileBytes?: number;
  /** Longer lines are cut and marked with `…` (around the column for the frame's own line). @default 200 */
  maxLineLength?: number;
  /** Total source bytes held in the cache; least recently used files are dropped past it. @default 16777216 (16 MiB) */
  maxCacheBytes?: number;
}

/** A file's lines, or `null` for a file that could not (or must not) be read. */
type Entry = { lines: string[]; bytes: number } | null;

const ELLIPSIS = '…';

/**
 * Adds source lines to in-app frames, reading files asynchronously and caching them per file.
 *
 * @example
 * const cache = new SourceContextCache({ contextLines: 3 });
 * await cache.addContext(parseStack(err.stack)); // frames now carry contextLine/preContext/postContext
 */
export class SourceContextCache {
  private readonly contextLines: number;
  private readonly maxFiles: number;
  private readonly maxFileBytes: number;
  private readonly maxLineLength: number;
  private readonly maxCacheBytes: number;
  /** Map iteration order is insertion order, so re-inserting on a hit makes it an LRU. */
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();
  private cachedBytes = 0;

  constructor(options: SourceContextOptions = {}) {
    this.contextLines = count(options.contextLines, 5);
    this.maxFiles = count(options.maxFiles, 100);
    this.maxFileBytes = count(options.maxFileBytes, 1024 * 1024);
    this.maxLineLength = Math.max(1, count(options.maxLineLength, 200));
    this.maxCacheBytes = count(options.maxCacheBytes, 16 * 1024 * 1024);
  }

  /**
   * Fills `contextLine`/`preContext`/`postContext` on in-app frames that have a line number and
   * an absolute path. Missing, unreadable or oversized files are remembered as misses. Never rejects.
   */
  async addContext(frames: StackFrame[]): Promise<void> {
    try {
      const byPath = new Map<string, StackFrame[]>();
      for (const f of frames) {
        if (!f?.inApp || !Number.isInteger(f.lineno) || (f.lineno as number) < 1) continue;
        if (typeof f.absPath !== 'string' || !isAbsolute(f.absPath)) continue;
        const list = byPath.get(f.absPath);
        if (list) list.push(f);
        else byPath.set(f.absPath, [f]);
      }
      if (byPath.size === 0) return;
      await Promise.all(
        Array.from(byPath, async ([path, list]) => {
          const entry = await this.load(path);
          if (entry) for (const f of list) this.apply(f, entry.lines);
        }),
      );
    } catch {
      // Context is decoration: an error here must never cost the event.
    }
  }

  private load(path: string): Promise<Entry> {
    if (this.cache.has(path)) {
      const hit = this.cache.get(path) ?? null;
      this.cache.delete(path);
      this.cache.set(path, hit);
      return Promise.resolve(hit);
    }
    let pending = this.inflight.get(path);
    if (!pending) {
      pending = this.read(path).then((entry) => {
        this.inflight.delete(path);
        this.store(path, entry);
        return entry;
      });
      this.inflight.set(path, pending);
    }
    return pending;
  }

  private store(path: string, entry: Entry): void {
    this.cache.set(path, entry);
    this.cachedBytes += entry ? entry.bytes : 0;
    while (this.cache.size > this.maxFiles || this.cachedBytes > this.maxCacheBytes) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      const evicted = this.cache.get(oldest.value);
      this.cachedBytes -= evicted ? evicted.bytes : 0;
      this.cache.delete(oldest.value);
    }
  }

  private async read(path: string): Promise<Entry> {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(path, 'r');
      const stat = await handle.stat();
      if (!stat.isFile() || stat.size > this.maxFileBytes) return null;
      // Read at most the size we checked, so a file growing meanwhile cannot blow the bound.
      const buf = Buffer.allocUnsafe(stat.size);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      let text = buf.toString('utf8', 0, got);
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      return { lines: text.split('\n'), bytes: got };
    } catch {
      return null;
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  private apply(frame: StackFrame, lines: string[]): void {
    const idx = (frame.lineno as number) - 1;
    if (idx >= lines.length) return;
    const n = this.contextLines;
    frame.contextLine = this.clip(lines[idx] as string, frame.colno);
    frame.preContext = lines.slice(Math.max(0, idx - n), idx).map((l) => this.clip(l));
    frame.postContext = lines.slice(idx + 1, idx + 1 + n).map((l) => this.clip(l));
  }

  /** Strips `\r`; cuts long lines, keeping a window around `colno` when it is past the cut. */
  private clip(line: string, colno?: number): string {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const max = this.maxLineLength;
    if (line.length <= max) return line;
    const col = typeof colno === 'number' ? colno - 1 : 0;
    if (col < max) return line.slice(0, max) + ELLIPSIS;
    let start = Math.max(0, col - (max >> 1));
    const end = Math.min(line.length, start + max);
    start = Math.max(0, end - max);
    return (start > 0 ? ELLIPSIS : '') + line.slice(start, end) + (end < line.length ? ELLIPSIS : '');
  }
}

function count(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : fallback;
}
