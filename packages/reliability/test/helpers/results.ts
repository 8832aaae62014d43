import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { MODE } from './mode.js';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.results');

/** Per-category counts, as the report prints them. */
export interface Counts {
  sent: number;
  delivered: number;
  dropped: number;
  [more: string]: number;
}

/** What one scenario measured; the report renders it next to the test's real pass/fail status. */
export interface ScenarioFigures {
  /** Section of docs/reliability.md. */
  group: 'fault' | 'shutdown' | 'load' | 'hostile' | 'secrets' | 'privacy';
  /** What was injected or fed, in one sentence. */
  injected: string;
  /** Items per category (or per input family): captured/sent, delivered/accepted, dropped. */
  counts?: Record<string, Counts>;
  /** Column titles for `counts` when "sent / delivered / dropped" would mislead. */
  labels?: { sent?: string; delivered?: string; dropped?: string };
  /** Latency of the host app's own requests, ms. */
  latency?: { baselineP50?: number; p50: number; p99: number; max: number; bound: string };
  /** Memory plateau of the child app, MiB. */
  memory?: {
    rssFirstThirdMax: number;
    rssLastThirdMax: number;
    heapFirstThirdMax: number;
    heapLastThirdMax: number;
    samples: number;
  };
  /** Anything else worth printing, as label → value. */
  figures?: Record<string, string | number | boolean>;
  /** One-line outcome in words (the PASS/FAIL comes from vitest's own report). */
  outcome: string;
}

let seq = 0;

/**
 * Records the figures of the running test into `.results/<file>-<n>.json`. Call it before the
 * assertions, so a failing scenario still shows what it measured.
 */
export function record(figures: ScenarioFigures): void {
  const state = expect.getState();
  const file = basename(state.testPath ?? 'unknown');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const out = {
    file,
    test: state.currentTestName ?? 'unknown',
    mode: MODE,
    at: new Date().toISOString(),
    ...figures,
  };
  writeFileSync(
    join(RESULTS_DIR, `${file}-${process.pid}-${seq++}.json`),
    `${JSON.stringify(out, null, 2)}\n`,
  );
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
