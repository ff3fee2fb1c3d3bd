/**
 * @module confd/notify/bus
 * The change bus for daemons: subscriptions to path prefixes, two-phase participation in
 * commits (prepare in priority order, abort in reverse, veto with a reason), and delivery of
 * every committed change in commit order, at least once. Delivery never waits for a
 * subscriber: a subscriber whose connection backs up, or that reconnects with `since`, is
 * caught up from the commit history; if history no longer reaches back, it is told to resync
 * and given the current configuration of its paths. A dead or slow subscriber never blocks a
 * commit beyond its prepare timeout, and never delays the others.
 */
import type { Logger } from 'pino';
import { leafChanges, type LeafChange } from '../core/diff.js';
import { ConfdError } from '../core/errors.js';
import type { JsonObject } from '../core/tree.js';
import { selectConfig } from '../rpc/select.js';
import { selectorFromPath } from '../rpc/selector-from-path.js';
import type { Selector } from '../rpc/selector.js';
import { resolveDataPath } from '../schema/resolve.js';
import type { SubscriberRegistration } from '../store/store.js';
import type { ConfigEngine } from '../txn/engine.js';
import type { CommitEvent, Participant } from '../txn/participant.js';
import { PathFilter } from './matcher.js';

/** One subscriber's connection, as the socket layer provides it. */
export interface SubscriberLink {
  /** Queues a notification; false when the connection is backed up (stop sending, wait for drain). */
  notify(method: string, params: Record<string, unknown>): boolean;
  whenDrained(): Promise<void>;
  /** A request to the subscriber; rejects on error reply, timeout, or when the connection drops. */
  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown>;
  readonly closed: boolean;
  /** Ends the connection (a newer one took over its subscription). */
  close(): void;
  /** Runs `fn` once the connection has ended. */
  onClose(fn: () => void): void;
}

export interface SubscribeOptions {
  readonly name: string;
  readonly paths: readonly string[];
  /** Lower first, in prepare and in the list (as ConfD). */
  readonly priority?: number;
  /** Take part in prepare, with a veto. */
  readonly validate?: boolean;
  /** While absent, commits touching its paths are refused. */
  readonly mandatory?: boolean;
  /** Replay every change after this txid first. */
  readonly since?: number;
  /** Send the current configuration of the paths first. */
  readonly current?: boolean;
  /** How long a prepare may take before it counts as a veto. */
  readonly timeoutMs?: number;
  /** Keep the registration (and its acknowledgements) across restarts; false for watchers. */
  readonly persist?: boolean;
  /** Takes out what the subscriber may not read (access rules), from changes and from trees. */
  readonly readable?: ReadFilter;
}

export interface ReadFilter {
  change(c: LeafChange): LeafChange | null;
  tree(t: JsonObject): JsonObject;
}

const READ_ALL: ReadFilter = { change: (c) => c, tree: (t) => t };

export interface SubscriberStatus {
  readonly name: string;
  readonly paths: readonly string[];
  readonly priority: number;
  readonly validate: boolean;
  readonly mandatory: boolean;
  readonly connected: boolean;
  readonly lastAck: number;
  /** Commits made since its last acknowledgement. */
  readonly lag: number;
  readonly persistent: boolean;
}

export const DEFAULT_PRIORITY = 100;
export const DEFAULT_PREPARE_TIMEOUT_MS = 5000;
/** Commits read from history per step of a catch-up. */
const CATCH_UP_BATCH = 200;

class Subscription {
  link: SubscriberLink | null = null;
  filter: PathFilter;
  /** Highest txid whose changes were sent (or found irrelevant). */
  lastSent = 0;
  lastAck: number;
  catchingUp = false;
  /** Txids of change notifications sent and not yet acknowledged, oldest first (the lag). */
  unacked: number[] = [];
  ackDirty = false;

  constructor(
    readonly name: string,
    public paths: readonly string[],
    public priority: number,
    public validate: boolean,
    public mandatory: boolean,
    public timeoutMs: number,
    public persistent: boolean,
    lastAck: number,
    public readable: ReadFilter = READ_ALL,
  ) {
    this.filter = new PathFilter(paths);
    this.lastAck = lastAck;
  }

  /** The changes of a commit this subscriber is told of: under its paths, and readable. */
  mine(changes: readonly LeafChange[]): LeafChange[] {
    const out: LeafChange[] = [];
    for (const c of this.filter.select(changes)) {
      const r = this.readable.change(c);
      if (r) out.push(r);
    }
    return out;
  }
}

export class ChangeBus implements Participant {
  readonly name = 'change-bus';
  private readonly subs = new Map<string, Subscription>();
  /** For each commit being prepared: the subscriptions that accepted it, in order. */
  private readonly prepared = new Map<number, Subscription[]>();

