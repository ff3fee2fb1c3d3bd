/**
 * docs/restconf.md runs as written: every ```sh block, in order, against a fresh appliance
 * (admin password `secret`; only the port differs from the page's 8443), each exiting 0, and
 * its output equal to the ```json (parsed) or ```text block that follows it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APP_ROOT } from '../../confd/main/app-paths.js';
import { Daemon } from '../../confd/main/daemon.js';
import { quietLogger, tempDir } from '../helpers/device.js';

interface Example { readonly script: string; readonly expected?: { readonly kind: string; readonly text: string } }

/** The sh blocks of a Markdown page, each with the output block right after it. */
function examples(markdown: string): Example[] {
  const blocks = [...markdown.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ kind: m[1]!, text: m[2]! }));
  const out: Example[] = [];
  blocks.forEach((b, i) => {
    if (b.kind !== 'sh') return;
    const next = blocks[i + 1];
    out.push({ script: b.text, ...(next && next.kind !== 'sh' ? { expected: next } : {}) });
  });
  return out;
}

const dir = tempDir('appliance-restconf-docs-');
let daemon: Daemon;
before(async () => {
  daemon = await Daemon.start({
    dataDir: join(dir.path, 'data'), logger: quietLogger, listen: ['127.0.0.1'], port: 0, httpPort: 0, env: { APPLIANCE_ADMIN_PASSWORD: 'secret' },
  });
});
after(async () => { await daemon.stop(); dir.remove(); });

test('the curl examples of docs/restconf.md run as written and print what the page shows', async () => {
  const page = readFileSync(join(APP_ROOT, 'docs', 'restconf.md'), 'utf8');
  const list = examples(page);
  assert.ok(list.length >= 10, `${list.length} examples`);
  for (const ex of list) {
    const script = ex.script.replaceAll('https://127.0.0.1:8443', `https://127.0.0.1:${daemon.httpPort}`);
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', ['-eo', 'pipefail', '-c', script], { timeout: 30_000 }, (err, so, se) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout: so, stderr: se }));
    });
    assert.equal(code, 0, `${ex.script}\n${stderr}${stdout}`);
    if (!ex.expected) continue;
    if (ex.expected.kind === 'json') assert.deepEqual(JSON.parse(stdout), JSON.parse(ex.expected.text), ex.script);
    else assert.equal(stdout.trimEnd(), ex.expected.text.trimEnd(), ex.script);
  }
});
