/**
 * @module upgrade/install/audit-queue
 * Audit records of the boot loader (software jobs, failed boots) for the running appliance's
 * log. They wait durably in the upgrade directory until a management daemon is up to take
 * them (it may be restarting, or none may run yet when a job is recovered), and are written
 * in order. A record that cannot even be queued (the disk is full) is logged instead: the
 * audit trail never stops a job or the boot loader.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writeFileDurably, type SocketClient } from '../../confd/api/index.js';
import { faultPoint } from '../../confd/api/faults.js';

interface Pending { action: string; result: string; detail: Record<string, unknown> }

export class AuditQueue {
  /** Flushes run one after the other; each takes every record waiting when it starts. */
  private chain: Promise<void> = Promise.resolve();
  private readonly file: string;

  constructor(private readonly dir: string, private readonly daemon: () => Promise<SocketClient>, private readonly log: Logger) {
    this.file = join(dir, 'pending-audit.json');
  }

  record(action: string, result: 'ok' | 'error' | 'denied', detail: Record<string, unknown>): void {
    const entry = { action, result, detail: { ...detail, at: new Date().toISOString() } };
    try {
      this.write([...this.pending(), entry]);
    } catch (e) {
      this.log.error({ err: (e as Error).message, audit: entry }, 'an audit record could not be queued; it is in this log only');
      return;
    }
    void this.flush();
  }

  private write(pending: readonly Pending[]): void {
    writeFileDurably(this.file, JSON.stringify(pending) + '\n', 0o644, () => faultPoint('audit-write'));
  }

  private pending(): Pending[] {
    mkdirSync(this.dir, { recursive: true });
    return existsSync(this.file) ? JSON.parse(readFileSync(this.file, 'utf8')) as Pending[] : [];
  }

  /**
   * Writes the waiting records to the running daemon; those it cannot write keep waiting.
   * Resolves once every record queued before the call was tried (a revert waits for it, so
   * that the outcome is in the database the rollback copies).
   */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.flushWaiting());
    return this.chain;
  }

  private async flushWaiting(): Promise<void> {
    try {
      let pending = this.pending();
      if (pending.length === 0) return;
      const c = await this.daemon();
      try {
        while (pending.length > 0) {
          const r = pending[0]!;
          await c.request('boot.audit', { action: r.action, target: String(r.detail.job ?? r.detail.slot ?? ''), result: r.result, detail: r.detail });
          pending = pending.slice(1);
          this.write(pending);
        }
      } finally {
        c.close();
      }
    } catch (e) {
      this.log.debug({ err: (e as Error).message }, 'audit records wait for the next daemon');
    }
  }
}