  constructor(private readonly engine: ConfigEngine, private readonly log: Logger) {
    for (const r of engine.store.subscribers()) this.subs.set(r.name, fromRegistration(r));
  }

  /** Attaches a connection as subscriber `name` (replacing an older connection of that name). */
  async subscribe(link: SubscriberLink, o: SubscribeOptions): Promise<{ txid: number; resync: boolean }> {
    const paths = o.paths.map((p) => (p === '/' ? '/' : resolveDataPath(this.engine.schema, p).canonical));
    if (paths.length === 0) throw new ConfdError('TXN_BAD_ARGUMENT', 'a subscription needs at least one path');
    let sub = this.subs.get(o.name);
    const lastAck = sub?.lastAck ?? 0;
    if (sub?.link && !sub.link.closed && sub.link !== link) {
      this.log.info({ subscriber: o.name }, 'subscriber reconnected; closing its old connection');
      sub.link.close();
    }
    sub = new Subscription(o.name, paths, o.priority ?? DEFAULT_PRIORITY, o.validate ?? false, o.mandatory ?? false,
      o.timeoutMs ?? DEFAULT_PREPARE_TIMEOUT_MS, o.persist ?? true, lastAck, o.readable);
    this.subs.set(o.name, sub);
    if (sub.persistent) {
      this.engine.store.putSubscriber({ name: sub.name, paths, priority: sub.priority, validate: sub.validate, mandatory: sub.mandatory, lastAck });
    }
    sub.link = link;
    const now = this.engine.store.lastTxid;
    let resync = false;
    if (o.since !== undefined && o.since < now) {
      if (o.since < this.engine.store.historyFloor()) resync = true;
      else {
        sub.lastSent = o.since;
        // Replayed in the background, in order; live commits meanwhile are read from history too.
        void this.catchUp(sub);
        return { txid: now, resync: false };
      }
    }
    sub.lastSent = now;
    if (o.current || resync) {
      link.notify(resync ? 'resync' : 'config', { txid: now, config: sub.readable.tree(this.currentConfig(paths)) });
    }
    return { txid: now, resync };
  }

  /** The configuration under `paths` (as one tree). */
  private currentConfig(paths: readonly string[]): JsonObject {
    const selector: Selector | undefined = paths.includes('/') ? undefined
      : { alternatives: paths.map((p) => selectorFromPath(this.engine.schema, p) ?? {}) };
    return selectConfig(this.engine.schema, this.engine.running, selector);
  }

  ack(name: string, txid: number): void {
    const sub = this.subs.get(name);
    if (!sub) throw new ConfdError('TXN_BAD_ARGUMENT', `no subscriber '${name}'`);
    if (txid > sub.lastAck) { sub.lastAck = txid; sub.ackDirty = true; }
    while (sub.unacked.length > 0 && sub.unacked[0]! <= txid) sub.unacked.shift();
  }

  /** The connection of a subscriber went away: its registration stays (persistent) or goes. */
  detach(link: SubscriberLink): void {
    for (const sub of this.subs.values()) {
      if (sub.link !== link) continue;
      sub.link = null;
      if (!sub.persistent) this.subs.delete(sub.name);
    }
  }

  /** Writes acknowledgements that changed since the last call (cheap; called on a timer). */
  saveAcks(): void {
    const acks = new Map<string, number>();
    for (const s of this.subs.values()) if (s.ackDirty && s.persistent) { acks.set(s.name, s.lastAck); s.ackDirty = false; }
    this.engine.store.saveAcks(acks);
  }

  remove(name: string): boolean {
    const sub = this.subs.get(name);
    if (sub?.link && !sub.link.closed) throw new ConfdError('TXN_IN_USE', `subscriber '${name}' is connected`);
    this.subs.delete(name);
    return this.engine.store.deleteSubscriber(name);
  }

  /**
   * Tells every connected subscriber whose paths cover `path` of an event that is not a commit
   * (an alarm under /system/alarms). Never waits: a backed-up connection misses it (events are
   * state, and the subscriber can read it again).
   */
  publish(path: string, method: string, params: Record<string, unknown>): number {
    let sent = 0;
    for (const s of this.subs.values()) {
      if (!s.link || s.link.closed || !s.filter.matches(path)) continue;
      s.link.notify(method, params);
      sent++;
    }
    return sent;
  }

