import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkRacewayEvent } from '@sightline/raceway/analysis';
import type { ResolvedOptions } from '../options.js';
import type { Store } from '../store/store.js';
import { readJsonBody } from './body.js';
import { sendJson } from './respond.js';

export interface RacewayIngestContext {
  options: ResolvedOptions;
  store: Store;
  onStored(kind: 'raceway', count: number): void;
}

/** Raceway's answer shape (`cli/src/server.rs`, `ApiResponse`). */
const answer = (res: ServerResponse, status: number, data: string | null, error: string | null) =>
  sendJson(res, status, { success: error === null, data, error });

/** The key as Raceway's server reads it: `Authorization: Bearer <key>` (or `bearer`), else `X-Raceway-Key`. */
function sentKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && (auth.startsWith('Bearer ') || auth.startsWith('bearer ')))
    return auth.slice(7).trim();
  const k = req.headers['x-raceway-key'];
  return typeof k === 'string' && k.trim() !== '' ? k.trim() : undefined;
}

function keyMatches(sent: string | undefined, expected: Buffer): boolean {
  if (sent === undefined) return false;
  const got = Buffer.from(sent);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * `POST /events`: Raceway's ingest (WIRE-FORMATS §1.1). The body is `{ "events": [...] }`
 * (a bare array is refused, as by Raceway); every event must be one a Raceway server would
 * deserialize, or nothing is stored and the 400 names the first bad field. When the collector
 * has an API key, it is required as `Authorization: Bearer <key>` (or `X-Raceway-Key`).
 * Answers `{"success":true,"data":"Ingested N events","error":null}` like Raceway.
 */
export function createRacewayIngestHandler(ctx: RacewayIngestContext) {
  const expectedKey = ctx.options.apiKey === undefined ? undefined : Buffer.from(ctx.options.apiKey);
  return async function handleRaceway(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      answer(res, 405, null, 'POST /events only');
      return;
    }
    if (expectedKey && !keyMatches(sentKey(req), expectedKey)) {
      answer(res, 401, null, 'Unauthorized');
      return;
    }
    const read = await readJsonBody(req, ctx.options.maxBodyBytes);
    if (!read.ok) {
      answer(res, read.status, null, read.error);
      return;
    }
    const events = (read.body as { events?: unknown } | null)?.events;
    if (
      read.body === null ||
      typeof read.body !== 'object' ||
      Array.isArray(read.body) ||
      !Array.isArray(events)
    ) {
      answer(res, 400, null, 'body: expected { "events": [...] }');
      return;
    }
    for (let i = 0; i < events.length; i++) {
      const problem = checkRacewayEvent(events[i]);
      if (problem) {
        answer(res, 400, null, `events[${i}].${problem}`);
        return;
      }
    }
    const stored = ctx.store.ingestRaceway(events as Record<string, unknown>[]);
    answer(res, 200, `Ingested ${events.length} events`, null);
    ctx.onStored('raceway', stored);
  };
}
