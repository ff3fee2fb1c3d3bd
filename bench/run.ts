/**
 * @module bench/run
 * `npm run bench`: every benchmark of the appliance in one run, as JSON lines on stdout.
 * `--quick` shrinks the workloads for a smoke run (its figures are not baselines).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfd } from './confd.bench.js';
import { benchNotify } from './notify.bench.js';
import { benchUpgrade } from './upgrade.bench.js';
import { benchMonitor } from './monitor.bench.js';
import { benchStatusPage } from './status-page.bench.js';
import { benchRestconf } from './restconf.bench.js';
import { report } from './stats.js';

const quick = process.argv.includes('--quick');
const scratch = mkdtempSync(join(tmpdir(), 'appliance-bench-'));
try {
  report({ bench: 'meta', started: new Date().toISOString(), node: process.version, quick });
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  if (!only || only === 'confd') await benchConfd(scratch, quick);
  if (!only || only === 'notify') await benchNotify(scratch, quick);
  if (!only || only === 'upgrade') await benchUpgrade(scratch, quick);
  if (!only || only === 'monitor') await benchMonitor(scratch, quick);
  if (!only || only === 'status-page') await benchStatusPage(scratch, quick);
  if (!only || only === 'restconf') await benchRestconf(scratch, quick);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
