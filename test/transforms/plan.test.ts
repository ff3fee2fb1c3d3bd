/**
 * The planner: which steps carry configuration between two schema versions, in what order,
 * and migrate() applying them (losses only going down). Uses the build's registry and a
 * made-up chain of recording steps for chains longer than one step.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfdError, type JsonObject } from '../../confd/api/index.js';
import { APP_ROOT, SCHEMAS_DIR } from '../../confd/main/app-paths.js';
import { listSchemaVersions } from '../../confd/schema/loader.js';
import { TRANSFORM_STEPS, migrate, planSteps, v1ToV2, type TransformStep } from '../../transforms/index.js';

function fixture(version: number, name: string): JsonObject {
  return JSON.parse(readFileSync(join(APP_ROOT, 'test', 'fixtures', 'configs', `v${version}`, name), 'utf8')) as JsonObject;
}

function rejectsVersion(f: () => unknown, message: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ConfdError);
    assert.equal(e.code, 'SCHEMA_VERSION_UNKNOWN');
    assert.match(e.message, message);
    return true;
  });
}

describe('planSteps with this build\'s transforms', () => {
  it('1 → 2 is the one step, applied up', () => {
    assert.deepEqual(planSteps(1, 2), [v1ToV2]);
  });

  it('2 → 1 is the same step, applied down', () => {
    assert.deepEqual(planSteps(2, 1), [v1ToV2]);
  });

  it('a version to itself needs no step', () => {
    assert.deepEqual(planSteps(1, 1), []);
    assert.deepEqual(planSteps(2, 2), []);
  });

  it('unknown versions are refused with a clear message', () => {
    rejectsVersion(() => planSteps(1, 3), /from schema version 1 to 3: no transform between versions 2 and 3 \(known: 1→2\)/);
    rejectsVersion(() => planSteps(5, 2), /from schema version 5 to 2: no transform between versions 2 and 3/);
    rejectsVersion(() => planSteps(0, 1), /schema version 0 is not a version number/);
    rejectsVersion(() => planSteps(1, 1.5), /schema version 1.5 is not a version number/);
    rejectsVersion(() => planSteps(Number.NaN, 1), /schema version NaN/);
  });

  it('every installed schema version reaches every other one', () => {
    const versions = listSchemaVersions(SCHEMAS_DIR);
    assert.ok(versions.length >= 2, `schemas: ${versions.join(', ')}`);
    for (const from of versions) {
      for (const to of versions) assert.equal(planSteps(from, to).length, Math.abs(to - from), `${from} → ${to}`);
    }
  });

  it('the registry joins adjacent versions, once each, in order', () => {
    TRANSFORM_STEPS.forEach((s, i) => {
      assert.equal(s.from, i + 1);
      assert.equal(s.to, i + 2);
    });
  });
});

describe('migrate with this build\'s transforms', () => {
  it('carries the full fixture up and back down', () => {
    assert.deepEqual(migrate(fixture(1, 'full.json'), 1, 2), { config: fixture(2, 'full.json'), losses: [] });
    assert.deepEqual(migrate(fixture(2, 'full.json'), 2, 1), { config: fixture(1, 'full.json'), losses: [] });
  });

  it('reports losses going down', () => {
    const v2 = { system: { ntp: { server: [{ address: '192.0.2.1', prefer: true }] } } };
    const { config, losses } = migrate(v2, 2, 1);
    assert.deepEqual(config, { system: { ntp: { server: ['192.0.2.1'] } } });
    assert.deepEqual(losses.map((l) => l.path), ["/system/ntp/server[address='192.0.2.1']/prefer"]);
  });

  it('to the same version returns an equal copy, not the input', () => {
    const input = fixture(1, 'constructs.json');
    const { config, losses } = migrate(input, 1, 1);
    assert.deepEqual(config, input);
    assert.notEqual(config, input);
    assert.notEqual(config.system, input.system);
    assert.deepEqual(losses, []);
  });
});

/** Steps 1→2→3→4 that tag the tree with the steps applied, and lose one thing per step going down. */
function recordingSteps(): TransformStep[] {
  return [1, 2, 3].map((from): TransformStep => ({
    from,
    to: from + 1,
    up: (c) => ({ ...c, trail: [...((c.trail ?? []) as string[]), `up ${from}→${from + 1}`] }),
    down: (c) => ({
      config: { ...c, trail: [...((c.trail ?? []) as string[]), `down ${from + 1}→${from}`] },
      losses: [{ path: `/lost-in-${from + 1}`, reason: `v${from} cannot hold it` }],
    }),
  }));
}

describe('chains of several steps', () => {
  const steps = recordingSteps();

  it('plans ascending going up and descending going down', () => {
    assert.deepEqual(planSteps(1, 4, steps).map((s) => s.from), [1, 2, 3]);
    assert.deepEqual(planSteps(4, 1, steps).map((s) => s.from), [3, 2, 1]);
    assert.deepEqual(planSteps(3, 2, steps).map((s) => s.from), [2]);
  });

  it('migrate applies up in order, with no losses', () => {
    assert.deepEqual(migrate({}, 1, 4, steps), { config: { trail: ['up 1→2', 'up 2→3', 'up 3→4'] }, losses: [] });
    assert.deepEqual(migrate({}, 2, 3, steps), { config: { trail: ['up 2→3'] }, losses: [] });
  });

  it('migrate applies down in order and collects every step\'s losses', () => {
    const { config, losses } = migrate({}, 4, 2, steps);
    assert.deepEqual(config, { trail: ['down 4→3', 'down 3→2'] });
    assert.deepEqual(losses.map((l) => l.path), ['/lost-in-4', '/lost-in-3']);
  });

  it('a gap in the chain is refused, naming the missing step', () => {
    const gap = steps.filter((s) => s.from !== 2);
    rejectsVersion(() => planSteps(1, 4, gap), /no transform between versions 2 and 3 \(known: 1→2, 3→4\)/);
    rejectsVersion(() => migrate({}, 4, 1, gap), /no transform between versions 2 and 3/);
    assert.deepEqual(planSteps(3, 4, gap).map((s) => s.from), [3]);
  });

  it('a registry with a step that skips a version, or two steps from one version, is an internal error', () => {
    const internal = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof ConfdError && e.code === 'INTERNAL');
    internal(() => planSteps(1, 2, [{ ...steps[0]!, to: 3 }]));
    internal(() => planSteps(1, 2, [steps[0]!, steps[0]!]));
  });
});
