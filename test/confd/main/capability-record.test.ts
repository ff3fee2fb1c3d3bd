/**
 * The record of advertised NETCONF capabilities (confd/main/capability-record) and the RFC 6470
 * netconf-capability-change it yields: nothing on a first start or an unchanged restart; a
 * change with added, deleted and modified capabilities (by URI without parameters) after a
 * switch; a bounded history; an unreadable record replaced, not fatal.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KEPT_CAPABILITY_CHANGES, recordCapabilities } from '../../../confd/main/capability-record.js';
import { capabilityChangeXml, diffCapabilities } from '../../../confd/northbound/netconf/capability-change.js';
import { quietLogger, tempDir } from '../../helpers/device.js';

const V1 = ['urn:ietf:params:netconf:base:1.1', 'urn:appliance:interfaces?module=appliance-interfaces&revision=2024-01-01', 'urn:x:gone:1.0'];
const V2 = ['urn:ietf:params:netconf:base:1.1', 'urn:appliance:interfaces?module=appliance-interfaces&revision=2025-06-01', 'urn:appliance:software?module=appliance-software&revision=2025-06-01'];

describe('capability changes', () => {
  it('compares by URI without parameters: added, deleted, modified; none for the same set in another order', () => {
    assert.deepEqual(diffCapabilities(V1, V2, '2030-01-01T00:00:00.000Z'), {
      time: '2030-01-01T00:00:00.000Z',
      added: ['urn:appliance:software?module=appliance-software&revision=2025-06-01'],
      deleted: ['urn:x:gone:1.0'],
      modified: ['urn:appliance:interfaces?module=appliance-interfaces&revision=2025-06-01'],
    });
    assert.equal(diffCapabilities(V1, [...V1].reverse(), 'x'), null);
  });

  it('the notification names the server as changed-by and lists each capability', () => {
    const xml = capabilityChangeXml(diffCapabilities(V1, V2, '2030-01-01T00:00:00.000Z')!);
    assert.match(xml, /<eventTime>2030-01-01T00:00:00.000Z<\/eventTime><netconf-capability-change xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-notifications"><changed-by><server\/><\/changed-by>/);
    assert.match(xml, /<added-capability>urn:appliance:software\?module=appliance-software&amp;revision=2025-06-01<\/added-capability>/);
    assert.match(xml, /<deleted-capability>urn:x:gone:1.0<\/deleted-capability><modified-capability>/);
  });

  it('a first start and an unchanged restart record no change; a switch records one, kept across starts', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'netconf-capabilities.json');
      assert.deepEqual(recordCapabilities(file, V1, new Date(1000), quietLogger), { changes: [], added: null });
      assert.deepEqual(recordCapabilities(file, V1, new Date(2000), quietLogger), { changes: [], added: null });
      const switched = recordCapabilities(file, V2, new Date(3000), quietLogger);
      assert.equal(switched.added?.time, new Date(3000).toISOString());
      assert.deepEqual(switched.changes, [switched.added]);
      const again = recordCapabilities(file, V2, new Date(4000), quietLogger);
      assert.deepEqual(again, { changes: [switched.added], added: null });
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).capabilities, V2);
    } finally {
      dir.remove();
    }
  });

  it(`keeps the last ${KEPT_CAPABILITY_CHANGES} changes`, () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'netconf-capabilities.json');
      let last;
      for (let i = 0; i <= KEPT_CAPABILITY_CHANGES + 5; i++) last = recordCapabilities(file, i % 2 ? V2 : V1, new Date(i * 1000), quietLogger);
      assert.equal(last!.changes.length, KEPT_CAPABILITY_CHANGES);
      assert.equal(last!.changes.at(-1), last!.added);
      assert.equal(last!.changes[0]!.time, new Date(6000).toISOString());
    } finally {
      dir.remove();
    }
  });

  it('an unreadable record is replaced with the current capabilities, with no change reported', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'netconf-capabilities.json');
      for (const junk of ['{not json', '{"capabilities": 7, "changes": []}']) {
        writeFileSync(file, junk);
        assert.deepEqual(recordCapabilities(file, V2, new Date(1000), quietLogger), { changes: [], added: null });
        assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { capabilities: V2, changes: [] });
      }
    } finally {
      dir.remove();
    }
  });
});
