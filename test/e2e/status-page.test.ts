/**
 * The status page in a real browser: Debian's chromium, headless, driven by playwright-core
 * (which never downloads a browser), against a real appliance with HTTPS on a free port. An
 * administrator logs in, sees the host name and version, watches an alarm raised through a
 * threshold appear and acknowledges it, opens a commit's diff and logs out; a wrong password
 * is refused; a viewer sees no acknowledge button and is refused one sent by hand; the page
 * fits a phone; failed form logins throttle SSH from the same source; during an install that
 * awaits its confirmation the page shows both slots and the deadline. Screenshots of each step go to test-output/status-page/. Also measured: the
 * first load of the dashboard (bytes transferred, time until it is interactive).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Client } from 'ssh2';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';
import { bootFresh, lastJsonDocument, runCli, upgradeKit, type JobRecord } from '../helpers/upgrade-fixtures.js';
import { CSP } from '../../confd/northbound/web/routes.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../../../test-output/status-page/', import.meta.url));
const PASSWORD = 'status-page-admin-1';
const VIEWER_PASSWORD = 'viewer-pass-1';

interface Watched { page: Page; errors: string[] }

async function openPage(context: BrowserContext): Promise<Watched> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return { page, errors };
}

async function login(page: Page, user: string, password: string): Promise<void> {
  await page.waitForSelector('body[data-state="login"]');
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.click('#login-button');
}

/** A plain HTTPS request (node's client) with the given headers. */
function https(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}):
  Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', rejectUnauthorized: false, headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function cli(dir: string, commands: string): Promise<string> {
  const r = await runAppliance(['cli', '--as', 'admin', '--data-dir', dir, '-c', commands]);
  assert.equal(r.code, 0, `${commands}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

describe('the status page in chromium', { timeout: 240_000 }, () => {
  let dir: TempDir;
  let appliance: RunningAppliance;
  let port: number;
  let browser: Browser;
  let base: string;

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    dir = tempDir('status-page-');
    appliance = await startAppliance(dir.path, ['--http-port', 'any'], { APPLIANCE_ADMIN_PASSWORD: PASSWORD });
    const m = /"httpPort":(\d+)/.exec(appliance.stderr());
    assert.ok(m, 'the appliance logs the HTTPS port it took');
    port = Number(m[1]);
    base = `https://127.0.0.1:${port}`;
    await cli(dir.path, 'configure; set system hostname edge-7; set system monitoring interval-seconds 1; '
      + `set system users user vera role viewer; set system users user vera plain-text-password ${VIEWER_PASSWORD}; commit comment "name the box"`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    await appliance?.stop();
    dir?.remove();
  });

  it('serves the page with a CSP without inline scripts, HSTS, and no third-party requests', async () => {
    const r = await https(port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-security-policy'], CSP);
    assert.match(CSP, /script-src 'self'(;|$)/);
    assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval/);
    assert.match(String(r.headers['strict-transport-security']), /max-age=\d+/);
    assert.doesNotMatch(r.body, /<script>|<script(?![^>]*\ssrc=)[^>]*>|https?:\/\//, 'no inline script and no absolute URL in the page');
  });

  it('an administrator logs in, sees the dashboard, an alarm appears and is acknowledged, a diff opens, and logs out', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    const { page, errors } = await openPage(context);
    const foreign: string[] = [];
    page.on('request', (req) => { if (!req.url().startsWith(base) && !req.url().startsWith('data:')) foreign.push(req.url()); });
    const response = await page.goto(`${base}/`);
    assert.equal(response?.headers()['content-security-policy'], CSP);
    await page.waitForSelector('body[data-state="login"]');
    await page.screenshot({ path: join(OUT, '1-login.png') });

    await login(page, 'admin', PASSWORD);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 45_000 });
    assert.equal(await page.textContent('#hostname'), 'edge-7');
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(await page.textContent('#version'), version, 'the page shows the running version');
    assert.match(await page.textContent('#slots [data-slot="a"]') ?? '', /good.*running/s);
    assert.match(await page.textContent('#sessions') ?? '', /web/);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === '__Host-appliance-session');
    assert.ok(session && session.secure && session.httpOnly && session.sameSite === 'Strict', 'the session cookie is Secure, HttpOnly, SameSite=Strict');
    await page.screenshot({ path: join(OUT, '2-dashboard.png'), fullPage: true });

    // An alarm through a threshold: the data directory's filesystem is surely more than 1 % full.
    await cli(dir.path, 'configure; set system monitoring disk-usage-alarm-percent 1; commit comment "raise the disk alarm"');
    const row = 'tr[data-alarm^="disk-usage:"]';
    await page.waitForSelector(row, { timeout: 30_000 });
    assert.match(await page.textContent(row) ?? '', /major/);
    await page.screenshot({ path: join(OUT, '3-alarm.png'), fullPage: true });
    await page.click(`${row} button`);
    await page.locator(row).filter({ hasText: 'acknowledged by admin' }).waitFor({ timeout: 15_000 });
    assert.match(await cli(dir.path, 'show system alarms'), /disk-usage/);
    await page.screenshot({ path: join(OUT, '4-acknowledged.png'), fullPage: true });

    // The commit that named the box, with its diff; the one that made a user shows no hash.
    await page.waitForSelector('#commits tr[data-txid="3"]', { timeout: 15_000 });
    const named = await page.$$eval('#commits tbody tr', (rows) => rows.find((r) => r.textContent?.includes('name the box'))?.getAttribute('data-txid'));
    assert.ok(named);
    await page.click(`#commits tr[data-txid="${named}"]`);
    await page.waitForSelector('#diff:not([hidden])');
    const diff = await page.textContent('#diff-body') ?? '';
    assert.match(diff, /\/system\/hostname.*edge-7/);
    assert.match(diff, /vera/);
    assert.doesNotMatch(diff, /\$scrypt/, 'no password hash in a diff');
    await page.screenshot({ path: join(OUT, '5-diff.png'), fullPage: true });

    // Every chart is drawn (uPlot canvases), with the 24 h range too.
    assert.equal(await page.locator('.chart canvas').count(), 5);
    await page.click('#ranges button[data-range="24h"]');
    await page.waitForSelector('#ranges button[data-range="24h"][aria-pressed="true"]');
    const week = page.waitForResponse((r) => r.url().includes('/ui/api/charts?range=7d'));
    await page.click('#ranges button[data-range="7d"]');
    assert.equal((await week).status(), 200);

    await page.click('#logout');
    await page.waitForSelector('body[data-state="login"]');
    assert.match(await page.textContent('#login-error') ?? '', /logged out/);
    const stale = await https(port, '/ui/api/overview', { headers: { cookie: `__Host-appliance-session=${session.value}` } });
    assert.equal(stale.status, 401, 'the session ended at logout');
    await page.screenshot({ path: join(OUT, '6-logged-out.png') });

    assert.deepEqual(errors, [], 'no console errors');
    assert.deepEqual(foreign, [], 'no request leaves the appliance');
    await context.close();
  });

  it('refuses a wrong password', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const { page, errors } = await openPage(context);
    await page.goto(`${base}/`);
    await login(page, 'admin', 'not-the-password');
    await page.locator('#login-error').filter({ hasText: 'Wrong user name or password' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.getAttribute('body', 'data-state'), 'login');
    assert.equal((await context.cookies()).some((c) => c.name === '__Host-appliance-session'), false);
    await page.screenshot({ path: join(OUT, '7-wrong-password.png') });
    assert.ok(errors.every((e) => /401/.test(e)), `only the refused login's 401 is logged: ${errors.join('; ')}`);
    await context.close();
  });

  it('shows a viewer no acknowledge button, refuses one sent by hand, and fits a phone', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const { page, errors } = await openPage(context);
    await page.goto(`${base}/`);
    await login(page, 'vera', VIEWER_PASSWORD);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 45_000 });
    await page.waitForSelector('tr[data-alarm^="disk-usage:"]', { timeout: 15_000 });
    assert.equal(await page.locator('#alarms button').count(), 0, 'no acknowledge button for a viewer');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow} px too wide)`);
    await page.screenshot({ path: join(OUT, '8-phone-viewer.png'), fullPage: true });
    const status = await page.evaluate(async () => {
      const s = await (await fetch('/ui/api/session')).json() as { csrf: string };
      const r = await fetch('/ui/api/alarms/acknowledge', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf }, body: JSON.stringify({ ids: ['disk-usage:x'] }) });
      return r.status;
    });
    assert.equal(status, 403, 'a viewer may not acknowledge');
    assert.ok(errors.every((e) => /403/.test(e)), `only the refused acknowledgement is logged: ${errors.join('; ')}`);
    await context.close();
  });

  it('refuses state-changing requests without the CSRF token, from another origin, or too large', async () => {
    const pre = await https(port, '/ui/api/session');
    const nonce = /__Host-appliance-login=([^;]+)/.exec(String(pre.headers['set-cookie']))![1]!;
    const csrf = (JSON.parse(pre.body) as { csrf: string }).csrf;
    const body = JSON.stringify({ user: 'admin', password: PASSWORD });
    const json = { 'content-type': 'application/json' };
    assert.equal((await https(port, '/ui/login', { method: 'POST', headers: { ...json, cookie: `__Host-appliance-login=${nonce}` }, body })).status, 403, 'no token');
    assert.equal((await https(port, '/ui/login', { method: 'POST', headers: { ...json, 'x-csrf-token': csrf }, body })).status, 403, 'no pre-login cookie');
    const both = { ...json, 'x-csrf-token': csrf, cookie: `__Host-appliance-login=${nonce}` };
    assert.equal((await https(port, '/ui/login', { method: 'POST', headers: { ...both, origin: 'https://evil.example' }, body })).status, 403, 'another origin');
    assert.equal((await https(port, '/ui/login', { method: 'POST', headers: both, body: 'x'.repeat(20_000) })).status, 413, 'too large');
    const ok = await https(port, '/ui/login', { method: 'POST', headers: both, body });
    assert.equal(ok.status, 200);
    const cookie = /(__Host-appliance-session=[^;]+)/.exec(String(ok.headers['set-cookie']))![1]!;
    assert.match(String(ok.headers['set-cookie']), /; Secure; HttpOnly; SameSite=Strict; Path=\//);
    const overview = JSON.parse((await https(port, '/ui/api/overview', { headers: { cookie } })).body) as { alarms: Array<{ id: string }> };
    const ids = JSON.stringify({ ids: overview.alarms.map((a) => a.id) });
    const ack = (headers: Record<string, string>) => https(port, '/ui/api/alarms/acknowledge', { method: 'POST', headers: { ...json, cookie, ...headers }, body: ids });
    assert.equal((await ack({})).status, 403, 'an acknowledgement without the token');
    const session = JSON.parse((await https(port, '/ui/api/session', { headers: { cookie } })).body) as { csrf: string; user: string };
    assert.equal(session.user, 'admin');
    assert.equal((await ack({ 'x-csrf-token': session.csrf })).status, 200);
    assert.equal((await https(port, '/ui/logout', { method: 'POST', headers: { cookie } })).status, 403, 'a logout without the token');
    assert.equal((await https(port, '/ui/api/charts?range=1y', { headers: { cookie } })).status, 400);
    assert.equal((await https(port, '/metrics')).status, 401, 'basic authentication still guards /metrics');
    assert.equal((await https(port, '/nothing')).status, 404, "'/' is the root only, not a prefix of every path");
    assert.equal((await https(port, '/', { method: 'PUT' })).status, 405);
  });

  it('loads the dashboard in at most 300 KB, and measures the time until it is interactive', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    const { page } = await openPage(context);
    await page.goto(`${base}/`);
    await login(page, 'admin', PASSWORD);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 45_000 });
    let bytes = 0;
    const sizes: Array<Promise<void>> = [];
    page.on('requestfinished', (req) => { sizes.push(req.sizes().then((s) => { bytes += s.responseBodySize + s.responseHeadersSize; })); });
    const t0 = Date.now();
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 45_000 });
    const ms = Date.now() - t0;
    await Promise.all(sizes);
    console.log(`# status page first load: ${bytes} bytes, interactive after ${ms} ms`);
    assert.ok(bytes > 10_000 && bytes <= 300 * 1024, `first load ${bytes} bytes`);
    await context.close();
  });

  // Last: it blocks 127.0.0.1 for a while.
  it('counts failed logins of the form and of SSH in one throttle', async () => {
    let status = 0, tries = 0;
    while (tries < 10) {
      const pre = await https(port, '/ui/api/session');
      const nonce = /__Host-appliance-login=([^;]+)/.exec(String(pre.headers['set-cookie']))![1]!;
      const headers = { 'content-type': 'application/json', 'x-csrf-token': (JSON.parse(pre.body) as { csrf: string }).csrf, cookie: `__Host-appliance-login=${nonce}` };
      status = (await https(port, '/ui/login', { method: 'POST', headers, body: JSON.stringify({ user: 'admin', password: `wrong-${tries}` }) })).status;
      tries++;
      if (status !== 401) break;
    }
    assert.equal(status, 429, 'the form is throttled after a few failures');
    assert.ok(tries <= 6, `throttled after ${tries} attempts`);
    const outcome = await new Promise<string>((resolve) => {
      const c = new Client();
      c.on('ready', () => { c.end(); resolve('ready'); });
      c.on('error', (e: Error & { level?: string }) => resolve(e.level ?? e.message));
      c.connect({ host: '127.0.0.1', port: appliance.port, username: 'admin', password: PASSWORD, readyTimeout: 30_000 });
    });
    assert.equal(outcome, 'client-authentication', 'SSH refuses the right password from the throttled source too');
  });
});

