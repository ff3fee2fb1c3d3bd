/**
 * Test helpers for the transaction engine: a controllable clock, sessions, and assertions on
 * coded errors (codes and paths, never message text).
 */
import assert from 'node:assert/strict';
import { ConfdError, type ErrorCode } from '../../confd/core/errors.js';
import type { JsonObject } from '../../confd/core/tree.js';
import type { Clock, TimerHandle } from '../../confd/txn/clock.js';
import type { ConfigEngine, DatastoreName } from '../../confd/txn/engine.js';
import type { Session } from '../../confd/txn/session.js';
import { openTestDevice, type TestDevice } from './device.js';

interface FakeTimer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when told to. Timers fire from `advance`, earliest first (ties in the
 * order they were set), with `now()` at their due time while they run; never from `setTimer`,
 * even when already due, just as a real timer never fires synchronously.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Set<FakeTimer>();
  /**
   * Awaited after each fired timer so that work the timer queued (the engine's revert) has
   * finished before the next one fires or `advance` returns.
   */
  settle: (() => Promise<unknown>) | undefined;

  constructor(start = Date.UTC(2030, 0, 1, 12, 0, 0)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t: FakeTimer = { due: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(t);
    return { cancel: () => { this.timers.delete(t); } };
  }

  /** Timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due by then, in order. Returns how many fired. */
  async advance(ms: number): Promise<number> {
    const target = this.time + ms;
    let fired = 0;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.timers) {
        if (t.due > target) continue;
        if (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq)) next = t;
      }
      if (!next) break;
      this.timers.delete(next);
      this.time = Math.max(this.time, next.due);
      next.fn();
      fired++;
      if (this.settle) await this.settle();
    }
    this.time = target;
    if (this.settle) await this.settle();
    return fired;
  }
}

/** Waits until every state change the engine has queued so far has finished. */
export function settleEngine(engine: ConfigEngine): Promise<void> {
  return engine.validate(engine.systemSession, 'running');
}

/** Opens a test device on `clock`, wiring the clock to wait for the engine after each timer. */
export async function openDeviceOnClock(clock: FakeClock, dataDir?: string): Promise<TestDevice> {
  const device = await openTestDevice(dataDir === undefined ? { clock } : { clock, dataDir });
  clock.settle = () => settleEngine(device.engine);
  return device;
}

let sessionCount = 0;
export function openSession(engine: ConfigEngine, user = 'admin', source = 'netconf'): Session {
  sessionCount++;
  return engine.openSession({ user, source, address: `192.0.2.1:${40000 + sessionCount}` });
}

/** A deep copy of a datastore's configuration, safe to keep across later changes. */
export function snapshot(engine: ConfigEngine, ds: DatastoreName = 'candidate'): JsonObject {
  return structuredClone(engine.getConfig(ds));
}

/** Awaits `action` and asserts it fails with a ConfdError of `code` (and `path`, when given). */
export async function rejectsWith(
  action: Promise<unknown> | (() => unknown), code: ErrorCode, path?: string,
): Promise<ConfdError> {
  let error: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `expected ${code}, but the operation succeeded`);
  assert.ok(error instanceof ConfdError, `expected a ConfdError ${code}, got ${String(error)}`);
  assert.equal(error.code, code, `expected ${code}, got ${error.code} (${error.message})`);
  if (path !== undefined) assert.equal(error.path, path);
  return error;
}

export interface IssueKey { readonly code: ErrorCode; readonly path: string | undefined }

/** Code and path of each individual problem of an error, sorted by path then code. */
export function issuesOf(e: ConfdError): IssueKey[] {
  return e.flatten()
    .map((i) => ({ code: i.code, path: i.path }))
    .sort((a, b) => (a.path ?? '').localeCompare(b.path ?? '') || a.code.localeCompare(b.code));
}

/** Sorts issue keys as `issuesOf` does, for comparing with an expectation. */
export function sortIssues(list: readonly IssueKey[]): IssueKey[] {
  return [...list].sort((a, b) => (a.path ?? '').localeCompare(b.path ?? '') || a.code.localeCompare(b.code));
}

/** Canonical path of an interface entry (or one of its leaves). */
export function ifPath(name: string, leaf?: string): string {
  return `/interfaces/interface[name='${name}']${leaf ? `/${leaf}` : ''}`;
}

export function routePath(prefix: string, leaf?: string): string {
  return `/routing/static/route[prefix='${prefix}']${leaf ? `/${leaf}` : ''}`;
}

export function rulePath(sequence: number, leaf?: string): string {
  return `/firewall/rule[sequence='${sequence}']${leaf ? `/${leaf}` : ''}`;
}

/** An edit of interface entries. */
export function interfaces(...entries: JsonObject[]): JsonObject {
  return { interfaces: { interface: entries } };
}

/** Edits the candidate and commits it in one step; returns the new txid. */
export async function commitEdit(engine: ConfigEngine, s: Session, edit: JsonObject, comment?: string): Promise<number> {
  await engine.editConfig(s, edit);
  const out = await engine.commit(s, comment === undefined ? {} : { comment });
  assert.ok(out.header, 'the commit changed nothing');
  return out.header.txid;
}
