/**
 * @module confd/main/migrate
 * Carries a configuration database from one schema version to another with the transforms
 * of this build (transforms/), never in place: the caller gives a copy. The transformed
 * configuration is validated in full under the target schema (in a scratch in-memory
 * database, by the same engine as every commit) before anything is written; then running and
 * startup are replaced in one commit that keeps the configuration it replaced (the history
 * before it is read through the transforms, confd/txn/history). A dry run reports the changes and the losses (what a down transform cannot carry)
 * and writes nothing.
 */
import type { Logger } from 'pino';
import type { LeafChange } from '../core/diff.js';
import { ConfdError, validationFailed } from '../core/errors.js';
import type { JsonObject } from '../core/tree.js';
import { loadDeviceSchema } from '../schema/loader.js';
import type { DeviceSchema } from '../schema/model.js';
import type { Store, StoredNode } from '../store/store.js';
import { EntryMap, Overlay, storedEntry } from '../txn/datastore.js';
import { materializeAll } from '../txn/materialize.js';
import { applyEdit } from '../txn/edit.js';
import { adminLogins, refuseLockout } from '../txn/lockout.js';
import { ConfigEngine } from '../txn/engine.js';
import { CrossEntryIndexes } from '../txn/indexes.js';
import { validateChanges } from '../txn/validate.js';
import { migrate, type Loss } from '../../transforms/index.js';
import { faultPoint, faultSet } from '../api/faults.js';
import { SCHEMAS_DIR } from './app-paths.js';
import { emptyRootBody, openStore } from './device.js';
import { AuditAnchor, readAuditKey } from '../store/audit-anchor.js';
import { changesBetween } from './migration-diff.js';
import { restoreOrder } from '../txn/order-hint.js';

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
  /** What the running configuration becomes, leaf by leaf (paths of each side's schema); dry runs only. */
  readonly changes: readonly LeafChange[];
  /** How many stored nodes change. */
  readonly changed: number;
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

/**
 * The configuration `tree` as stored nodes of `schema`, validated in full as a commit would be
 * (the same edit and validation functions); throws the problems. Nothing is written.
 */
function validatedNodes(schema: DeviceSchema, tree: JsonObject): { nodes: StoredNode[]; view: Overlay } {
  const base = new EntryMap();
  base.put({ path: '/', parent: '', list: null, body: emptyRootBody(schema), txid: 0 });
  const view = new Overlay(base);
  const errors = applyEdit(schema, view, tree, { defaultOperation: 'replace' });
  if (errors.length > 0) throw validationFailed(errors);
  const deltas = [...view.changes].filter(([, e]) => e !== null).map(([path, e]) => ({ path, before: undefined, after: e! }));
  const issues = validateChanges(schema, new CrossEntryIndexes(schema), view, deltas);
  if (issues.length > 0) throw validationFailed(issues);
  const nodes: StoredNode[] = [];
  for (const d of deltas) nodes.push({ path: d.path, parent: d.after.parent, list: d.after.list?.schemaPath ?? '', body: d.after.body, txid: 0 });
  if (!view.changes.has('/')) nodes.push({ path: '/', parent: '', list: '', body: base.get('/')!.body, txid: 0 });
  return { nodes, view };
}

/** The configuration that an earlier migration away from `schema` replaced (the order hint), if any. */
function earlierConfiguration(store: Store, schema: DeviceSchema): JsonObject | undefined {
  const epoch = store.schemaEpochs().filter((e) => e.from === schema.version).at(-1);
  if (!epoch) return undefined;
  const view = new EntryMap();
  for (const n of store.configurationBefore(epoch.txid)) {
    const e = storedEntry(schema, n);
    if (e) view.put(e);
  }
  return materializeAll(schema, view);
}

/** The fault `transform-drops-logins`: every user loses its password and keys. */
function dropLogins(config: JsonObject): void {
  const users = (config.system as JsonObject | undefined)?.users as JsonObject | undefined;
  for (const u of Array.isArray(users?.user) ? users.user : []) {
    if (u !== null && typeof u === 'object' && !Array.isArray(u)) { delete u['password-hash']; delete u['ssh-key']; }
  }
}

