/**
 * The status page's own files (web/): its scripts type-check with the DOM's types
 * (web/tsconfig.json, checkJs), and its HTML holds no inline script, event handler attribute
 * or style attribute (the Content-Security-Policy would refuse them) and no absolute URL; a
 * build without them still starts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import type { IncomingMessage } from 'node:http';
import { BasicAuth } from '../../../../confd/northbound/http/auth.js';
import { StatusPage } from '../../../../confd/northbound/web/routes.js';
import { Operations } from '../../../../confd/rpc/operations.js';
import { openTestDevice, quietLogger, tempDir } from '../../../helpers/device.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const TSC = `${ROOT}node_modules/typescript/bin/tsc`;

describe("the status page's files", () => {
  it('type-check under web/tsconfig.json', { timeout: 120_000 }, async () => {
    const r = await promisify(execFile)(process.execPath, [TSC, '-p', `${ROOT}web/tsconfig.json`]).then(
      () => ({ code: 0, out: '' }), (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }));
    assert.equal(r.code, 0, r.out);
  });

  it('hold no inline script, handler or style, and no absolute URL', () => {
    const html = readFileSync(`${ROOT}web/index.html`, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 2);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs!, /\ssrc="\/ui\/[a-z]+\.js"/);
      assert.equal(body!.trim(), '');
    }
    assert.doesNotMatch(html, /\son[a-z]+=|\sstyle=|<style\b/i);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i);
    for (const file of ['app.js', 'charts.js']) assert.doesNotMatch(readFileSync(`${ROOT}web/${file}`, 'utf8'), /https?:\/\/|innerHTML|eval\(|new Function/);
  });

  it('a build without them still starts, and the page answers 404', async () => {
    const device = await openTestDevice();
    const empty = tempDir();
    const page = new StatusPage({
      ops: new Operations(device.engine, quietLogger), host: { daemons: () => [], sshPort: () => 0, sshListen: () => [] },
      auth: new BasicAuth(device.engine), webRoot: empty.path, log: quietLogger,
    });
    try {
      const root = page.routes().find((r) => r.path === '/' && r.method === 'GET')!;
      const r = await root.handle({ method: 'GET', path: '/', query: new URLSearchParams(), principal: { user: '', address: '127.0.0.1:1' }, raw: { headers: {} } as IncomingMessage });
      assert.equal(r.status, 404);
    } finally {
      await page.close();
      device.close();
      empty.remove();
    }
  });
});
