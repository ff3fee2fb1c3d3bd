/**
 * @module confd/northbound/restconf/streams
 * RFC 8040 §6 notifications as Server-Sent Events: the NETCONF stream (each commit as an RFC
 * 6470 netconf-config-change, and the appliance's alarm notifications) at
 * /restconf/streams/NETCONF/json, with replay of the commit history from `start-time` (then
 * a replayComplete event) and an end at `stop-time`; its description in
 * ietf-restconf-monitoring:restconf-state. Never blocks a commit: an event is one write per
 * subscriber, and a subscriber whose connection stops draining is dropped.
 */
import type { ServerResponse } from 'node:http';
import { childPath } from '../../core/path.js';
import { ConfdError } from '../../core/errors.js';
import { deepEqual, type JsonObject } from '../../core/tree.js';
import type { AlarmEvent } from '../../monitor/alarms.js';
import type { CommitEvent, Participant } from '../../txn/participant.js';
import type { RcReply, RcRequest, RcServices } from './context.js';
import { instanceIdentifier } from './paths.js';
import { checkParams } from './query.js';
import { eventFilter, type EventFilter } from './stream-filter.js';

const STREAM = 'NETCONF';
const MONITORING = 'ietf-restconf-monitoring:restconf-state';
/** Bytes queued to a subscriber before it is considered gone. */
const MAX_BUFFERED = 4 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;

export function isMonitoringPath(rest: string): boolean {
  const p = rest.replace(/^\/+/, '');
  return p === MONITORING || p.startsWith(MONITORING + '/');
}

/** The JSON notification of a commit (RFC 6470 netconf-config-change, RFC 8040 §6.4 encoding). */
export function configChangeEvent(svc: RcServices, e: Pick<CommitEvent, 'time' | 'user' | 'session' | 'changes'>): JsonObject {
  const edit: JsonObject[] = [];
  for (const c of e.changes) {
    const targets = c.path === '/' ? rootTargets(c.old ?? {}, c.new ?? {}) : [c.path];
    const operation = c.path === '/' ? 'merge' : c.old === null ? 'create' : c.new === null ? 'delete' : 'replace';
    for (const t of targets) edit.push({ target: instanceIdentifier(svc.schema, t), operation });
  }
  return notification(e.time, {
    'ietf-netconf-notifications:netconf-config-change': {
      'changed-by': e.session === 0 ? { server: [null] } : { username: e.user, 'session-id': e.session },
      datastore: 'running', edit,
    },
  });
}

function notification(time: string, body: JsonObject): JsonObject {
  return { 'ietf-restconf:notification': { eventTime: time, ...body } };
}

function alarmEvent(e: AlarmEvent): JsonObject {
  const a = e.alarm;
  return notification(new Date().toISOString(), {
    'appliance-system:alarm-notification': {
      resource: a.resource, 'alarm-type-id': a.type, 'alarm-id': a.id, time: a.changed,
      'perceived-severity': a.isCleared ? 'cleared' : a.severity, 'alarm-text': a.text, event: e.kind,
      ...(e.user ? { operator: e.user } : {}),
    },
  });
}

function rootTargets(a: JsonObject, b: JsonObject): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((n) => !deepEqual(a[n], b[n])).map((n) => childPath('/', { name: n }));
}

/** A client of the stream; `filter` (the query parameter) decides which notifications it is sent. */
interface Subscriber { readonly res: ServerResponse; readonly timers: NodeJS.Timeout[]; readonly filter: EventFilter | null }

export class EventStreams implements Participant {
  readonly name = 'restconf-streams';
  private readonly subscribers = new Set<Subscriber>();
  private readonly offAlarms: (() => void) | undefined;

  constructor(private readonly svc: RcServices) {
    svc.ops.engine.addParticipant(this);
    this.offAlarms = svc.state.monitor?.onAlarm((e) => this.publish(alarmEvent(e)));
  }

  get count(): number {
    return this.subscribers.size;
  }

  committed(e: CommitEvent): void {
    if (this.subscribers.size > 0) this.publish(configChangeEvent(this.svc, e));
  }

  private publish(event: JsonObject): void {
    const frame = sse(event);
    for (const s of this.subscribers) {
      let wanted: boolean;
      try {
        wanted = !s.filter || s.filter(event);
      } catch {
        // Its filter spent its budget on this notification: the stream ends rather than hold the daemon.
        this.drop(s);
        continue;
      }
      if (wanted) send(s, frame, () => this.drop(s));
    }
  }

  private drop(s: Subscriber): void {
    if (!this.subscribers.delete(s)) return;
    for (const t of s.timers) clearTimeout(t);
    s.res.end();
  }

  close(): void {
    this.svc.ops.engine.removeParticipant(this);
    this.offAlarms?.();
    for (const s of [...this.subscribers]) this.drop(s);
  }

