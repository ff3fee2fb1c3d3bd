/**
 * @module confd/northbound/socket/monitor-methods
 * The socket methods of monitoring (what the CLI's show, monitor, request and clear commands
 * call): the latest sample with versions and alarms, a metric's history, alarm
 * acknowledgement and shelving, clearing interface statistics, and the recent log.
 */
import { ConfdError } from '../../core/errors.js';
import type { JsonObject } from '../../core/tree.js';
import type { Monitor } from '../../monitor/monitor.js';
import type { MethodContext } from './methods.js';

interface Descriptor { readonly params: object; handler(ctx: MethodContext, p: Record<string, unknown>): unknown }

const obj = (properties: Record<string, object>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });

function monitorOf(ctx: MethodContext): Monitor {
  const m = ctx.host?.monitor?.();
  if (!m) throw new ConfdError('TXN_NOT_SUPPORTED', 'monitoring runs only in the running appliance');
  return m;
}

export const MONITOR_METHODS: Record<string, Descriptor> = {
  'monitor.snapshot': {
    params: obj({}),
    handler: (ctx) => {
      ctx.ops.authorize(ctx.session, 'status');
      const m = monitorOf(ctx);
      const st = ctx.ops.engine.status();
      const snap = m.snapshot();
      return {
        ...snap, version: { software: ctx.host?.softwareVersion?.() ?? '', schema: ctx.ops.engine.schema.version },
        uptimeSeconds: Math.floor(st.uptimeMs / 1000), settings: m.settings(),
        alarms: m.alarms.list({ all: true }), shelves: m.alarms.shelves(),
      };
    },
  },
  /** The figures the upgrade manager's watch compares before and after a switch (confd/monitor/api Baseline). */
  'monitor.baseline': {
    params: obj({}),
    handler: (ctx) => {
      ctx.ops.authorize(ctx.session, 'status');
      return monitorOf(ctx).baseline();
    },
  },
  'monitor.history': {
    params: obj({ metric: { type: 'string', minLength: 1 }, resource: { type: 'string' }, seconds: { type: 'integer', minimum: 60, maximum: 90 * 86400 } }, ['metric', 'seconds']),
    handler: (ctx, p) => {
      ctx.ops.authorize(ctx.session, 'status');
      return monitorOf(ctx).historyOf(p.metric as string, (p.resource as string | undefined) ?? '', (p.seconds as number) * 1000);
    },
  },
  'monitor.alarm.acknowledge': {
    params: obj({ ids: { type: 'array', items: { type: 'string' }, minItems: 1 }, all: { type: 'boolean' } }),
    handler: (ctx, p) => {
      ctx.ops.authorize(ctx.session, 'alarm-acknowledge');
      if (!p.all && !p.ids) throw new ConfdError('TXN_BAD_ARGUMENT', 'acknowledge needs alarm ids or all');
      return monitorOf(ctx).acknowledge(p.all ? 'all' : (p.ids as string[]), ctx.session);
    },
  },
  'monitor.alarm.shelve': {
    params: obj({ type: { type: 'string', minLength: 1 }, resource: { type: 'string', minLength: 1 }, undo: { type: 'boolean' } }),
    handler: (ctx, p) => {
      ctx.ops.authorize(ctx.session, 'alarm-shelve');
      const match = { ...(p.type ? { type: p.type as string } : {}), ...(p.resource ? { resource: p.resource as string } : {}) };
      return monitorOf(ctx).shelve(match, ctx.session, p.undo === true);
    },
  },
  'monitor.clear-interfaces': {
    params: obj({ name: { type: 'string', minLength: 1 } }),
    handler: (ctx, p) => {
      ctx.ops.authorize(ctx.session, 'clear-statistics');
      const cleared = monitorOf(ctx).clearInterfaceCounters(p.name as string | undefined);
      if (p.name && cleared.length === 0) throw new ConfdError('TXN_BAD_ARGUMENT', `no interface '${String(p.name)}' on this host`);
      ctx.ops.engine.audit(ctx.session, 'clear-statistics', (p.name as string | undefined) ?? 'interfaces', 'ok');
      return { cleared };
    },
  },
  'log.show': {
    params: obj({ limit: { type: 'integer', minimum: 1, maximum: 10000 } }),
    handler: (ctx, p) => {
      ctx.ops.authorize(ctx.session, 'status');
      const lines = ctx.host?.recentLog?.() ?? [];
      return lines.slice(-((p.limit as number | undefined) ?? 100)) as readonly JsonObject[];
    },
  },
};
