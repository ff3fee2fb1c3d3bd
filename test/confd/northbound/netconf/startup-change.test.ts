/**
 * RFC 6470 netconf-config-change for the startup datastore, in-process: copy-config running →
 * startup (the fast path and the one from the candidate) and delete-config startup each send
 * one, with datastore startup and who made the change, to subscribers of the NETCONF stream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NETCONF_NOTIFICATIONS_NS, NOTIFICATION_NS } from '../../../../confd/northbound/netconf/capabilities.js';
import { NETCONF_BASE_NS, type XmlElement } from '../../../../confd/northbound/netconf/xml-element.js';
import { kids, openNetconfRig, type NetconfRig } from '../../../helpers/netconf-rig.js';

describe('netconf-config-change of startup (RFC 6470)', () => {
  let rig: NetconfRig;
  before(async () => { rig = await openNetconfRig(2); });
  after(() => rig.close());

  it('copy-config to startup and delete-config startup each notify, naming the session', async () => {
    const nms = await rig.connect();
    assert.equal(kids(await nms.rpc(`<create-subscription xmlns="${NOTIFICATION_NS}"/>`), 'ok', NETCONF_BASE_NS).length, 1);
    const op = await rig.connect();
    assert.ok(op.sessionId > 0);
    for (const rpc of [
      '<copy-config><target><startup/></target><source><running/></source></copy-config>',
      '<copy-config><target><startup/></target><source><candidate/></source></copy-config>',
      '<delete-config><target><startup/></target></delete-config>',
    ]) {
      assert.equal(kids(await op.rpc(rpc), 'ok', NETCONF_BASE_NS).length, 1, rpc);
      // The subscriber also sees op's netconf-session-start: skip other events.
      let change: XmlElement | undefined;
      for (let i = 0; i < 3 && !change; i++) change = kids(await nms.nextNotification(), 'netconf-config-change', NETCONF_NOTIFICATIONS_NS)[0];
      assert.ok(change, rpc);
      assert.equal(kids(change, 'datastore', NETCONF_NOTIFICATIONS_NS)[0]?.text, 'startup');
      const by = kids(change, 'changed-by', NETCONF_NOTIFICATIONS_NS)[0]!;
      assert.equal(kids(by, 'username', NETCONF_NOTIFICATIONS_NS)[0]?.text, 'admin');
      assert.equal(kids(by, 'session-id', NETCONF_NOTIFICATIONS_NS)[0]?.text, String(op.sessionId));
    }
  });
});
