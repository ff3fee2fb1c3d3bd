/**
 * @module bench/run
 * `npm run bench`: every benchmark of the appliance in one run, as JSON lines on stdout.
 * `--quick` shrinks the workloads for a smoke run (its figures are not baselines).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfd } from './confd.bench.js';
import { report } from './stats.js';

const quick = process.argv.includes('--quick');
const scratch = mkdtempSync(join(tmpdir(), 'appliance-bench-'));
try {
  report({ bench: 'meta', started: new Date().toISOString(), node: process.version, quick });
  await benchConfd(scratch, quick);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
