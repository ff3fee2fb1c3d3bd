/**
 * @module upgrade/install/job-record
 * The journal record of an install or rollback job, as `software status` shows it.
 */
import type { SlotName } from '../boot/state.js';
import type { HealthSample } from '../watch/health.js';
import type { Loss } from './migration.js';

export type { Loss } from './migration.js';

export type JobKind = 'install' | 'rollback';
/**
 * `rejected`: the install had succeeded (its slot passed the health check of its trial boot),
 * but the new version then failed on the appliance (a crash loop) and the boot loader fell
 * back: `reason` says why and `rejectedAt` when.
 */
/** `reverted`: not confirmed in time (confirm-within), or the watch failed; a rollback job carried the configuration back. */
/**
 * `watching`: the install's new slot passed its health check (and its confirmation, if one
 * was asked) and is on watch until `watchUntil`; then `succeeded`, or `reverted` with the
 * reason. The job has done its part: following it ends there, as it does at confirm-wait.
 */
export type JobStatus = 'running' | 'watching' | 'succeeded' | 'failed' | 'rolled-back' | 'rejected' | 'reverted';

export interface JobRecord {
  readonly id: string;
  readonly kind: JobKind;
  status: JobStatus;
  readonly bundle: string | null;
  readonly from: SlotName;
  readonly target: SlotName;
  readonly fromVersion: string;
  toVersion: string | null;
  readonly fromSchema: number;
  toSchema: number | null;
  step: string;
  percent: number;
  message: string;
  /** Every step entered, in order, with when. */
  readonly steps: Array<{ name: string; at: string }>;
  reason: string | null;
  /** The error code of a failure (UPG_…, TXN_…), or of the boot failure that decided it. */
  code: string | null;
  readonly started: string;
  finished: string | null;
  readonly user: string;
  losses: Loss[];
  changes: number | null;
  /** When a succeeded install's version was given up (status `rejected`). */
  rejectedAt?: string;
  /** Minutes the new version has to be confirmed in (`confirm-within`), else it is reverted. */
  confirmWithin?: number | null;
  /** When it is reverted unless confirmed (ISO time), once the new slot passed its health check. */
  confirmDeadline?: string | null;
  /** The health of the appliance recorded before the install (upgrade/watch/health), for the watch after it. */
  baseline?: HealthSample | null;
  /** Until when the install is on watch (ISO time, status `watching`), and how the watch ended. */
  watchUntil?: string | null;
  watch?: 'watching' | 'passed' | 'failed' | null;
  /** A rollback that reverts an install: that job, and why. */
  revertOf?: { readonly job: string; readonly reason: string } | null;
}

