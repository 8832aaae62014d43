import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  addBreadcrumb,
  captureException,
  init,
  logger,
  setContext,
  setExtra,
  setUser,
  startSpan,
} from '@sightline/core';
import { setupExpressErrorHandler, sightlineRequestHandler } from '@sightline/express';
import { TEST_API_KEY, startIngestServer } from '@sightline/testkit';
import express from 'express';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_VALUE,
  BEARER_TOKENS,
  CARDS,
  COOKIE,
  EMAILS,
  LOOK_ALIKES,
  NI_NUMBERS,
  PASSWORDS,
  SSNS,
  luhn,
  piiValues,
} from './fixtures/pii-corpus.js';
import { record } from './helpers/results.js';

/**
 * Private by default: a corpus of realistic personal data and secrets goes in through request
 * bodies, headers and query strings of an instrumented Express app, and through every capture
 * surface (error message, logs, breadcrumbs, span tags and data, extras, contexts, user). With
 * sendDefaultPii: false none of it may leave the process; with true all of it arrives verbatim.
 * Look-alikes (order ids, UUIDs, timestamps, ...) arrive unchanged either way.
 */

function app() {
  const a = express();
  a.use(sightlineRequestHandler());
  a.use(express.json());
  a.post('/signup', (req, res) => {
    const body = req.body as Record<string, string>;
    setUser({ id: 'u-1', email: body.email });
    logger.info('signup attempt', { body, headers: req.headers, url: req.originalUrl, note: body.note });
    logger.warn(
      `signup for ${body.email} paying with ${body.card}, ssn ${body.ssn}, ni ${body.ni} (${body.note})`,
    );
    addBreadcrumb({
      category: 'http',
      message: `POST ${req.originalUrl}`,
      data: { cookie: req.headers.cookie, authorization: req.headers.authorization, note: body.note },
    });
    startSpan({ name: 'db.insert' }, (span) => {
      span.setTag('user.email', body.email!);
      span.setTag('order', body.note!);
      span.setData('payload', body);
    });
    setExtra('request_body', body);
    setContext('request_headers', req.headers as Record<string, unknown>);
    res.status(500);
    throw new Error(`signup failed for ${body.email} with card ${body.card}; ${body.note}`);
  });
  setupExpressErrorHandler(a);
  a.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'internal' });
  });
  return a;
}

/** Sends the corpus through the app, returns every byte the backend accepted, as text. */
async function runCorpus(sendDefaultPii: boolean): Promise<{ text: string; requests: number }> {
  const server = await startIngestServer({ apiKey: TEST_API_KEY });
  const client = init({
    apiKey: TEST_API_KEY,
    host: server.url,
    release: '1.0.0',
    flushInterval: 20,
    defaultIntegrations: false,
    autoSessionTracking: false,
    sendDefaultPii,
  });
  const srv = http.createServer(app());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  const note = LOOK_ALIKES.join(' | ');
  const posts = CARDS.map((card, i) => ({
    body: {
      email: EMAILS[i % EMAILS.length],
      card,
      ssn: SSNS[i % SSNS.length],
      ni: NI_NUMBERS[i % NI_NUMBERS.length],
      password: PASSWORDS[i % PASSWORDS.length],
      passwd: PASSWORDS[(i + 1) % PASSWORDS.length],
      note: `${note} | password=${PASSWORDS[0]} | api_key=${API_KEY_VALUE}`,
    },
    headers: {
      authorization: `Bearer ${BEARER_TOKENS[i % BEARER_TOKENS.length]}`,
      cookie: COOKIE,
      'x-api-key': API_KEY_VALUE,
      'x-order-id': LOOK_ALIKES[0]!,
    },
    query: `?email=jane.doe%40example.com&password=${PASSWORDS[1]}&access_token=${BEARER_TOKENS[1]}&order=${LOOK_ALIKES[0]}`,
  }));
  for (const p of posts) {
    await new Promise<void>((resolve, reject) => {
      const payload = JSON.stringify(p.body);
      const req = http.request(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: `/signup${p.query}`,
          headers: {
            ...p.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve());
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
  captureException(new Error(`outside a request: ${EMAILS[0]} ${CARDS[0]}`));
  expect(await client.flush(5000)).toBe(true);
  await client.close(1000);
  srv.closeAllConnections();
  await new Promise((r) => srv.close(r));
  await server.stop();
  expect(server.invalid).toEqual([]);
  expect(server.items('errors').length).toBe(posts.length + 1);
  return { text: JSON.stringify(server.requests.map((r) => r.body)), requests: server.requests.length };
}

describe('privacy: sendDefaultPii', () => {
  it('the corpus is valid: every card passes Luhn', () => {
    for (const c of CARDS) expect(luhn(c), c).toBe(true);
  });

  it('false (the default): every secret and every piece of PII is redacted before it leaves; look-alikes survive', async () => {
    const { text, requests } = await runCorpus(false);
    const leaked = piiValues().filter((p) => text.includes(p.value));
    const mangled = LOOK_ALIKES.filter((v) => !text.includes(v));
    const kinds = [...new Set(piiValues().map((p) => p.kind))];
    record({
      group: 'privacy',
      injected: `${piiValues().length} PII/secret values (${kinds.join(', ')}) in request bodies, headers and query strings, captured through errors, logs, breadcrumbs, span tags/data, extras, contexts and user; sendDefaultPii: false`,
      counts: {
        'PII and secrets': {
          sent: piiValues().length,
          delivered: leaked.length,
          dropped: piiValues().length - leaked.length,
        },
        'look-alikes': {
          sent: LOOK_ALIKES.length,
          delivered: LOOK_ALIKES.length - mangled.length,
          dropped: mangled.length,
        },
      },
      labels: { sent: 'in the corpus', delivered: 'arrived verbatim', dropped: 'redacted' },
      figures: {
        'ingest requests inspected': requests,
        'bytes inspected': text.length,
        'leaked values': leaked.map((l) => l.kind).join(', ') || 'none',
        'mangled look-alikes': mangled.join(', ') || 'none',
      },
      outcome: 'no PII or secret reached the backend; every look-alike arrived unchanged',
    });
    expect(leaked).toEqual([]);
    expect(mangled).toEqual([]);
    expect(text).toContain('[Filtered]');
  });

  it('true: the same corpus arrives verbatim', async () => {
    const { text, requests } = await runCorpus(true);
    const missing = piiValues().filter((p) => !text.includes(p.value));
    const mangled = LOOK_ALIKES.filter((v) => !text.includes(v));
    record({
      group: 'privacy',
      injected: 'the same corpus and surfaces; sendDefaultPii: true',
      counts: {
        'PII and secrets': {
          sent: piiValues().length,
          delivered: piiValues().length - missing.length,
          dropped: missing.length,
        },
        'look-alikes': {
          sent: LOOK_ALIKES.length,
          delivered: LOOK_ALIKES.length - mangled.length,
          dropped: mangled.length,
        },
      },
      labels: { sent: 'in the corpus', delivered: 'arrived verbatim', dropped: 'redacted' },
      figures: {
        'ingest requests inspected': requests,
        'values missing': missing.map((m) => m.kind).join(', ') || 'none',
      },
      outcome: 'every value arrived verbatim',
    });
    expect(missing).toEqual([]);
    expect(mangled).toEqual([]);
  });
});
