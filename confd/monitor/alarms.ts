/**
 * @module confd/monitor/alarms
 * The alarm list, in the spirit of RFC 8632: one alarm per (type, resource) with its
 * severity, text, raised/changed/cleared times, cleared flag and operator acknowledgement;
 * shelves (by type and/or resource) that keep matching alarms out of notifications and
 * active counts. Cleared alarms are kept for a bounded time and number. Every change is
 * written to the monitoring file at once (alarm state survives a restart) and reported to
 * the listener, which delivers it (audit, NETCONF, CLI, log, change bus).
 */
import { ConfdError } from '../core/errors.js';
import type { MetricsDb } from '../store/metrics-db.js';

export type Severity = 'critical' | 'major' | 'minor' | 'warning';
export const SEVERITIES: readonly Severity[] = ['critical', 'major', 'minor', 'warning'];

export interface Alarm {
  readonly id: string;
  readonly type: string;
  readonly resource: string;
  readonly severity: Severity;
  readonly text: string;
  readonly raised: string;
  readonly changed: string;
  readonly cleared: string | null;
  readonly isCleared: boolean;
  readonly acknowledged: { readonly user: string; readonly time: string } | null;
  readonly shelved: boolean;
}

export interface Shelf { readonly type?: string; readonly resource?: string; readonly user: string; readonly time: string }

export type AlarmEventKind = 'raised' | 'changed' | 'cleared' | 'acknowledged' | 'shelved' | 'unshelved';
export interface AlarmEvent { readonly kind: AlarmEventKind; readonly alarm: Alarm; readonly user?: string }

export const KEEP_CLEARED_MS = 7 * 24 * 3_600_000;
export const MAX_ALARMS = 1000;

export function alarmId(type: string, resource: string): string {
  return `${type}:${resource}`;
}

export class AlarmList {
  private readonly alarms = new Map<string, Alarm>();
  private shelfList: Shelf[];

  constructor(private readonly db: MetricsDb, private readonly now: () => number, private readonly listener: (e: AlarmEvent) => void) {
    for (const row of db.alarms()) {
      try {
        const a = JSON.parse(row.body) as Alarm;
        this.alarms.set(a.id, a);
      } catch {
        db.deleteAlarm(row.id);
      }
    }
    this.shelfList = JSON.parse(db.meta('shelves') ?? '[]') as Shelf[];
  }

  private time(): string {
    return new Date(this.now()).toISOString();
  }

  private save(a: Alarm, kind: AlarmEventKind, user?: string): void {
    this.alarms.set(a.id, a);
    this.db.putAlarm(a.id, JSON.stringify(a));
    this.listener({ kind, alarm: a, ...(user ? { user } : {}) });
  }

  private isShelved(type: string, resource: string): boolean {
    return this.shelfList.some((s) => (s.type === undefined || s.type === type) && (s.resource === undefined || s.resource === resource));
  }

  /** Raises (or updates) the alarm of `type` on `resource`; nothing happens when it stands as given. */
  raise(type: string, resource: string, severity: Severity, text: string): void {
    const id = alarmId(type, resource);
    const a = this.alarms.get(id);
    const t = this.time();
    if (a && !a.isCleared) {
      if (a.severity === severity && a.text === text) return;
      // A change of severity asks for a new acknowledgement.
      this.save({ ...a, severity, text, changed: t, acknowledged: a.severity === severity ? a.acknowledged : null }, 'changed');
      return;
    }
    this.prune();
    this.save({
      id, type, resource, severity, text, raised: t, changed: t, cleared: null, isCleared: false, acknowledged: null,
      shelved: this.isShelved(type, resource),
    }, 'raised');
  }

  clear(type: string, resource: string): void {
    const a = this.alarms.get(alarmId(type, resource));
    if (!a || a.isCleared) return;
    const t = this.time();
    this.save({ ...a, isCleared: true, cleared: t, changed: t }, 'cleared');
  }