/** Leaf changes from one set of nodes to another, by path (the two may be of different schemas). */
function countChanged(before: readonly StoredNode[], after: readonly StoredNode[]): number {
  const a = new Map(before.map((n) => [n.path, JSON.stringify(n.body)]));
  const kept = new Set(after.map((x) => x.path));
  let n = 0;
  for (const x of after) if (a.get(x.path) !== JSON.stringify(x.body)) n++;
  for (const path of a.keys()) if (!kept.has(path)) n++;
  return n;
}

export async function migrateDatabase(o: MigrationOptions): Promise<MigrationResult> {
  const fromSchema = loadDeviceSchema(SCHEMAS_DIR, o.from);
  const toSchema = loadDeviceSchema(SCHEMAS_DIR, o.to);
  // The migration's record joins the keyed chain when the upgrade manager names the audit key.
  const key = process.env.APPLIANCE_AUDIT_KEY_FILE ? readAuditKey(process.env.APPLIANCE_AUDIT_KEY_FILE) : null;
  const store = openStore(o.file, fromSchema, key ? { audit: new AuditAnchor(key, null, (err, what) => o.log.error({ err }, what)) } : {});
  const engine = new ConfigEngine({ schema: fromSchema, store, logger: o.log });
  try {
    if (engine.pendingConfirmed()) {
      throw new ConfdError('TXN_CONFIRMED_PENDING', 'a confirmed commit is pending in this configuration; confirm or cancel it first');
    }
    faultPoint('transform-run');
    const running = migrate(engine.getConfig('running'), o.from, o.to);
    const startup = migrate(engine.getConfig('startup'), o.from, o.to);
    // Leaf-lists the source held as keyed lists come back in the order they last had here.
    const hint = earlierConfiguration(store, toSchema);
    if (hint) for (const r of [running, startup]) restoreOrder(toSchema.root.children, fromSchema.root.children, r.config, hint);
    // Fault injection: a transform whose result the target schema refuses, or one that locks the administrators out.
    if (faultSet('transform-invalid')) running.config.interfaces = { interface: [{ name: 'bad', mtu: 1 }] };
    if (faultSet('transform-drops-logins')) dropLogins(running.config);
    o.onStep?.('transform');
    const runningTarget = validatedNodes(toSchema, running.config);
    // A transform result, like any commit, may not lock every administrator out.
    refuseLockout(adminLogins(fromSchema, engine.running), adminLogins(toSchema, runningTarget.view));
    const target = { running: runningTarget.nodes, startup: validatedNodes(toSchema, startup.config).nodes };
    o.onStep?.('validate');
    // The leaf-by-leaf changes are for showing (a dry run); a real run only counts the nodes.
    const before = nodesOf(engine, 'running');
    const changes = o.dryRun ? changesBetween(fromSchema, toSchema, before, target.running) : [];
    const changed = o.dryRun ? changes.length : countChanged(before, target.running);
    const losses = [...running.losses, ...startup.losses.filter((l) => !running.losses.some((r) => r.path === l.path))];
    if (o.dryRun || o.from === o.to) return { from: o.from, to: o.to, changes, changed, losses, txid: null };
    if (losses.length > 0 && !o.acceptLosses) {
      throw new ConfdError('TXN_BAD_ARGUMENT', `${losses.length} settings cannot be carried to schema version ${o.to}; confirm to lose them`,
        { details: { losses } });
    }
    const header = store.replaceConfiguration({
      schemaVersion: o.to, running: target.running, startup: target.startup, fromVersion: o.from, before, user: 'system', source: 'upgrade',
      comment: o.comment ?? `configuration carried from schema version ${o.from} to ${o.to}`,
      audit: {
        user: 'system', source: 'upgrade', address: 'local', session: 0, action: 'migrate', target: 'running', result: 'ok',
        detail: { from: o.from, to: o.to, changed, losses: losses.length },
      },
    });
    o.onStep?.('write');
    return { from: o.from, to: o.to, changes, changed, losses, txid: header.txid };
  } finally {
    engine.close();
    store.close();
  }
}
