/**
 * @module bench/status-page.bench
 * The status page's first load in Debian's chromium (headless, playwright-core) against a
 * real appliance on loopback: bytes transferred (bodies and headers of every response) and the
 * time from navigation until the dashboard is interactive (its data drawn), for a logged-in
 * user, over a few loads each in a fresh browser context (nothing cached). Targets: ≤ 300 KB, ≤ 1 s.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startAppliance } from '../test/helpers/appliance-process.js';
import { report, summarize } from './stats.js';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'bench-admin-password';

export async function benchStatusPage(scratch: string, quick: boolean): Promise<void> {
  if (!existsSync(CHROMIUM)) { report({ bench: 'status-page', skipped: `${CHROMIUM} is not installed (apt-get install chromium)` }); return; }
  const appliance = await startAppliance(join(scratch, 'status-page'), ['--http-port', 'any'], { APPLIANCE_ADMIN_PASSWORD: PASSWORD });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const port = Number(/"httpPort":(\d+)/.exec(appliance.stderr())?.[1]);
    const base = `https://127.0.0.1:${port}/`;
    const times: number[] = [];
    const bytes: number[] = [];
    for (let i = 0; i < (quick ? 2 : 6); i++) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(base);
      await page.fill('#user', 'admin');
      await page.fill('#password', PASSWORD);
      await page.click('#login-button');
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
      // A fresh page of the logged-in user, with the browser's cache off: the first load.
      const fresh = await context.newPage();
      const cdp = await context.newCDPSession(fresh);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      const sizes: Array<Promise<number>> = [];
      fresh.on('requestfinished', (req) => { sizes.push(req.sizes().then((s) => s.responseBodySize + s.responseHeadersSize)); });
      const t0 = performance.now();
      await fresh.goto(base);
      await fresh.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
      times.push(performance.now() - t0);
      bytes.push((await Promise.all(sizes)).reduce((a, b) => a + b, 0));
      await context.close();
    }
    report({ bench: 'status-page', what: 'first load of the dashboard (logged in, cache off)', bytes_max: Math.max(...bytes), target_bytes: 300 * 1024,
      interactive: summarize(times), target_interactive_ms: 1000 });
  } finally {
    await browser.close();
    await appliance.stop();
  }
}