  /** GET /restconf/streams/NETCONF/json?start-time=…&stop-time=… */
  resource(req: RcRequest): RcReply {
    const name = req.rest.replace(/^\/+/, '').replace(/\/+$/, '');
    if (name !== `${STREAM}/json`) throw new ConfdError('RC_UNKNOWN_OPERATION', `no stream '${name}' (GET /restconf/data/${MONITORING}/streams lists them)`);
    if (req.method !== 'GET') throw new ConfdError('RC_METHOD_NOT_ALLOWED', 'a stream is read with GET');
    checkParams('STREAM', req.query);
    const time = (p: string) => {
      const t = req.query.get(p);
      if (t === null) return undefined;
      const ms = Date.parse(t);
      if (Number.isNaN(ms) || !/^\d{4}-\d\d-\d\dT/.test(t)) throw new ConfdError('RC_BAD_QUERY', `${p} takes a date-and-time (2026-12-04T10:00:00Z)`);
      return ms;
    };
    const start = time('start-time'), stop = time('stop-time');
    if (stop !== undefined && start === undefined) throw new ConfdError('RC_BAD_QUERY', 'stop-time needs start-time');
    if (start !== undefined && start > Date.now()) throw new ConfdError('RC_BAD_QUERY', 'start-time is in the future');
    if (stop !== undefined && start !== undefined && stop < start) throw new ConfdError('RC_BAD_QUERY', 'stop-time is before start-time');
    this.svc.ops.authorize(req.session, 'create-subscription');
    const filterText = req.query.get('filter');
    const filter = filterText === null ? null : eventFilter(this.svc.schema, filterText);
    // Replayed now, in this turn, so no commit falls between the replay and the subscription.
    const replay = start === undefined ? [] : this.svc.ops.engine.commitsBetween(start, stop)
      .map((c) => configChangeEvent(this.svc, { ...c.header, changes: c.changes })).filter((e) => !filter || filter(e)).map(sse);
    if (start !== undefined) replay.push(sse(notification(new Date().toISOString(), { 'ietf-netconf-notifications:replayComplete': {} })));
    return {
      status: 200, contentType: 'text/event-stream', headers: { 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
      stream: (res) => this.attach(res, replay, stop, filter),
    };
  }

  private attach(res: ServerResponse, replay: readonly string[], stop: number | undefined, filter: EventFilter | null): void {
    res.socket?.setTimeout(0);
    const s: Subscriber = { res, timers: [], filter };
    res.write(': RESTCONF NETCONF stream\n\n');
    for (const frame of replay) res.write(frame);
    if (stop !== undefined && stop <= Date.now()) { res.end(); return; }
    this.subscribers.add(s);
    res.on('close', () => this.drop(s));
    const keepalive = setInterval(() => send(s, ':\n\n', () => this.drop(s)), KEEPALIVE_MS);
    keepalive.unref();
    s.timers.push(keepalive);
    if (stop !== undefined) s.timers.push(setTimeout(() => this.drop(s), stop - Date.now()).unref());
  }
}

function sse(event: JsonObject): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

function send(s: Subscriber, frame: string, drop: () => void): void {
  if (s.res.writableLength > MAX_BUFFERED) { drop(); return; }
  s.res.write(frame);
}

/** GET /restconf/data/ietf-restconf-monitoring:restconf-state: capabilities and the one stream. */
export function monitoringResource(svc: RcServices, req: RcRequest, _streams: EventStreams): RcReply {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new ConfdError('RC_METHOD_NOT_ALLOWED', 'restconf-state is read-only');
  const host = typeof req.headers.host === 'string' ? req.headers.host : 'localhost';
  const since = svc.ops.engine.replayStart() ?? new Date(svc.ops.engine.startedAt).toISOString();
  const state = {
    capabilities: { capability: [
      'urn:ietf:params:restconf:capability:defaults:1.0?basic-mode=report-all',
      'urn:ietf:params:restconf:capability:depth:1.0', 'urn:ietf:params:restconf:capability:fields:1.0',
      'urn:ietf:params:restconf:capability:with-defaults:1.0', 'urn:ietf:params:restconf:capability:replay:1.0',
      'urn:ietf:params:restconf:capability:yang-patch:1.0',
    ] },
    streams: { stream: [{
      name: STREAM, description: 'RFC 6470 configuration changes and the appliance\'s alarms',
      'replay-support': true, 'replay-log-creation-time': since,
      access: [{ encoding: 'json', location: `https://${host}/restconf/streams/${STREAM}/json` }],
    }] },
  };
  const sub = req.rest.replace(/^\/+/, '').slice(MONITORING.length).replace(/^\/+/, '');
  const value = sub === '' ? { [MONITORING]: state } : sub === 'streams' ? { 'ietf-restconf-monitoring:streams': state.streams }
    : sub === 'capabilities' ? { 'ietf-restconf-monitoring:capabilities': state.capabilities } : undefined;
  if (value === undefined) throw new ConfdError('RC_NOT_FOUND', `no resource ${MONITORING}/${sub}`);
  if (req.format === 'xml') throw new ConfdError('RC_NOT_ACCEPTABLE', 'restconf-state is offered in JSON');
  return { status: 200, format: 'json', body: JSON.stringify(value, null, 2) + '\n' };
}