  list(): SubscriberStatus[] {
    const last = this.engine.store.lastTxid;
    return [...this.subs.values()].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name)).map((s) => ({
      name: s.name, paths: s.paths, priority: s.priority, validate: s.validate, mandatory: s.mandatory,
      connected: s.link !== null && !s.link.closed, lastAck: s.lastAck, persistent: s.persistent,
      // Connected: changes delivered but not acknowledged, plus commits not yet read while it catches up.
      // Absent: every commit since its last acknowledgement (it will be replayed what concerns it).
      lag: s.link && !s.link.closed ? s.unacked.length + (s.catchingUp ? Math.max(0, last - s.lastSent) : 0) : Math.max(0, last - s.lastAck),
    }));
  }

  // ---- the commit participant ----

  async prepare(event: CommitEvent): Promise<void> {
    const changes = event.leafChanges();
    const concerned = [...this.subs.values()]
      .filter((s) => (s.validate || s.mandatory) && s.filter.touches(changes))
      .sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
    for (const s of concerned) {
      if (s.mandatory && (!s.link || s.link.closed)) {
        throw vetoed(s.name, `mandatory subscriber '${s.name}' is not connected`);
      }
    }
    const accepted: Subscription[] = [];
    this.prepared.set(event.txid, accepted);
    for (const s of concerned) {
      // An absent validating subscriber that is not mandatory simply has no say.
      if (!s.validate || !s.link || s.link.closed) continue;
      try {
        await s.link!.request('prepare', eventParams(event, s.mine(changes)), s.timeoutMs);
        accepted.push(s);
      } catch (e) {
        this.abortPrepared(event);
        throw vetoed(s.name, e instanceof Error ? e.message : String(e));
      }
    }
  }

  abort(event: CommitEvent): void {
    this.abortPrepared(event);
  }

  private abortPrepared(event: CommitEvent): void {
    const accepted = this.prepared.get(event.txid) ?? [];
    this.prepared.delete(event.txid);
    for (const s of [...accepted].reverse()) {
      if (s.link && !s.link.closed) s.link.notify('abort', { txid: event.txid });
    }
  }

  committed(event: CommitEvent): void {
    this.prepared.delete(event.txid);
    let changes: readonly LeafChange[] | undefined;
    for (const s of this.subs.values()) {
      if (!s.link || s.link.closed || s.catchingUp) continue;
      changes ??= event.leafChanges();
      const mine = s.mine(changes);
      s.lastSent = event.txid;
      if (mine.length === 0) continue;
      s.unacked.push(event.txid);
      if (!s.link.notify('change', eventParams(event, mine))) {
        // Backed up: that message is queued, but nothing more is written until the connection
        // drains; then it catches up from history (so the backlog lives on disk, not in memory).
        void this.catchUp(s, true);
      }
    }
  }

  /**
   * Sends every commit after `lastSent` from history, in order, pausing while the connection
   * is backed up (`drainFirst`: it already is). While it runs, live commits skip this subscriber.
   */
  private async catchUp(s: Subscription, drainFirst = false): Promise<void> {
    if (s.catchingUp) return;
    s.catchingUp = true;
    try {
      if (drainFirst && s.link) await s.link.whenDrained();
      for (;;) {
        const link = s.link;
        if (!link || link.closed) return;
        const target = this.engine.store.lastTxid;
        if (s.lastSent >= target) return;
        const to = Math.min(target, s.lastSent + CATCH_UP_BATCH);
        let batch;
        try {
          batch = this.engine.store.changesBetween(s.lastSent, to);
        } catch (e) {
          if (!(e instanceof ConfdError) || e.code !== 'TXN_HISTORY_COMPACTED') throw e;
          s.lastSent = this.engine.store.lastTxid;
          s.unacked = [];
          link.notify('resync', { txid: s.lastSent, config: s.readable.tree(this.currentConfig(s.paths)) });
          continue;
        }
        let backedUp = false;
        for (const c of batch) {
          const mine = s.mine(c.changes.flatMap((n) => leafChanges(n)));
          if (mine.length > 0) {
            const h = this.engine.store.commitHeader(c.txid)!;
            s.unacked.push(c.txid);
            backedUp = !link.notify('change', {
              txid: c.txid, user: h.user, time: h.time, comment: h.comment, source: h.source, changes: mine,
            }) || backedUp;
          }
          s.lastSent = c.txid;
        }
        if (backedUp) await link.whenDrained();
      }
    } catch (e) {
      this.log.error({ err: e, subscriber: s.name }, 'catching a subscriber up failed');
    } finally {
      s.catchingUp = false;
    }
  }
}

function eventParams(event: CommitEvent, changes: readonly LeafChange[]): Record<string, unknown> {
  return { txid: event.txid, user: event.user, time: event.time, comment: event.comment, source: event.source, changes };
}

function vetoed(subscriber: string, reason: string): ConfdError {
  return new ConfdError('TXN_VETOED', `${subscriber} rejected the change: ${reason}`, { details: { subscriber, reason } });
}

function fromRegistration(r: SubscriberRegistration): Subscription {
  return new Subscription(r.name, r.paths, r.priority, r.validate, r.mandatory, DEFAULT_PREPARE_TIMEOUT_MS, true, r.lastAck);
}
