/**
 * @module test/confd/schema/yang
 * The YANG export: the committed modules are exactly what the generator writes, every module
 * passes Debian's yanglint with no error or warning, and the configurations of the frozen
 * fixtures, as the NETCONF codec writes them, validate against the modules of their version.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { APP_ROOT, SCHEMAS_DIR } from '../../../confd/main/app-paths.js';
import { configToXml } from '../../../confd/northbound/netconf/config-codec.js';
import type { JsonObject } from '../../../confd/core/tree.js';
import { listSchemaVersions } from '../../../confd/schema/loader.js';
import { generateYang, readYangDir, yangFileName } from '../../../confd/schema/yang-files.js';
import { testSchema } from '../../helpers/device.js';
import { moduleArgs, validateData, versionYangDir, yanglint } from '../../helpers/yanglint.js';

const VERSIONS = listSchemaVersions(SCHEMAS_DIR);
const FIXTURES = join(APP_ROOT, 'test', 'fixtures', 'configs');

function fixtures(version: number): [string, JsonObject][] {
  const dir = join(FIXTURES, `v${version}`);
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as JsonObject]);
}

for (const version of VERSIONS) {
  describe(`YANG modules of schema v${version}`, () => {
    it('are committed exactly as the generator writes them (npm run build)', () => {
      const generated = generateYang(SCHEMAS_DIR, version).map((m) => ({ file: yangFileName(m), text: m.text }));
      const committed = readYangDir(versionYangDir(version)).map((m) => ({ file: yangFileName(m), text: m.text }));
      assert.deepEqual(committed, generated.sort((a, b) => a.file.localeCompare(b.file)));
    });

    it('name one module per namespace, appliance-PART, with the revision of the version', () => {
      const schema = testSchema(version);
      const mods = generateYang(SCHEMAS_DIR, version);
      const names = mods.map((m) => m.name).sort();
      const expected = [...schema.namespaces.values()].map((ns) => ns.replace('urn:appliance:', 'appliance-'));
      assert.deepEqual(names, [...expected, 'appliance-software'].sort());
      assert.equal(new Set(mods.map((m) => m.revision)).size, 1);
    });

    it('pass yanglint with no error or warning', async () => {
      const r = await yanglint(moduleArgs(version));
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
    });

    for (const [name, config] of fixtures(version)) {
      it(`validate the fixture ${name} as configuration data`, async () => {
        const schema = testSchema(version);
        const tree = structuredClone(config);
        assert.ok(schema.root.validate(tree), 'ajv accepts the fixture (with its defaults filled in)');
        const r = await validateData(version, configToXml(schema, tree), 'config');
        assert.equal(r.stderr, '');
        assert.equal(r.code, 0);
      });
    }
  });
}

describe('YANG revisions', () => {
  it('differ between versions, and each version lists the earlier ones', () => {
    const revs = VERSIONS.map((v) => generateYang(SCHEMAS_DIR, v)[0]!.revision);
    assert.equal(new Set(revs).size, revs.length);
    const newest = generateYang(SCHEMAS_DIR, VERSIONS[VERSIONS.length - 1]!)[0]!.text;
    for (const r of revs) assert.match(newest, new RegExp(`revision ${r} \\{`));
  });
});
