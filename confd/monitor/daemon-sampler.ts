/**
 * @module confd/monitor/daemon-sampler
 * Each supervised daemon: its state, restarts and last exit (from the supervisor), and its
 * resident memory and CPU share since the last sample (from /proc/PID/stat).
 */
import { join } from 'node:path';
import type { JsonObject } from '../core/tree.js';
import { parsePidStat, readText } from './proc.js';

export interface DaemonSample {
  readonly name: string;
  readonly status: string;
  readonly pid: number | null;
  readonly restarts: number;
  readonly lastExit: string;
  readonly since: string;
  readonly rssBytes: number;
  readonly cpuPercent: number;
}

const PAGE_BYTES = 4096;
const TICKS_PER_SECOND = 100;

export class DaemonSampler {
  private before = new Map<number, { ticks: number; at: number }>();

  constructor(private readonly list: () => readonly ({ name: string } & JsonObject)[], private readonly proc: string) {}

  sample(nowMs: number): DaemonSample[] {
    const next = new Map<number, { ticks: number; at: number }>();
    const out = this.list().map((d): DaemonSample => {
      const pid = typeof d.pid === 'number' ? d.pid : null;
      const stat = pid === null ? undefined : parsePidStat(readText(join(this.proc, String(pid), 'stat')) ?? '');
      let cpuPercent = 0;
      if (pid !== null && stat) {
        const prev = this.before.get(pid);
        if (prev && nowMs > prev.at) cpuPercent = Math.round(((stat.ticks - prev.ticks) / TICKS_PER_SECOND / ((nowMs - prev.at) / 1000)) * 1000) / 10;
        next.set(pid, { ticks: stat.ticks, at: nowMs });
      }
      return {
        name: d.name, status: String(d.status ?? 'unknown'), pid, restarts: Number(d.restarts ?? 0),
        lastExit: String(d['last-exit'] ?? ''), since: String(d.since ?? ''),
        rssBytes: (stat?.rssPages ?? 0) * PAGE_BYTES, cpuPercent: Math.max(0, cpuPercent),
      };
    });
    this.before = next;
    return out;
  }
}