describe('the status page during an install awaiting its confirmation', { timeout: 240_000 }, () => {
  it('shows both slots, the one running on trial, and the confirmation deadline', async (t) => {
    const k = await upgradeKit();
    t.after(() => k.remove());
    const bundle = await k.bundle('2.0.0', 2);
    const { dir, app } = await bootFresh(t, k, { schemaVersion: 2, args: ['--http-port', 'any'], env: { APPLIANCE_ADMIN_PASSWORD: PASSWORD } });
    const r = await runCli(['software', 'add', bundle, '--confirm-within', '10', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const job = lastJsonDocument<JobRecord>(r.stdout);
    assert.equal(job.step, 'confirm-wait');
    const ports = [...app.stderr().matchAll(/"httpPort":(\d+)/g)];
    assert.ok(ports.length >= 2, 'the daemon of slot b started with HTTPS');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    t.after(() => browser.close());
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    const { page, errors } = await openPage(context);
    await page.goto(`https://127.0.0.1:${ports.at(-1)![1]}/`);
    await login(page, 'admin', PASSWORD);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 45_000 });
    const b = await page.textContent('#slots [data-slot="b"]') ?? '';
    assert.match(b, /2\.0\.0/);
    assert.match(b, /running/);
    assert.match(await page.textContent('#slots [data-slot="a"]') ?? '', /good/);
    assert.match(await page.textContent('#job') ?? '', /install 2\.0\.0 running \(confirm-wait\) — confirm before/);
    await page.screenshot({ path: join(OUT, '9-awaiting-confirmation.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });
});
