/**
 * Item: the audit trail goes off the box. A real appliance configured with a TCP collector
 * (/system/syslog/remote) sends every audit record to a real TCP syslog receiver of the test
 * as RFC 5424 in RFC 6587 octet-counting frames; with the collector down commits go on, the
 * records wait in the bounded queue and arrive once it is back.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { SyslogReceiver, type SyslogMessage } from '../helpers/syslog-receiver.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PASSWORD } from './ssh-netconf.js';

const dir = tempDir('appliance-sec-syslog-');
const D = ['--data-dir', dir.path];
const receiver = new SyslogReceiver();
let app: RunningAppliance;
let imports = 0;

interface Record { seq: number; time: string; user: string; action: string; target: string; result: string; hash: string }

async function ok(args: readonly string[]): Promise<string> {
  const r = await runAppliance([...args, ...D]);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** One commit (config import --merge); returns how long the tool took. */
async function commit(config: object): Promise<number> {
  const file = join(dir.path, `import-${++imports}.json`);
  writeFileSync(file, JSON.stringify(config));
  const t0 = Date.now();
  await ok(['config', 'import', '--merge', file]);
  return Date.now() - t0;
}

/** The import records, newest first. */
async function importRecords(): Promise<Record[]> {
  return (JSON.parse(await ok(['audit', 'show', '--action', 'import', '--json'])) as Record[]).reverse();
}

const seqOf = (m: SyslogMessage) => Number(m.sd['audit@32473']?.seq);

before(async () => {
  await receiver.listen(0);
  app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: PASSWORD });
  await commit({ system: { hostname: 'edge-audit-1', syslog: { remote: [{ host: '127.0.0.1', port: receiver.port, protocol: 'tcp' }] } } });
});
after(async () => {
  await app.stop();
  await receiver.close();
  dir.remove();
});

test('each audit record arrives as an RFC 5424 message in an octet-counted frame', async () => {
  await commit({ interfaces: { interface: [{ name: 'eth0', description: 'uplink "a" [b] \\c' }] } });
  const [record] = await importRecords();
  assert.ok(record);
  await receiver.waitFor((ms) => ms.some((m) => seqOf(m) === record.seq), 20_000, `the record ${record.seq}`);
  const m = receiver.messages.find((x) => seqOf(x) === record.seq)!;
  assert.equal(m.pri, 13 * 8 + 5, 'facility log audit (13), severity notice (5)');
  assert.equal(m.version, 1);
  assert.equal(m.timestamp, record.time);
  assert.ok(Math.abs(Date.parse(m.timestamp) - Date.now()) < 120_000, `timestamp ${m.timestamp}`);
  assert.match(m.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  assert.equal(m.hostname, 'edge-audit-1');
  assert.equal(m.appName, 'appliance');
  assert.match(m.procid, /^\d+$/);
  assert.equal(m.msgid, 'import');
  const sd = m.sd['audit@32473']!;
  assert.equal(sd.user, record.user);
  assert.equal(sd.action, 'import');
  assert.equal(sd.target, record.target);
  assert.equal(sd.result, 'ok');
  assert.equal(sd.hash, record.hash, 'the chain hash goes with the record');
  assert.ok(m.msg.startsWith('\uFEFF'), 'the message is UTF-8 with a BOM');
  assert.match(m.msg, /import running: ok/);
  // Every record after the collector was configured arrived, in order, without a gap.
  const seqs = receiver.messages.map(seqOf);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1]! + 1, `record ${seqs[i - 1]! + 1} did not arrive`);
});

test('with the collector down commits go on; the queued records arrive once it is back', async () => {
  const port = receiver.port;
  await receiver.close();
  const before = receiver.messages.length;
  const took: number[] = [];
  for (let i = 0; i < 3; i++) took.push(await commit({ interfaces: { interface: [{ name: 'eth0', description: `while down ${i}` }] } }));
  // A commit does not wait for the collector (generous bound: the tool itself starts a Node process).
  for (const ms of took) assert.ok(ms < 15_000, `a commit took ${ms} ms with the collector down`);
  const down = (await importRecords()).slice(0, 3).map((r) => r.seq);
  assert.equal(receiver.messages.length, before, 'nothing arrives while the collector is down');
  await receiver.listen(port);
  await receiver.waitFor((ms) => down.every((s) => ms.some((m) => seqOf(m) === s)), 40_000, `records ${down.join(', ')} after the collector came back`);
  assert.ok(!receiver.messages.some((m) => m.msgid === 'audit-loss'), 'the queue held them all: no loss');
});
