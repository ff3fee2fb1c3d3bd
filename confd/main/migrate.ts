/**
 * @module confd/main/migrate
 * Carries a configuration database from one schema version to another with the transforms
 * of this build (transforms/), never in place: the caller gives a copy. The transformed
 * configuration is validated in full under the target schema (in a scratch in-memory
 * database, by the same engine as every commit) before anything is written; then running and
 * startup are replaced in one commit, and the history before it is marked as of another
 * schema. A dry run reports the changes and the losses (what a down transform cannot carry)
 * and writes nothing.
 */
import type { Logger } from 'pino';
import { leafChanges, type LeafChange } from '../core/diff.js';
import { ConfdError } from '../core/errors.js';
import type { JsonObject } from '../core/tree.js';
import { loadDeviceSchema } from '../schema/loader.js';
import type { DeviceSchema } from '../schema/model.js';
import type { StoredNode } from '../store/store.js';
import { ConfigEngine } from '../txn/engine.js';
import { migrate, type Loss } from '../../transforms/index.js';
import { faultPoint, faultSet } from '../api/faults.js';
import { SCHEMAS_DIR } from './app-paths.js';
import { openStore } from './device.js';

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
  /** What the running configuration becomes, leaf by leaf (paths of each side's schema). */
  readonly changes: readonly LeafChange[];
  /** What the target version cannot express, and so loses (going down). */
  readonly losses: readonly Loss[];
  /** The commit that replaced the configuration (null for a dry run or when nothing changed). */
  readonly txid: number | null;
}

export interface MigrationOptions {
  readonly file: string;
  readonly from: number;
  readonly to: number;
  readonly log: Logger;
  readonly dryRun?: boolean;
  /** Accept losses (the technician confirmed them). */
  readonly acceptLosses?: boolean;
  readonly comment?: string;
  /** Told as each stage completes: transform, validate, write. */
  readonly onStep?: (step: 'transform' | 'validate' | 'write') => void;
}

function nodesOf(engine: ConfigEngine, ds: 'running' | 'startup'): StoredNode[] {
  if (ds === 'startup') return [...engine.store.loadNodes('startup')];
  return [...engine.running.entries()].map((e) => ({ path: e.path, parent: e.parent, list: e.list?.schemaPath ?? '', body: e.body, txid: e.txid }));
}

/** The configuration `tree` as stored nodes of `schema`, validated in full; throws the problems. */
async function validatedNodes(schema: DeviceSchema, running: JsonObject, startup: JsonObject, log: Logger): Promise<{ running: StoredNode[]; startup: StoredNode[] }> {
  const scratch = openStore(':memory:', schema);
  const engine = new ConfigEngine({ schema, store: scratch, logger: log });
  try {
    await engine.load(engine.systemSession, running, { merge: false, source: 'migrate' });
    await engine.copyConfig(engine.systemSession, startup, 'startup');
    return { running: nodesOf(engine, 'running'), startup: nodesOf(engine, 'startup') };
  } finally {
    engine.close();
    scratch.close();
  }
}

/** Leaf changes from one set of nodes to another, by path (the two may be of different schemas). */
function changesBetween(before: readonly StoredNode[], after: readonly StoredNode[]): LeafChange[] {
  const a = new Map(before.map((n) => [n.path, n.body]));
  const b = new Map(after.map((n) => [n.path, n.body]));
  const out: LeafChange[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    out.push(...leafChanges({ path, old: a.get(path) ?? null, new: b.get(path) ?? null }));
  }
  return out;
}

export async function migrateDatabase(o: MigrationOptions): Promise<MigrationResult> {
  const fromSchema = loadDeviceSchema(SCHEMAS_DIR, o.from);
  const toSchema = loadDeviceSchema(SCHEMAS_DIR, o.to);
  const store = openStore(o.file, fromSchema);
  const engine = new ConfigEngine({ schema: fromSchema, store, logger: o.log });
  try {
    if (engine.pendingConfirmed()) {
      throw new ConfdError('TXN_CONFIRMED_PENDING', 'a confirmed commit is pending in this configuration; confirm or cancel it first');
    }
    faultPoint('transform-run');
    const running = migrate(engine.getConfig('running'), o.from, o.to);
    const startup = migrate(engine.getConfig('startup'), o.from, o.to);
    // Fault injection: a transform whose result the target schema refuses.
    if (faultSet('transform-invalid')) running.config.interfaces = { interface: [{ name: 'bad', mtu: 1 }] };
    o.onStep?.('transform');
    const target = await validatedNodes(toSchema, running.config, startup.config, o.log);
    o.onStep?.('validate');
    const changes = changesBetween(nodesOf(engine, 'running'), target.running);
    const losses = [...running.losses, ...startup.losses.filter((l) => !running.losses.some((r) => r.path === l.path))];
    if (o.dryRun || o.from === o.to) return { from: o.from, to: o.to, changes, losses, txid: null };
    if (losses.length > 0 && !o.acceptLosses) {
      throw new ConfdError('TXN_BAD_ARGUMENT', `${losses.length} settings cannot be carried to schema version ${o.to}; confirm to lose them`,
        { details: { losses } });
    }
    const header = store.replaceConfiguration({
      schemaVersion: o.to, running: target.running, startup: target.startup, user: 'system', source: 'upgrade',
      comment: o.comment ?? `configuration carried from schema version ${o.from} to ${o.to}`,
      audit: {
        user: 'system', source: 'upgrade', address: 'local', session: 0, action: 'migrate', target: 'running', result: 'ok',
        detail: { from: o.from, to: o.to, changes: changes.length, losses: losses.length },
      },
    });
    o.onStep?.('write');
    return { from: o.from, to: o.to, changes, losses, txid: header.txid };
  } finally {
    engine.close();
    store.close();
  }
}
