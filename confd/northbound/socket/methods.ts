/**
 * @module confd/northbound/socket/methods
 * The methods of the local socket protocol: each a JSON Schema for its params (compiled once)
 * and a handler that calls confd/rpc. The server looks methods up here; docs/socket-protocol.md
 * describes them for people.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { ConfdError } from '../../core/errors.js';
import type { JsonObject } from '../../core/tree.js';
import type { Operations } from '../../rpc/operations.js';
import { selectorFromPath } from '../../rpc/selector-from-path.js';
import type { CommitOutcome, DatastoreName } from '../../txn/engine.js';
import type { Session } from '../../txn/session.js';
import type { ChangeBus, SubscribeOptions, SubscriberLink } from '../../notify/bus.js';
import { redactChange } from '../../auth/access.js';
import { describeSchema } from '../../schema/describe.js';
import type { Monitor } from '../../monitor/monitor.js';
import { MONITOR_METHODS } from './monitor-methods.js';

export interface MethodContext {
  readonly ops: Operations;
  readonly session: Session;
  /** The change bus and this connection, for subscriptions (absent for in-process tools). */
  readonly bus?: ChangeBus;
  readonly link?: SubscriberLink;
  /** What the hosting daemon knows beyond confd: its daemons and its SSH port. */
  readonly host?: HostInfo;
}

export interface HostInfo {
  daemons(): readonly JsonObject[];
  sshPort(): number;
  /** Every address and port SSH listens on. */
  sshListen(): ReadonlyArray<{ address: string; port: number }>;
  /** Monitoring (absent in tools that open the device in-process). */
  monitor?(): Monitor | undefined;
  softwareVersion?(): string;
  /** The daemon's recent log records, oldest first. */
  recentLog?(): readonly JsonObject[];
}

function busOf(ctx: MethodContext): { bus: ChangeBus; link: SubscriberLink } {
  if (!ctx.bus || !ctx.link) throw new ConfdError('SOCK_BAD_REQUEST', 'subscriptions need a running appliance');
  return { bus: ctx.bus, link: ctx.link };
}

interface MethodDescriptor {
  readonly params: object;
  handler(ctx: MethodContext, params: Record<string, unknown>): unknown;
}

const datastore = { enum: ['running', 'candidate', 'startup'] };
const obj = (properties: Record<string, object>, required: string[] = []) =>
  ({ type: 'object', properties, required, additionalProperties: false });

const outcome = (o: CommitOutcome) => ({
  txid: o.header?.txid ?? null, confirmedPending: o.confirmedPending,
  ...(o.confirmedPrevious ? { confirmed: { session: o.confirmedPrevious.session, user: o.confirmedPrevious.user } } : {}),
});

