import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AllStakEndpoint,
  type WireBodies,
  endpointForPath,
  validateWireBody,
} from '@sightline/core/wire';
import type { ResolvedOptions } from '../options.js';
import type { Store } from '../store/store.js';
import { readJsonBody } from './body.js';
import { sendJson } from './respond.js';

export interface IngestContext {
  options: ResolvedOptions;
  store: Store;
  /** Called after items were stored (the live feed). */
  onStored(endpoint: AllStakEndpoint, count: number): void;
}

function keyMatches(sent: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof sent !== 'string') return false;
  const got = Buffer.from(sent);
  // Constant-time for equal lengths; a length mismatch is not secret enough to matter here.
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * `POST /ingest/v1/<kind>`: the AllStak ingest protocol. Answers 404 (unknown path), 405 (not
 * POST), 401 (key configured and not sent), 413 (over `maxBodyBytes`), 415 (other encodings),
 * 400 (not JSON, or a body the shared wire validator rejects; the message names the field),
 * 200 `{ accepted }` otherwise. Messages never echo the key or field values.
 */
export function createIngestHandler(ctx: IngestContext) {
  const expectedKey = ctx.options.apiKey === undefined ? undefined : Buffer.from(ctx.options.apiKey);

  return async function handleIngest(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
  ): Promise<void> {
    const endpoint = endpointForPath(pathname);
    if (!endpoint) {
      sendJson(res, 404, {
        error: `unknown ingest path (expected one of /ingest/v1/errors, logs, spans, ...)`,
      });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(res, 405, { error: 'ingest endpoints accept POST only' });
      return;
    }
    if (expectedKey && !keyMatches(req.headers['x-allstak-key'], expectedKey)) {
      sendJson(res, 401, { error: 'missing or invalid X-AllStak-Key header' });
      return;
    }
    const read = await readJsonBody(req, ctx.options.maxBodyBytes);
    if (!read.ok) {
      sendJson(res, read.status, { error: read.error });
      return;
    }
    const valid = validateWireBody(pathname, read.body);
    if (!valid.ok) {
      sendJson(res, 400, { error: valid.error });
      return;
    }
    let accepted: number;
    try {
      accepted = ctx.store.ingest(endpoint, read.body as WireBodies[typeof endpoint]);
    } catch (err) {
      // Valid but unstorable (e.g. metadata nested too deep to re-encode): the sender's problem,
      // so a permanent 4xx rather than a 5xx it would retry.
      sendJson(res, 400, { error: `body: could not be stored (${(err as Error).message})` });
      return;
    }
    sendJson(res, 200, { accepted });
    ctx.onStored(endpoint, accepted);
  };
}
