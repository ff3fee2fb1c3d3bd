/**
 * @module upgrade/boot/state
 * The boot-state record: which slot is primary, which is on trial and with how many attempts
 * left, and each slot's status, version and schema version. It is replaced atomically and
 * durably (temp file, fsync, rename, fsync of the directory), and every transition is ordered
 * so that each intermediate state on disk is a safe one: a slot is disabled before it is
 * written and made bootable last. The transitions here are pure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfdError, writeFileDurably } from '../../confd/api/index.js';
import { faultPoint } from '../../confd/api/faults.js';

export type SlotName = 'a' | 'b';
export type SlotStatus = 'empty' | 'installing' | 'ready' | 'good' | 'bad';

export interface SlotState {
  readonly status: SlotStatus;
  readonly version: string | null;
  readonly schemaVersion: number | null;
  /** Why it is bad, or what happened to it last. */
  readonly reason: string | null;
  readonly updated: string;
}

export interface BootState {
  readonly format: 1;
  /** The slot booted when there is no trial: the last one that passed its health check. */
  readonly primary: SlotName;
  /** A slot being tried after an install or rollback, with the boots it has left. */
  readonly trial: { readonly slot: SlotName; readonly attemptsLeft: number } | null;
  readonly slots: Readonly<Record<SlotName, SlotState>>;
}

export const TRIAL_ATTEMPTS = 3;
/** Why a trial slot that used up its attempts is bad. */
export const TRIAL_EXHAUSTED = 'did not pass its health check within its boot attempts';

export function other(slot: SlotName): SlotName {
  return slot === 'a' ? 'b' : 'a';
}

const now = () => new Date().toISOString();

function slot(status: SlotStatus, version: string | null = null, schemaVersion: number | null = null, reason: string | null = null): SlotState {
  return { status, version, schemaVersion, reason, updated: now() };
}

export function initialState(version: string, schemaVersion: number): BootState {
  return { format: 1, primary: 'a', trial: null, slots: { a: slot('good', version, schemaVersion, 'factory install'), b: slot('empty') } };
}

function withSlot(s: BootState, name: SlotName, st: SlotState): BootState {
  return { ...s, slots: { ...s.slots, [name]: st } };
}

/** Before any byte of a slot is written: it is not bootable. */
export function markInstalling(s: BootState, target: SlotName): BootState {
  if (target === s.primary) throw new ConfdError('INTERNAL', 'refusing to overwrite the primary slot');
  return { ...withSlot(s, target, slot('installing')), trial: s.trial?.slot === target ? null : s.trial };
}

export function markReady(s: BootState, target: SlotName, version: string, schemaVersion: number): BootState {
  return withSlot(s, target, slot('ready', version, schemaVersion));
}

/** The switch: the ready slot is tried on the next boots, a fixed number of times. */
export function startTrial(s: BootState, target: SlotName): BootState {
  const st = s.slots[target];
  if (st.status !== 'ready' && st.status !== 'good') throw new ConfdError('INTERNAL', `slot ${target} is ${st.status}, not bootable`);
  return { ...s, trial: { slot: target, attemptsLeft: TRIAL_ATTEMPTS } };
}

/**
 * Which slot to boot now, and the state to persist before booting it: a trial boot spends an
 * attempt; a trial with none left has failed, and the primary is booted instead.
 */
export function chooseBoot(s: BootState): { slot: SlotName; state: BootState; trial: boolean; failedTrial?: SlotName } {
  if (s.trial && s.trial.attemptsLeft > 0) {
    return { slot: s.trial.slot, trial: true, state: { ...s, trial: { slot: s.trial.slot, attemptsLeft: s.trial.attemptsLeft - 1 } } };
  }
  if (s.trial) {
    const failed = s.trial.slot;
    return { slot: s.primary, trial: false, state: markBad(s, failed, TRIAL_EXHAUSTED), failedTrial: failed };
  }
  return { slot: s.primary, trial: false, state: s };
}

/** A booted slot passed its health check: it becomes (or stays) primary and good. */
export function markGood(s: BootState, booted: SlotName): BootState {
  const st = withSlot(s, booted, { ...s.slots[booted], status: 'good', reason: null, updated: now() });
  return { ...st, primary: booted, trial: st.trial?.slot === booted ? null : st.trial };
}

/** A slot failed (health check, crash loop): it is bad, with the reason; a trial of it ends. */
export function markBad(s: BootState, failed: SlotName, reason: string): BootState {
  const st = withSlot(s, failed, { ...s.slots[failed], status: 'bad', reason, updated: now() });
  return { ...st, trial: st.trial?.slot === failed ? null : st.trial };
}

export function readBootState(file: string): BootState | null {
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfdError('STORE_CORRUPT', `the boot state ${file} is unreadable: ${(e as Error).message}`);
  }
  const s = parsed as BootState;
  if (s.format !== 1 || (s.primary !== 'a' && s.primary !== 'b') || !s.slots?.a || !s.slots?.b) {
    throw new ConfdError('STORE_CORRUPT', `the boot state ${file} is not a boot state`);
  }
  return s;
}

/** Replaces the boot state durably: a crash at any instant leaves the old state or the new one. */
export function writeBootState(file: string, s: BootState): void {
  writeFileDurably(file, JSON.stringify(s, null, 2) + '\n', 0o644, () => faultPoint('boot-state-write'), () => faultPoint('boot-state-write-partial'));
}
