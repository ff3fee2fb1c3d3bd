/**
 * @module test/confd/northbound/netconf/replay
 * RFC 5277 replay on the NETCONF stream, in-process: an NMS that was offline subscribes with
 * startTime (and stopTime) and receives the netconf-config-change of every commit it missed,
 * from the commit history, then <replayComplete/>; /netconf/streams says replay is supported.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { NETCONF_NOTIFICATIONS_NS, NOTIFICATION_NS } from '../../../../confd/northbound/netconf/capabilities.js';
import { NETMOD_NOTIFICATION_NS } from '../../../../confd/northbound/netconf/replay.js';
import { NETCONF_BASE_NS, type XmlElement } from '../../../../confd/northbound/netconf/xml-element.js';
import type { NetconfClient } from '../../../helpers/netconf-client.js';
import { kids, openNetconfRig, replyData, replyErrors, type NetconfRig } from '../../../helpers/netconf-rig.js';

const IF_NS = 'urn:appliance:interfaces';

async function commitInterface(c: NetconfClient, name: string): Promise<void> {
  const edit = await c.rpc(`<edit-config><target><candidate/></target><config><interfaces xmlns="${IF_NS}"><interface><name>${name}</name></interface></interfaces></config></edit-config>`);
  assert.equal(kids(edit, 'ok', NETCONF_BASE_NS).length, 1);
  assert.equal(kids(await c.rpc('<commit/>'), 'ok', NETCONF_BASE_NS).length, 1);
}

/** What a notification is: the changed interface of a config change, or the name of its event. */
function what(n: XmlElement): string {
  const event = n.children.find((c) => c.name !== 'eventTime')!;
  if (event.name !== 'netconf-config-change') return event.name;
  const target = kids(kids(event, 'edit', NETCONF_NOTIFICATIONS_NS)[0]!, 'target', NETCONF_NOTIFICATIONS_NS)[0]!.text;
  return /name='([^']+)'/.exec(target)?.[1] ?? target;
}

function subscribe(start: string, stop?: string): string {
  return `<create-subscription xmlns="${NOTIFICATION_NS}"><startTime>${start}</startTime>${stop ? `<stopTime>${stop}</stopTime>` : ''}</create-subscription>`;
}

describe('notification replay (RFC 5277 §2.1.1, §3.4)', () => {
  let rig: NetconfRig;
  let afterFirst = '';
  let afterThird = '';
  before(async () => {
    rig = await openNetconfRig(2);
    const c = await rig.connect();
    await commitInterface(c, 'r1');
    await sleep(5);
    afterFirst = new Date().toISOString();
    await sleep(5);
    await commitInterface(c, 'r2');
    await commitInterface(c, 'r3');
    await sleep(5);
    afterThird = new Date().toISOString();
  });
  after(() => rig.close());

  it('startTime replays every commit since, then replayComplete, then live changes', async () => {
    const nms = await rig.connect();
    assert.equal(kids(await nms.rpc(subscribe(afterFirst)), 'ok', NETCONF_BASE_NS).length, 1);
    const seen = [what(await nms.nextNotification()), what(await nms.nextNotification()), what(await nms.nextNotification())];
    assert.deepEqual(seen, ['r2', 'r3', 'replayComplete']);
    const other = await rig.connect();
    await commitInterface(other, 'r4');
    // The other session's start came live before its commit.
    assert.deepEqual([what(await nms.nextNotification()), what(await nms.nextNotification())], ['netconf-session-start', 'r4']);
  });

  it('with a stopTime in the past: the replay, replayComplete, notificationComplete and nothing live', async () => {
    const nms = await rig.connect();
    assert.equal(kids(await nms.rpc(subscribe(afterFirst, afterThird)), 'ok', NETCONF_BASE_NS).length, 1);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push(what(await nms.nextNotification()));
    assert.deepEqual(seen, ['r2', 'r3', 'replayComplete', 'notificationComplete']);
    await commitInterface(await rig.connect(), 'r5');
    await assert.rejects(nms.nextNotification(300), 'no live notification after stopTime');
  });

  it('a startTime in the future, a stopTime without startTime or before it are refused', async () => {
    const nms = await rig.connect();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const cases: [string, string, string][] = [
      [subscribe(future), 'bad-element', 'startTime'],
      [`<create-subscription xmlns="${NOTIFICATION_NS}"><stopTime>${afterThird}</stopTime></create-subscription>`, 'missing-element', 'startTime'],
      [subscribe(afterThird, afterFirst), 'bad-element', 'stopTime'],
      [subscribe('yesterday'), 'bad-element', 'startTime'],
    ];
    for (const [rpc, tag, element] of cases) {
      assert.deepEqual(replyErrors(await nms.rpc(rpc)).map((e) => [e.tag, e.info['bad-element']]), [[tag, element]], rpc);
    }
  });

  it('/netconf/streams lists the NETCONF stream with replay support since the oldest kept commit', async () => {
    const c = await rig.connect();
    const data = replyData(await c.rpc(`<get><filter type="subtree"><netconf xmlns="${NETMOD_NOTIFICATION_NS}"/></filter></get>`));
    const stream = kids(kids(kids(data, 'netconf', NETMOD_NOTIFICATION_NS)[0]!, 'streams', NETMOD_NOTIFICATION_NS)[0]!, 'stream', NETMOD_NOTIFICATION_NS)[0]!;
    const leaf = (n: string): string => kids(stream, n, NETMOD_NOTIFICATION_NS)[0]!.text;
    assert.equal(leaf('name'), 'NETCONF');
    assert.equal(leaf('replaySupport'), 'true');
    assert.ok(Date.parse(leaf('replayLogCreationTime')) <= Date.parse(afterFirst));
  });
});
