/**
 * @module confd/main/software-conditions
 * What the upgrade manager reports to the monitoring's alarms: a slot on trial (booted, not
 * yet proven: health check, watch window or confirm-within pending) and a software job that
 * did not end well (failed, rejected after a crash loop, reverted). The boot loader owns the
 * state; this polls its control socket (`software.status`) without waiting for it: each
 * sample reads what the previous poll found, and starts the next poll.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { SocketClient } from '../northbound/socket/client.js';

/** The part of the boot loader's `software.status` the alarms read (upgrade/control). */
export interface SoftwareStatusView {
  readonly booted: string | null;
  readonly state: { readonly trial: { readonly slot: string } | null };
  readonly job: {
    readonly id: string; readonly kind: string; readonly status: string; readonly reason: string | null;
    readonly toVersion: string | null; readonly watch?: string | null; readonly watchUntil?: string | null;
    readonly step: string; readonly confirmDeadline?: string | null;
    readonly revertOf?: { readonly job: string; readonly reason: string } | null;
  } | null;
}

export interface SoftwareCondition { readonly trial: string | null; readonly failed: string | null }

/** The alarm texts for a status: pure. */
export function softwareCondition(st: SoftwareStatusView): SoftwareCondition {
  const job = st.job;
  const slot = (name: string | null) => `slot ${name ?? '?'}${job?.toVersion ? ` (${job.toVersion})` : ''}`;
  let trial: string | null = null;
  // What the slot waits for, most specific first: a confirmation, the watch, its first health check.
  if (job?.status === 'running' && job.step === 'confirm-wait') trial = `${slot(st.booted)} is reverted unless confirmed by ${job.confirmDeadline ?? '?'}`;
  else if (job?.status === 'watching' || job?.watch === 'watching') trial = `${slot(st.booted)} is watched until ${job.watchUntil ?? 'the watch ends'}`;
  else if (st.state.trial) trial = `${slot(st.state.trial.slot)} is on trial until its health check passes`;
  let failed: string | null = null;
  if (job?.revertOf) failed = `software install ${job.revertOf.job} reverted: ${job.revertOf.reason}`;
  else if (job && (job.status === 'failed' || job.status === 'rejected' || job.status === 'reverted')) {
    failed = `software ${job.kind} ${job.id} ${job.status}: ${job.reason ?? 'no reason recorded'}`;
  }
  return { trial, failed };
}

/** A boot loader that does not answer in this long is polled again at the next sample. */
const POLL_TIMEOUT_MS = 5000;

export class SoftwareConditions {
  /** Null until the boot loader first answered: the alarms are then left as they are (they survive restarts). */
  private last: SoftwareCondition | null = null;
  private polling = false;

  constructor(private readonly bootSocket: string, private readonly log: Logger) {}

  /** What the last poll found (null: not known yet); starts the next one. */
  read(): SoftwareCondition | null {
    void this.poll();
    return this.last;
  }

  /** Polls now (a test, or the first sample). */
  async poll(): Promise<void> {
    if (this.polling || !existsSync(this.bootSocket)) return;
    this.polling = true;
    try {
      const client = await SocketClient.connect(this.bootSocket, 'system', 'confd', 'daemon');
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = client.request<SoftwareStatusView>('software.status', { user: 'system', source: 'system', relayed: true });
        const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${POLL_TIMEOUT_MS} ms`)), POLL_TIMEOUT_MS); });
        this.last = softwareCondition(await Promise.race([answer, late]));
      } finally {
        clearTimeout(timer);
        client.close();
      }
    } catch (e) {
      // The boot loader restarting is no alarm of its own: the last condition stands until it answers.
      this.log.debug({ err: e }, 'software status not read');
    } finally {
      this.polling = false;
    }
  }
}