const METHODS: Record<string, MethodDescriptor> = {
  ...MONITOR_METHODS,
  'status': { params: obj({}), handler: ({ ops, session, host }) => ({ ...ops.status(session), daemons: host?.daemons() ?? [] }) },
  'health': {
    params: obj({}),
    handler: ({ ops, session, host }) => {
      ops.authorize(session, 'status');
      const issues = ops.engine.validateRunning();
      return {
        schemaVersion: ops.engine.schema.version, sshPort: host?.sshPort() ?? null, sshListen: host?.sshListen() ?? [], nodes: ops.engine.running.size,
        valid: issues.length === 0, issues: issues.slice(0, 20).map((i) => i.toJSON()), daemons: host?.daemons() ?? [],
        confirmedPending: ops.engine.pendingConfirmed() !== null,
      };
    },
  },
  'upgrade.freeze': {
    params: obj({ reason: { type: ['string', 'null'] } }, ['reason']),
    handler: ({ ops, session, link }, p) => {
      ops.authorize(session, 'software-add');
      ops.engine.freeze(p.reason as string | null);
      // A freeze never outlives the connection that asked for it (the upgrade manager may die).
      if (p.reason !== null) link?.onClose(() => ops.engine.freeze(null));
      return {};
    },
  },
  // No method writes an arbitrary audit record: the daemon records its own actions. Two narrow
  // ones remain, each under the kernel-identified session and with a fixed action: the command
  // line of a local CLI session, and the boot loader's queued records (its pid is checked).
  'cli.command': {
    params: obj({ command: { type: 'string', maxLength: 16384 }, result: { enum: ['ok', 'error'] },
      mode: { enum: ['operational', 'configuration'] }, editing: { enum: ['shared', 'private', 'exclusive'] } }, ['command', 'result', 'mode']),
    handler: ({ ops, session }, p) => {
      if (session.source !== 'cli') throw new ConfdError('ACCESS_DENIED', 'only a CLI session reports its command lines', { path: '/operations/cli-command' });
      ops.engine.audit(session, 'cli-command', p.command as string, p.result as string,
        { mode: p.mode, ...(p.editing ? { editing: p.editing } : {}), ...(session.peer ? { reportedBy: 'client' } : {}) });
      return {};
    },
  },
  'boot.audit': {
    params: obj({ action: { type: 'string', pattern: '^(software|boot)-[a-z-]+$', maxLength: 64 }, target: { type: 'string', maxLength: 1024 },
      result: { enum: ['ok', 'error', 'denied'] }, detail: { type: 'object', maxProperties: 32 } }, ['action', 'result']),
    handler: ({ ops, session }, p) => {
      // Only the boot loader that started this daemon: the kernel's pid of the connection is our parent, with our uid.
      const peer = session.peer;
      if (!peer || peer.pid !== process.ppid || peer.uid !== (process.getuid?.() ?? -1)) {
        throw new ConfdError('ACCESS_DENIED', 'audit records are written by the appliance itself', { path: '/operations/boot-audit' });
      }
      ops.engine.audit(session, p.action as string, (p.target as string | undefined) ?? '', p.result as string, p.detail as Record<string, unknown> | undefined);
      return {};
    },
  },
  'software.status': { params: obj({}), handler: ({ ops, session }) => ops.software(session, 'software.status', {}) },
  'software.add': {
    params: obj({ bundle: { type: 'string', minLength: 1 }, dryRun: { type: 'boolean' }, force: { type: 'boolean' },
      confirmWithin: { type: 'number', exclusiveMinimum: 0, maximum: 1440 } }, ['bundle']),
    handler: ({ ops, session }, p) => ops.software(session, 'software.add', p),
  },
  'software.sanity-check': { params: obj({}), handler: ({ ops, session }) => ops.software(session, 'software.sanity-check', {}) },
  'software.confirm': { params: obj({}), handler: ({ ops, session }) => ops.software(session, 'software.confirm', {}) },
  'software.rollback': {
    params: obj({ confirm: { type: 'boolean' }, dryRun: { type: 'boolean' } }),
    handler: ({ ops, session }, p) => ops.software(session, 'software.rollback', p),
  },
  'config.get': {
    params: obj({ datastore, path: { type: 'string' } }),
    handler: ({ ops, session }, p) => ops.getConfig(session, (p.datastore as DatastoreName | undefined) ?? 'running',
      typeof p.path === 'string' ? selectorFromPath(ops.engine.schema, p.path) : undefined),
  },
  'config.edit': {
    params: obj({ edit: { type: 'object' }, defaultOperation: { enum: ['merge', 'replace', 'none'] }, testOnly: { type: 'boolean' } }, ['edit']),
    handler: async ({ ops, session }, p) => {
      await ops.editConfig(session, p.edit as JsonObject, {
        ...(p.defaultOperation ? { defaultOperation: p.defaultOperation as 'merge' } : {}),
        ...(p.testOnly ? { testOnly: true } : {}),
      });
      return {};
    },
  },
  'commit': {
    params: obj({
      comment: { type: 'string' }, confirmed: { type: 'boolean' }, confirmTimeout: { type: 'integer', minimum: 1, maximum: 4294967295 },
      persist: { type: 'string' }, persistId: { type: 'string' }, anySession: { type: 'boolean' },
    }),
    handler: async ({ ops, session }, p) => outcome(await ops.commit(session, p)),
  },
  'commit.cancel': {
    params: obj({ persistId: { type: 'string' } }),
    handler: async ({ ops, session }, p) => { await ops.cancelCommit(session, p.persistId as string | undefined); return {}; },
  },
  'discard': { params: obj({}), handler: async ({ ops, session }) => { await ops.discardChanges(session); return {}; } },
  'validate': {
    params: obj({ datastore }),
    handler: async ({ ops, session }, p) => { await ops.validate(session, (p.datastore as DatastoreName | undefined) ?? 'candidate'); return {}; },
  },
  'lock': { params: obj({ datastore }, ['datastore']), handler: async ({ ops, session }, p) => { await ops.lock(session, p.datastore as DatastoreName); return {}; } },
  'unlock': { params: obj({ datastore }, ['datastore']), handler: async ({ ops, session }, p) => { await ops.unlock(session, p.datastore as DatastoreName); return {}; } },
  'rollback': {
    params: obj({ txid: { type: 'integer', minimum: 0 }, back: { type: 'integer', minimum: 0 }, comment: { type: 'string' } }),
    handler: async ({ ops, session }, p) => outcome(await ops.rollback(session,
      { ...(p.txid !== undefined ? { txid: p.txid as number } : {}), ...(p.back !== undefined ? { back: p.back as number } : {}) },
      p.comment as string | undefined)),
  },
  'compare': {
    params: obj({ from: { anyOf: [{ type: 'integer' }, { enum: ['running', 'candidate'] }] },
      to: { anyOf: [{ type: 'integer' }, { enum: ['running', 'candidate'] }] } }, ['from', 'to']),
    handler: ({ ops, session }, p) => ops.compare(session, p.from as number, p.to as number),
  },
  'history': {
    params: obj({ limit: { type: 'integer', minimum: 1, maximum: 100000 }, before: { type: 'integer' } }),
    handler: ({ ops, session }, p) => ops.history(session, p.limit as number | undefined, p.before as number | undefined),
  },
  'blame': { params: obj({ path: { type: 'string' } }, ['path']), handler: ({ ops, session }, p) => ops.blame(session, p.path as string) },
  'config.export': { params: obj({}), handler: ({ ops, session }) => ops.exportConfig(session) },
  'config.import': {
    params: obj({ tree: { type: 'object' }, merge: { type: 'boolean' }, comment: { type: 'string' }, force: { type: 'boolean' } }, ['tree']),
    handler: async ({ ops, session }, p) => outcome(await ops.importConfig(session, p.tree as JsonObject,
      { merge: p.merge === true, force: p.force === true, ...(typeof p.comment === 'string' ? { comment: p.comment } : {}) })),
  },
  'backup': {
    params: obj({ file: { type: 'string', minLength: 1 }, checkpoint: { type: 'string', minLength: 1 } }, ['file']),
    handler: ({ ops, session }, p) => ops.backup(session, p.file as string, p.checkpoint as string | undefined),
  },
  'restore': {
    params: obj({ file: { type: 'string', minLength: 1 }, force: { type: 'boolean' } }, ['file']),
    handler: async ({ ops, session }, p) => outcome(await ops.restore(session, p.file as string, p.force === true)),
  },
  'subscribe': {
    params: obj({
      name: { type: 'string', minLength: 1, maxLength: 128 }, paths: { type: 'array', minItems: 1, items: { type: 'string' } },
      priority: { type: 'integer' }, validate: { type: 'boolean' }, mandatory: { type: 'boolean' },
      since: { type: 'integer', minimum: 0 }, current: { type: 'boolean' }, timeoutMs: { type: 'integer', minimum: 1, maximum: 600000 },
      persist: { type: 'boolean' },
    }, ['name', 'paths']),
    handler: async (ctx, p) => {
      const { bus, link } = busOf(ctx);
      ctx.ops.authorize(ctx.session, 'subscribe');
      // What the subscriber's user may not read never reaches it, under the rules in force at
      // each delivery (accessFor rebuilds them after a commit that changes users or rules).
      const access = () => ctx.ops.accessFor(ctx.session);
      for (const path of p.paths as string[]) access().check('read', path);
      return bus.subscribe(link, {
        ...(p as unknown as SubscribeOptions), readable: { change: (c) => redactChange(access(), c), tree: (t) => access().filterRead(t) },
      });
    },
  },
  'ack': {
    params: obj({ name: { type: 'string' }, txid: { type: 'integer', minimum: 0 } }, ['name', 'txid']),
    handler: (ctx, p) => { busOf(ctx).bus.ack(p.name as string, p.txid as number); return {}; },
  },
  'subscribers': {
    params: obj({}),
    handler: (ctx) => { ctx.ops.authorize(ctx.session, 'status'); return busOf(ctx).bus.list(); },
  },
  'subscribers.remove': {
    params: obj({ name: { type: 'string' } }, ['name']),
    handler: (ctx, p) => { ctx.ops.authorize(ctx.session, 'subscribers-remove'); return { removed: busOf(ctx).bus.remove(p.name as string) }; },
  },
  'schema': { params: obj({}), handler: ({ ops }) => describeSchema(ops.engine.schema) },
  'sessions': {
    params: obj({}),
    handler: ({ ops, session }) => {
      ops.authorize(session, 'status');
      return ops.engine.listSessions().map((x) => ({
        session: x.id, user: x.user, source: x.source, address: x.address, since: new Date(x.startedAt).toISOString(),
        editing: x.editing ?? null, self: x === session,
      }));
    },
  },
  'configure.enter': {
    params: obj({ mode: { enum: ['shared', 'private', 'exclusive'] } }, ['mode']),
    handler: async ({ ops, session }, p) => { await ops.enterConfigure(session, p.mode as 'shared'); return {}; },
  },
  'configure.exit': { params: obj({}), handler: async ({ ops, session }) => { await ops.exitConfigure(session); return {}; } },
  'configure.owners': { params: obj({}), handler: ({ ops, session }) => ops.candidateOwners(session) },
  'configure.editors': { params: obj({}), handler: ({ ops, session }) => { ops.authorize(session, 'status'); return ops.editors(); } },
  'config.rollback-load': {
    params: obj({ back: { type: 'integer', minimum: 0 } }, ['back']),
    handler: async ({ ops, session }, p) => { await ops.loadRollback(session, p.back as number); return {}; },
  },
  'audit.verify': { params: obj({}), handler: ({ ops, session }) => ops.auditVerify(session) },
  'audit.show': {
    params: obj({ user: { type: 'string' }, action: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' },
      limit: { type: 'integer', minimum: 1 } }),
    handler: ({ ops, session }, p) => ops.auditShow(session, p),
  },
};

