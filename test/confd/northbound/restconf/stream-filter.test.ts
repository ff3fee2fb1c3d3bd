/**
 * The `filter` of a RESTCONF event stream (RFC 8040 §4.8.4), pure: an XPath expression over the
 * notification's content selects which notifications are sent; module names work as prefixes,
 * unprefixed names match any module; a malformed or non-node-set expression is refused at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfdError } from '../../../../confd/core/errors.js';
import type { JsonObject } from '../../../../confd/core/tree.js';
import { eventFilter } from '../../../../confd/northbound/restconf/stream-filter.js';
import { testSchema } from '../../../helpers/device.js';

const schema = testSchema(2);
const change = (target: string, operation: string): JsonObject => ({ 'ietf-restconf:notification': {
  eventTime: '2026-12-04T10:00:00Z',
  'ietf-netconf-notifications:netconf-config-change': { 'changed-by': { username: 'admin' }, datastore: 'running', edit: [{ target, operation }] },
} });
const alarm: JsonObject = { 'ietf-restconf:notification': { eventTime: '2026-12-04T10:00:00Z',
  'appliance-system:alarm-notification': { resource: 'eth7', 'alarm-type-id': 'disk-usage', 'perceived-severity': 'major' } } };
const eth7 = change("/appliance-interfaces:interfaces/interface[name='eth7']", 'create');
const eth8 = change("/appliance-interfaces:interfaces/interface[name='eth8']/mtu", 'replace');

test('selects notifications by their content, with module prefixes or none', () => {
  const creates = eventFilter(schema, "/netconf-config-change/edit[operation='create']");
  assert.deepEqual([eth7, eth8, alarm].map(creates), [true, false, false]);
  const prefixed = eventFilter(schema, "/ietf-netconf-notifications:netconf-config-change/ietf-netconf-notifications:edit/ietf-netconf-notifications:target[contains(., 'eth8')]");
  assert.deepEqual([eth7, eth8, alarm].map(prefixed), [false, true, false]);
  const alarms = eventFilter(schema, "/alarm-notification[perceived-severity='major' or perceived-severity='critical']");
  assert.deepEqual([eth7, eth8, alarm].map(alarms), [false, false, true]);
});

test('a malformed, too long or non-node-set filter is refused at subscription', () => {
  for (const bad of ['/netconf-config-change[', "count(/netconf-config-change) > 0", 'x'.repeat(5000)]) {
    assert.throws(() => eventFilter(schema, bad), (e: unknown) => e instanceof ConfdError && e.code === 'RC_BAD_QUERY', bad.slice(0, 40));
  }
});

test('an expression past the per-notification budget of visits is stopped, quickly', () => {
  // Nested counts of every node: polynomial in the notification's size, past 50,000 visits at five levels.
  let deep = '//*';
  for (let i = 0; i < 5; i++) deep = `//*[count(${deep}) > 0]`;
  const f = eventFilter(schema, deep);
  const t0 = Date.now();
  assert.throws(() => f(eth7), (e: unknown) => e instanceof ConfdError && e.code === 'RC_BAD_QUERY' && /visits more than 50000/.test(e.message));
  assert.ok(Date.now() - t0 < 2000, `stopped after ${Date.now() - t0} ms`);
});