  /** Clears every standing alarm of `type` whose resource is not in `keep`. */
  clearAllBut(type: string, keep: ReadonlySet<string>): void {
    for (const a of [...this.alarms.values()]) if (a.type === type && !a.isCleared && !keep.has(a.resource)) this.clear(type, a.resource);
  }

  get(id: string): Alarm | undefined {
    return this.alarms.get(id);
  }

  /** Alarms standing (and, with `all`, the cleared ones still kept), most severe and newest first. */
  list(options: { all?: boolean; shelved?: boolean } = {}): Alarm[] {
    return [...this.alarms.values()]
      .filter((a) => (options.all || !a.isCleared) && (options.shelved !== false || !a.shelved))
      .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.raised.localeCompare(a.raised));
  }

  /** Active (raised, not shelved) alarms by severity. */
  activeBySeverity(): Record<Severity, number> {
    const out: Record<Severity, number> = { critical: 0, major: 0, minor: 0, warning: 0 };
    for (const a of this.alarms.values()) if (!a.isCleared && !a.shelved) out[a.severity]++;
    return out;
  }

  /** Acknowledges alarms by id, or every standing one (`all`); returns those acknowledged. */
  acknowledge(ids: readonly string[] | 'all', user: string): Alarm[] {
    const targets = ids === 'all' ? this.list() : ids.map((id) => {
      const a = this.alarms.get(id);
      if (!a) throw new ConfdError('TXN_BAD_ARGUMENT', `no alarm '${id}'`, { details: { alarm: id } });
      return a;
    });
    const t = this.time();
    const done: Alarm[] = [];
    for (const a of targets) {
      if (a.acknowledged) continue;
      const next = { ...a, acknowledged: { user, time: t } };
      this.save(next, 'acknowledged', user);
      done.push(next);
    }
    return done;
  }

  shelves(): readonly Shelf[] {
    return this.shelfList;
  }

  /** Shelves alarms by type and/or resource (at least one); standing ones are shelved at once. */
  shelve(match: { type?: string; resource?: string }, user: string): Alarm[] {
    if (match.type === undefined && match.resource === undefined) {
      throw new ConfdError('TXN_BAD_ARGUMENT', 'shelve needs an alarm type or a resource');
    }
    this.shelfList = [...this.shelfList.filter((s) => s.type !== match.type || s.resource !== match.resource),
      { ...match, user, time: this.time() }];
    this.db.setMeta('shelves', JSON.stringify(this.shelfList));
    return this.reshelve('shelved', user);
  }

  unshelve(match: { type?: string; resource?: string }, user: string): Alarm[] {
    const before = this.shelfList.length;
    this.shelfList = this.shelfList.filter((s) => s.type !== match.type || s.resource !== match.resource);
    if (this.shelfList.length === before) throw new ConfdError('TXN_BAD_ARGUMENT', 'no such shelf');
    this.db.setMeta('shelves', JSON.stringify(this.shelfList));
    return this.reshelve('unshelved', user);
  }

  private reshelve(kind: 'shelved' | 'unshelved', user: string): Alarm[] {
    const changed: Alarm[] = [];
    for (const a of [...this.alarms.values()]) {
      const shelved = this.isShelved(a.type, a.resource);
      if (shelved === a.shelved) continue;
      const next = { ...a, shelved };
      this.save(next, kind, user);
      changed.push(next);
    }
    return changed;
  }

  /** Forgets cleared alarms past their keeping time, and the oldest cleared ones beyond the bound. */
  private prune(): void {
    const limit = this.now() - KEEP_CLEARED_MS;
    const cleared = [...this.alarms.values()].filter((a) => a.isCleared).sort((a, b) => a.changed.localeCompare(b.changed));
    let excess = this.alarms.size - MAX_ALARMS + 1;
    for (const a of cleared) {
      if (Date.parse(a.cleared ?? a.changed) >= limit && excess <= 0) break;
      this.alarms.delete(a.id);
      this.db.deleteAlarm(a.id);
      excess--;
    }
  }
}
