import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKIP_BROWSER, launchBrowser } from './helpers/browser.js';
import { type DemoEnv, REPO_ROOT, startDemoEnv } from './helpers/demo-env.js';

/**
 * The UI in a real Chromium, after real traffic: the demo's Express gateway and Fastify
 * backend (separate processes, real SDK) send to a collector, and the test reads the pages
 * the way a person would. Set SIGHTLINE_UPDATE_SCREENSHOT=1 to refresh the README's screenshot.
 */
const SCREENSHOT = join(REPO_ROOT, 'docs/images/collector-ui.png');

describe.skipIf(SKIP_BROWSER)('collector UI in Chromium', () => {
  let env: DemoEnv;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let base: string;
  let results: Awaited<ReturnType<DemoEnv['drive']>>;
  const foreign: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    env = await startDemoEnv();
    base = env.collector.url;
    results = await env.drive();
    await env.flush();
    const traced = results.find((r) => r.trace)!;
    const check = await env.waitForTrace(traced.traceId);
    expect(check.problems).toEqual([]);
    page = await browser.context.newPage();
    browser.context.on('request', (r) => {
      if (!r.url().startsWith(`${base}/`)) foreign.push(r.url());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  const rowCount = (sel: string) => page.locator(`[data-testid=${sel}]`).count();

  it('lists traces by root operation with status, services and errors', async () => {
    await page.goto(`${base}/`);
    await page.locator('[data-testid=trace-row]').first().waitFor();
    expect(await rowCount('trace-row')).toBe(results.length);
    const pay = page.locator('[data-testid=trace-row]', { hasText: 'POST /api/orders/:id/pay' });
    await expect.poll(() => pay.textContent()).toContain('502');
    expect(await pay.textContent()).toMatch(/backend.*gateway/);
    expect(await page.locator('[data-testid=live-status]').textContent()).toBe('live');
    await page.selectOption('[data-testid=trace-route]', '/api/profile/:id');
    await expect.poll(() => rowCount('trace-row')).toBe(1);
    expect(await page.locator('[data-testid=trace-row]').textContent()).toContain('GET /api/profile/:id');
    expect(page.url()).toContain('route=%2Fapi%2Fprofile%2F%3Aid');
  });

  it('shows a handled error with its breadcrumbs, user, tags and request', async () => {
    await page.click('[data-testid=nav-errors]');
    await page.locator('[data-testid=error-group-link]', { hasText: 'SyntaxError' }).click();
    await page.locator('[data-testid=error-title]').waitFor();
    expect(await page.locator('[data-testid=error-title]').textContent()).toMatch(/^SyntaxError/);
    expect(await page.locator('[data-testid=breadcrumb]').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('loading profile from cache')]),
    );
    expect(await page.locator('[data-testid=user]').textContent()).toContain('demo-user-7');
    expect(await page.locator('[data-testid=tags]').textContent()).toMatch(/cache\s*profiles/);
    const req = await page.locator('[data-testid=request]').textContent();
    expect(req).toContain('/api/profile/:id');
    expect(req).toContain('GET');
  });

  it('follows an error to its trace: message, cause, in-app source, then the waterfall across services', async () => {
    await page.click('[data-testid=nav-errors]');
    const group = page.locator('[data-testid=error-group]', { hasText: 'payment declined by processor' });
    await group.waitFor();
    expect(await group.locator('[data-testid=error-count]').textContent()).toBe('1');
    expect(await group.textContent()).toContain('backend');
    await group.locator('[data-testid=error-group-link]').click();

    await page.locator('[data-testid=error-title]').waitFor();
    expect(await page.locator('[data-testid=error-title]').textContent()).toBe(
      'Errorpayment declined by processor',
    );
    expect(await page.locator('[data-testid=causes]').textContent()).toContain(
      'card issuer timed out after 10s',
    );
    const inApp = page.locator('[data-testid=frame].in-app').first();
    expect(await inApp.textContent()).toContain('demo/backend.mjs');
    expect(await inApp.locator('.line.hit').textContent()).toContain(
      "new Error('payment declined by processor'",
    );
    expect(await page.locator('[data-testid=tags]').textContent()).toContain('orderId');

    await page.click('[data-testid=error-trace-link]');
    await page.locator('[data-testid=waterfall]').waitFor();
    expect(page.url()).toMatch(/#\/traces\/[0-9a-f]{32}$/);
    expect(await page.locator('[data-testid=trace-title]').textContent()).toBe('POST /api/orders/:id/pay');
    const spans = page.locator('[data-testid=span-row]');
    const services = await spans.evaluateAll((rows) => rows.map((r) => (r as any).dataset.service));
    expect(new Set(services)).toEqual(new Set(['gateway', 'backend']));
    const ops = await spans.locator('.span-op').allTextContents();
    expect(ops).toEqual(
      expect.arrayContaining([
        'POST /api/orders/:id/pay',
        'http.client',
        'POST /payments',
        'payments.charge',
      ]),
    );
    // Beside the waterfall: the error, both services' logs, and the HTTP records with their statuses.
    expect(await page.locator('[data-testid=trace-error]').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('payment declined by processor')]),
    );
    const logs = (await page.locator('[data-testid=trace-log]').allTextContents()).join('\n');
    expect(logs).toContain('payment failed downstream');
    expect(logs).toContain('payment failed');
    const http = (await page.locator('[data-testid=trace-request]').allTextContents()).join('\n');
    expect(http).toContain('502');
    expect(http).toContain('500');
    // The README's screenshot: this view, as a person sees it.
    const shot = join(mkdtempSync(join(tmpdir(), 'sightline-shot-')), 'collector-ui.png');
    const bottom = await page.evaluate(
      () => (globalThis as any).document.querySelector('main').getBoundingClientRect().bottom,
    );
    await page.screenshot({
      path: shot,
      clip: { x: 0, y: 0, width: 1400, height: Math.min(860, Math.ceil(bottom) + 8) },
    });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    if (process.env.SIGHTLINE_UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(REPO_ROOT, 'docs/images'), { recursive: true });
      copyFileSync(shot, SCREENSHOT);
    }
    // Clicking a span opens its details.
    await spans.filter({ hasText: 'POST /payments' }).first().click();
    expect(await page.locator('.span-extra:not([hidden])').first().textContent()).toContain('span.kind');
  });

  it('filters logs by level and service, and links each line to its trace', async () => {
    await page.click('[data-testid=nav-logs]');
    await page.locator('[data-testid=log-row]').first().waitFor();
    await page.selectOption('[data-testid=log-level]', 'error');
    await expect
      .poll(
        async () =>
          new Set(
            await page
              .locator('[data-testid=log-row]')
              .evaluateAll((r) => r.map((e) => (e as any).dataset.level)),
          ),
      )
      .toEqual(new Set(['error']));
    await page.selectOption('[data-testid=log-service]', 'backend');
    await expect.poll(() => rowCount('log-row')).toBe(1);
    const row = page.locator('[data-testid=log-row]').first();
    expect(await row.textContent()).toContain('payment failed');
    expect(page.url()).toContain('level=error');
    await row.locator('[data-testid=log-trace-link]').click();
    await page.locator('[data-testid=trace-title]').waitFor();
    expect(await page.locator('[data-testid=trace-title]').textContent()).toBe('POST /api/orders/:id/pay');

    await page.goto(`${base}/#/logs?q=fetching`);
    await expect.poll(() => rowCount('log-row')).toBe(4);
  });

  it('shows count, error rate and p50/p95/p99 per route', async () => {
    await page.click('[data-testid=nav-requests]');
    const orders = page.locator('[data-testid=route-row][data-route="/api/orders/:id"]');
    await orders.waitFor();
    const cells = await orders.locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual(['GET', '/api/orders/:id', 'gateway', '4']);
    expect(cells[4]).toBe('0%');
    expect(cells.slice(6, 9).every((c) => /^\d+ ms$/.test(c))).toBe(true);
    const pay = await page.locator('[data-testid=route-row][data-route="/payments"] td').allTextContents();
    expect(pay[4]).toBe('100%');
    await page.selectOption('[data-testid=request-direction]', 'outbound');
    await expect
      .poll(() => page.locator('[data-testid=route-row]').first().textContent())
      .toContain('gateway');
  });

  it('counts sessions and heartbeats by status', async () => {
    await page.click('[data-testid=nav-health]');
    await page.locator('[data-testid=session-open]').waitFor();
    expect(await page.locator('[data-testid=session-open] b').textContent()).toBe('2');
    expect(await page.locator('[data-testid=heartbeat-success] b').textContent()).toBe('1');
  });

  it('shows new data live, without a reload', async () => {
    await page.click('[data-testid=nav-traces]');
    await page.locator('[data-testid=trace-row]').first().waitFor();
    const before = await rowCount('trace-row');
    await page.evaluate(() => {
      (globalThis as any).marker = 42;
    });
    const res = await fetch(`${env.gateway.url}/api/orders/2`);
    const traceId = res.headers.get('x-allstak-trace-id');
    await env.flush();
    await page.locator(`[data-testid=trace-row][data-trace-id="${traceId}"]`).waitFor({ timeout: 10_000 });
    expect(await rowCount('trace-row')).toBeGreaterThan(before);
    expect(await page.evaluate(() => (globalThis as any).marker)).toBe(42);
  });

  it('loaded nothing from outside the collector and logged no page errors', () => {
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
