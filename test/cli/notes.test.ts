/**
 * deactivate/activate and annotate on the real engine (schema v2): an inactive part stays in
 * the configuration but out of effect — validation and running's view of its place do not see
 * it — and `show` marks it `inactive:`; annotations show as comments; both survive commits.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { JsonObject } from '../../confd/api/index.js';
import { openSession, realBackend, type TestSession } from './fixtures.js';

describe('deactivate, activate, annotate', () => {
  let real: Awaited<ReturnType<typeof realBackend>>;
  let t: TestSession;
  const running = () => real.device.engine.getConfig('running') as JsonObject;
  const rules = () => (((running().firewall as JsonObject | undefined)?.rule ?? []) as JsonObject[]).map((r) => r.sequence);

  beforeEach(async () => {
    real = await realBackend({ schemaVersion: 2 });
    t = await openSession(real.backend);
    await t.run('configure');
    for (const line of [
      'set interfaces interface eth1 description uplink',
      'set firewall rule 10 action accept', 'set firewall rule 20 action drop', 'set firewall rule 20 interface eth1', 'commit',
    ]) assert.equal(await t.run(line), 0, `${line}: ${t.err.text}`);
    t.out.take();
  });

  afterEach(async () => { await real.close(); });

  test('a deactivated rule is kept, shown inactive, out of running; activate puts it back', async () => {
    assert.equal(await t.run('deactivate firewall rule 20'), 0, t.err.text);
    assert.equal(await t.run('commit'), 0, t.err.text);
    assert.deepEqual(rules(), [10], 'daemons and NETCONF see no rule 20 at its place');
    t.out.take();
    assert.equal(await t.run('show firewall'), 0, t.err.text);
    const text = t.out.take();
    assert.match(text, /^inactive: rule 20 \{\n {4}action drop;\n(.*\n)* {4}interface eth1;/m);
    assert.match(text, /^rule 10 \{/m);
    assert.doesNotMatch(text, /cli/);
    assert.equal(await t.run('show firewall | display set'), 0);
    assert.match(t.out.take(), /^set firewall rule 20 action drop\n(.*\n)*deactivate firewall rule 20\n$/m);
    assert.equal(await t.run('deactivate firewall rule 20'), 1);
    assert.match(t.err.take(), /already inactive/);
    assert.equal(await t.run('activate firewall rule 20'), 0, t.err.text);
    assert.equal(await t.run('commit'), 0, t.err.text);
    assert.deepEqual(rules(), [10, 20]);
    assert.equal(((running().firewall as JsonObject).rule as JsonObject[])[1]!.interface, 'eth1');
    assert.equal(await t.run('activate firewall rule 20'), 1);
    assert.match(t.err.take(), /is not inactive/);
  });

  test('validation ignores an inactive part: deactivating the referrer lets a referred entry go', async () => {
    assert.equal(await t.run('delete interfaces interface eth1'), 0);
    assert.equal(await t.run('commit check'), 1, 'rule 20 still refers to eth1');
    t.err.take();
    assert.equal(await t.run('deactivate firewall rule 20'), 0, t.err.text);
    assert.equal(await t.run('commit'), 0, t.err.text);
    // Putting it back is checked like any edit: the reference is missing now.
    assert.equal(await t.run('activate firewall rule 20'), 0, t.err.text);
    assert.equal(await t.run('commit'), 1);
    assert.match(t.err.take(), /eth1/);
  });

  test('annotate keeps a comment shown above the node; "" removes it', async () => {
    assert.equal(await t.run('annotate firewall rule 10 "lets the monitoring in"'), 0, t.err.text);
    await t.run('edit interfaces');
    assert.equal(await t.run('annotate interface eth1 description "ticket 42"'), 0, t.err.text);
    await t.run('top');
    assert.equal(await t.run('commit'), 0, t.err.text);
    t.out.take();
    await t.run('show firewall');
    assert.match(t.out.take(), /^\/\* lets the monitoring in \*\/\nrule 10 \{/m);
    await t.run('show interfaces');
    assert.match(t.out.take(), /^ {4}\/\* ticket 42 \*\/\n {4}description uplink;/m);
    assert.equal(await t.run('annotate firewall rule 10 ""'), 0, t.err.text);
    t.out.take();
    await t.run('show firewall');
    assert.doesNotMatch(t.out.take(), /monitoring/);
  });
});
