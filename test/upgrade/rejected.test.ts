/**
 * A new version that passes its trial boot, then crash-loops (issue 13, item 3): the boot
 * loader falls back, and `software status` no longer says the install succeeded: it says the
 * version was rejected, why and when, in text and in --json, and the audit log has it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BootLoaderProcess, V1_CONFIG, assertOnGoodSlot, auditShow, exportConfig, importConfig, runCli, softwareStatus, upgradeKit, waitJobEnd,
  type UpgradeKit,
} from '../helpers/upgrade-fixtures.js';

let k: UpgradeKit;
before(async () => { k = await upgradeKit(); });
after(() => k?.remove());

describe('fallback after a crash loop', () => {
  it('software status says the new version was rejected, why and when', { timeout: 150_000 }, async (t) => {
    const bundle = await k.stampedBundle('9.2.0-rejected', 2);
    const dir = k.dataDir();
    const app = BootLoaderProcess.start(dir, { schemaVersion: 1, env: { APPLIANCE_FAULT: 'crash-later-version:9.2.0-rejected,crash-later-ms=8000' } });
    t.after(() => app.kill());
    await app.waitGood('a');
    await importConfig(k, dir, V1_CONFIG);
    const was = await exportConfig(dir);
    const before = Date.now();
    assert.equal((await runCli(['software', 'add', bundle, '--no-follow', '--json'], dir)).code, 0);
    const { job } = await waitJobEnd(dir);
    assert.equal(job?.status, 'watching', 'it passed its trial boot and is on watch');
    const mark = app.mark();
    await app.waitGood('a', mark, 90_000);

    const st = await softwareStatus(dir);
    assertOnGoodSlot(st, 'a', 'bad');
    assert.equal(st.job?.id, job!.id);
    assert.equal(st.job?.status, 'rejected');
    assert.equal(st.job?.code, 'UPG_BOOT_FAILED');
    assert.match(st.job?.reason ?? '', /9\.2\.0-rejected was rejected: .*crashed .* times in a row/);
    const at = Date.parse(st.job?.rejectedAt ?? '');
    assert.ok(at >= before && at <= Date.now(), `rejectedAt ${st.job?.rejectedAt}`);
    assert.deepEqual(await exportConfig(dir), was);

    const text = await runCli(['software', 'status'], dir);
    assert.equal(text.code, 1, 'a rejected install is not a success');
    assert.match(text.stdout, /: rejected at \d{4}-\d\d-\d\dT.* — version 9\.2\.0-rejected was rejected: /);
    assert.doesNotMatch(text.stdout, /succeeded/);
    const audited = (await auditShow(dir)).filter((r) => r.action === 'software-add' && r.detail?.status === 'rejected');
    assert.equal(audited.length, 1, 'the rejection is audited');
    assert.equal(audited[0]!.detail!.reason, st.job?.reason);
  });
});
