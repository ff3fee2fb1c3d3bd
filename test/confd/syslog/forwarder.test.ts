/**
 * The syslog forwarder against a real TCP receiver on loopback: the bounded queue drops the
 * oldest records while the collector is down, counts them and announces the loss when it is
 * back; the collector shows as unreachable meanwhile. And the RFC 5424 form of a record with
 * characters structured data must escape.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import pino from 'pino';
import type { AuditRecord } from '../../../confd/store/audit-chain.js';
import { SyslogForwarder } from '../../../confd/syslog/forwarder.js';
import { formatAuditMessage, frameOctetCounted } from '../../../confd/syslog/rfc5424.js';
import { SyslogReceiver, parseSyslog } from '../../helpers/syslog-receiver.js';

const record = (seq: number, over: Partial<AuditRecord> = {}): AuditRecord => ({
  seq, time: new Date().toISOString(), user: 'admin', source: 'netconf', address: '127.0.0.1:5000', session: 3,
  action: 'edit', target: 'candidate', result: 'ok', prev: '0'.repeat(64), hash: 'a'.repeat(64), ...over,
});

test('a record with quotes, backslashes, brackets and a space in its action round-trips through RFC 5424', () => {
  const r = record(7, { user: 'ev"il]\\', action: 'odd action', result: 'denied', detail: { why: 'x' } });
  const m = parseSyslog(formatAuditMessage(r, { hostname: 'host with space', procid: 42 }));
  assert.equal(m.pri, 13 * 8 + 4);
  assert.equal(m.hostname, 'host_with_space');
  assert.equal(m.msgid, 'odd_action');
  assert.equal(m.sd['audit@32473']!.user, 'ev"il]\\');
  assert.equal(m.sd['audit@32473']!.action, 'odd action');
  const frame = frameOctetCounted('<109>1 - - - - - - é');
  assert.equal(frame.toString('utf8'), `${Buffer.byteLength('<109>1 - - - - - - é')} <109>1 - - - - - - é`);
});

test('collector down: the queue keeps the newest records, drops the oldest and reports the loss once back', async () => {
  const receiver = new SyslogReceiver();
  const port = await receiver.listen(0);
  await receiver.close();
  const f = new SyslogForwarder({
    log: pino({ level: 'silent' }), context: () => ({ hostname: 'h', procid: 1 }), queueLimit: 5, retryMinMs: 50, retryMaxMs: 200,
  });
  try {
    f.configure([{ host: '127.0.0.1', port, protocol: 'tcp', severity: 'info' }]);
    const t0 = process.hrtime.bigint();
    for (let seq = 1; seq <= 20; seq++) f.send([record(seq)]);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(ms < 1000, `sending 20 records with the collector down took ${ms} ms`);
    const deadline = Date.now() + 10_000;
    while (f.unreachable().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(f.unreachable(), [`127.0.0.1:${port}`]);
    assert.deepEqual(f.stats().map((s) => [s.queued, s.dropped]), [[5, 15]]);
    await receiver.listen(port);
    await receiver.waitFor((m) => m.length >= 6, 10_000, 'the loss notice and 5 records');
    assert.equal(receiver.messages[0]!.msgid, 'audit-loss');
    assert.equal(receiver.messages[0]!.sd['audit@32473']!.dropped, '15');
    assert.deepEqual(receiver.messages.slice(1).map((m) => Number(m.sd['audit@32473']!.seq)), [16, 17, 18, 19, 20]);
    assert.deepEqual(f.unreachable(), []);
  } finally {
    f.close();
    await receiver.close();
  }
});

test('a UDP collector (the schema default) gets one RFC 5424 datagram per record, below its severity threshold only', async () => {
  const sock = createSocket('udp4');
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString('utf8')));
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  const f = new SyslogForwarder({ log: pino({ level: 'silent' }), context: () => ({ hostname: 'h', procid: 1 }) });
  try {
    f.configure([{ host: '127.0.0.1', port: sock.address().port, protocol: 'udp', severity: 'warning' }]);
    f.send([record(1), record(2, { result: 'denied' }), record(3, { result: 'error' })]);
    const deadline = Date.now() + 5000;
    while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(got.map((m) => Number(parseSyslog(m).sd['audit@32473']!.seq)).sort(), [2, 3], 'the notice (ok) is below "warning"');
  } finally {
    f.close();
    sock.close();
  }
});
