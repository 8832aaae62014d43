import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index.js';
import { SKIP_BROWSER, launchBrowser } from './helpers/browser.js';
import { send } from './helpers/http.js';

/** The "Races" page in a real Chromium, over Raceway events posted to `/events`. */

const T1 = '4bf92f35-77b3-4da6-a3ce-929d0e0e4736';
const T2 = '0af76519-16cd-43dd-8448-eb211c80319c';

function event(n: number, thread: string, trace: string, kind: Record<string, unknown>, clock: number) {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    trace_id: trace,
    parent_id: null,
    timestamp: `2026-01-01T00:00:00.00000${n}Z`,
    kind,
    metadata: {
      thread_id: thread,
      process_id: 1,
      service_name: 'bank',
      environment: 'test',
      tags: { request_id: `req-${thread}` },
      duration_ns: null,
      instance_id: 'bank-1',
    },
    causality_vector: [[`bank#bank-1/${thread}`, clock]],
    lock_set: [],
  };
}

const change = (type: string, oldValue: number, newValue: number, line: number) => ({
  StateChange: {
    variable: 'account:alice.balance',
    old_value: oldValue,
    new_value: newValue,
    location: `src/app.mjs:${line}`,
    access_type: type,
  },
});
const request = { HttpRequest: { method: 'POST', url: '/transfer/racy', headers: {}, body: null } };

describe.skipIf(SKIP_BROWSER)('Races page', () => {
  let collector: Collector;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    collector = await startCollector();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  it('says when nothing arrived, then shows each race with both accesses, live', async () => {
    await page.goto(`${collector.url}/#/races`);
    await page.getByText('No Raceway events yet').waitFor();
    expect(await page.locator('[data-testid=nav-races]').getAttribute('class')).toContain('active');

    const events = [
      event(1, 'A', T1, request, 1),
      event(2, 'B', T2, request, 1),
      event(3, 'A', T1, change('Read', 100, 100, 21), 2),
      event(4, 'B', T2, change('Write', 100, 90, 27), 2),
    ];
    const r = await send(collector.url, '/events', {
      method: 'POST',
      body: JSON.stringify({ events }),
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(200);

    // The page refreshes itself from the live feed.
    await page.locator('[data-testid=race]').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid=races-count]').textContent()).toBe('1 race on 1 variable.');
    expect(await page.locator('section.card h3').first().textContent()).toBe('account:alice.balance');
    const accesses = page.locator('[data-testid=race-access]');
    expect(await accesses.count()).toBe(2);
    const first = await accesses.nth(0).textContent();
    const second = await accesses.nth(1).textContent();
    expect(first).toContain('Read');
    expect(first).toContain('src/app.mjs:21');
    expect(first).toContain('POST /transfer/racy');
    expect(first).toContain('req-A');
    expect(second).toContain('100 → 90');
    expect(second).toContain('src/app.mjs:27');
    expect(await page.locator('[data-testid=race-trace]').nth(1).getAttribute('href')).toBe(
      `#/traces/${T2.replace(/-/g, '')}`,
    );
    expect(await page.locator('[data-testid=races-summary]').textContent()).toBe(
      '4 events · 2 state changes · 2 request contexts',
    );
    expect(pageErrors).toEqual([]);
  });
});