/**
 * Params of the first request of a connection, which opens its session. `user` is the name the
 * client declares: it is noted in the session-start record, never used (the kernel's uid is).
 */
export const HELLO_PARAMS = obj({
  user: { type: 'string', minLength: 1, maxLength: 64 }, client: { type: 'string', maxLength: 128 },
  /** What the session is, for the audit log: a tool, the CLI, a daemon. */
  source: { enum: ['socket', 'cli', 'daemon'] },
});

export class MethodTable {
  private readonly validators = new Map<string, ValidateFunction>();
  readonly hello: ValidateFunction;

  constructor() {
    const ajv = new Ajv2020({ strict: true, allErrors: false });
    for (const [name, m] of Object.entries(METHODS)) this.validators.set(name, ajv.compile(m.params));
    this.hello = ajv.compile(HELLO_PARAMS);
  }

  call(ctx: MethodContext, method: string, params: Record<string, unknown>): unknown {
    const m = METHODS[method];
    const validate = this.validators.get(method);
    if (!m || !validate) throw new ConfdError('SOCK_BAD_REQUEST', `unknown method '${method}'`);
    if (!validate(params)) {
      const e = validate.errors?.[0];
      throw new ConfdError('SOCK_BAD_REQUEST', `bad params for '${method}': ${e?.instancePath || '/'} ${e?.message ?? ''}`.trim());
    }
    return m.handler(ctx, params);
  }
}

let shared: MethodTable | undefined;
/** The one method table of the process: its validators are compiled once, then only read. */
export function methodTable(): MethodTable {
  return (shared ??= new MethodTable());
}
