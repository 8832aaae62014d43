import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`), or SIGHTLINE_CHROMIUM. */
export const CHROMIUM = process.env.SIGHTLINE_CHROMIUM || '/usr/bin/chromium';

/** Set SIGHTLINE_SKIP_BROWSER=1 to skip the browser tests on a machine without Chromium. */
export const SKIP_BROWSER = process.env.SIGHTLINE_SKIP_BROWSER === '1';

export function chromiumMissingMessage(): string {
  return (
    `Chromium was not found at ${CHROMIUM}. The collector's browser tests drive a real Chromium: ` +
    'install it with `apt-get install -y chromium` (Debian/Ubuntu), or point SIGHTLINE_CHROMIUM at a ' +
    'Chrome/Chromium binary, or set SIGHTLINE_SKIP_BROWSER=1 to skip these tests.'
  );
}

/** Launches headless Chromium with a fresh profile; nothing reaches the network but loopback. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(chromiumMissingMessage());
  const profile = mkdtempSync(join(tmpdir(), 'sightline-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
