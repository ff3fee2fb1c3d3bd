/**
 * Schema v2 rules JSON Schema alone does not say: a static route's prefix is a network (no host
 * bits past its length), and a firewall rule's port only goes with a protocol that has ports.
 * Each refusal names the entry; nothing is committed.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { v1ToV2 } from '../../../transforms/v1-to-v2.js';
import type { ConfigEngine } from '../../../confd/txn/engine.js';
import type { Session } from '../../../confd/txn/session.js';
import { openTestDevice, testSchema, type TestDevice } from '../../helpers/device.js';
import { commitEdit, interfaces, openSession, rejectsWith, routePath, rulePath, snapshot } from '../../helpers/engine-fixtures.js';

let device: TestDevice;
let engine: ConfigEngine;
let s: Session;

beforeEach(async () => {
  device = await openTestDevice({ schema: testSchema(2) });
  engine = device.engine;
  s = openSession(engine, 'alice', 'netconf');
  await commitEdit(engine, s, interfaces({ name: 'eth0' }));
});

afterEach(() => device.close());

describe('schema v2 entry rules', () => {
  it('a route prefix with host bits set is refused, naming the route and the network meant', async () => {
    const before = snapshot(engine, 'running');
    const issue = await rejectsWith(commitEdit(engine, s, { routing: { static: { route: [{ prefix: '10.30.0.1/16', interface: 'eth0' }] } } }),
      'SCHEMA_INVALID_VALUE', routePath('10.30.0.1/16', 'prefix'));
    assert.match(issue.message, /'10\.30\.0\.1\/16' has host bits set: the network is 10\.30\.0\.0\/16/);
    assert.deepEqual(snapshot(engine, 'running'), before);
    await commitEdit(engine, s, { routing: { static: { route: [{ prefix: '10.30.0.0/16', interface: 'eth0' }] } } });
    await commitEdit(engine, s, { routing: { static: { route: [{ prefix: '0.0.0.0/0', interface: 'eth0' }, { prefix: '10.1.2.3/32', interface: 'eth0' }] } } });
  });

  it('a port on an icmp rule is refused, naming the rule; on tcp, udp or any it is taken', async () => {
    const issue = await rejectsWith(commitEdit(engine, s, { firewall: { rule: [{ sequence: 10, action: 'accept', protocol: 'icmp', port: 22 }] } }),
      'SCHEMA_INVALID_VALUE', rulePath(10, 'port'));
    assert.match(issue.message, /port applies only when protocol is any, tcp or udp, not icmp/);
    await commitEdit(engine, s, { firewall: { rule: [{ sequence: 10, action: 'accept', protocol: 'tcp', port: 22 }] } });
    await rejectsWith(commitEdit(engine, s, { firewall: { rule: [{ sequence: 10, protocol: 'icmp' }] } }), 'SCHEMA_INVALID_VALUE', rulePath(10, 'port'));
    await commitEdit(engine, s, { firewall: { rule: [{ sequence: 11, action: 'accept', protocol: 'udp', port: 53 }, { sequence: 12, action: 'drop', port: 25 }] } });
  });

  it('a version 1 configuration that breaks them is refused on upgrade, naming the entry, and nothing changes', async () => {
    const before = snapshot(engine, 'running');
    const v1 = {
      interfaces: { interface: [{ name: 'eth0' }] },
      routing: { static: { route: [{ prefix: '10.30.0.1/16', interface: 'eth0' }] } },
      firewall: { rule: [{ sequence: 5, action: 'drop', protocol: 'icmp', port: 7 }] },
    };
    const e = await rejectsWith(engine.load(engine.systemSession, v1ToV2.up(v1), { merge: false, source: 'test' }), 'TXN_VALIDATION_FAILED');
    assert.deepEqual(e.flatten().map((i) => i.path).sort(), [rulePath(5, 'port'), routePath('10.30.0.1/16', 'prefix')].sort());
    assert.deepEqual(snapshot(engine, 'running'), before);
  });
});
