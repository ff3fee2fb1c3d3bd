/**
 * @module confd/monitor/host-sampler
 * The host as the kernel reports it: CPU (user/system/iowait/steal, per core) since the last
 * sample, memory and swap, load, uptime, usage and I/O of the data directory's filesystem,
 * and every network interface's counters with rates, oper status and carrier changes. Reads
 * only small text files under roots it is given (a fake tree in tests); never blocks long.
 */
import { existsSync, statSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import {
  listNetInterfaces, parseDiskstats, parseLoadavg, parseMeminfo, parseProcStat, parseUptime, readNetInterface, readText,
  type CpuTimes, type NetCounters,
} from './proc.js';

export interface HostSources {
  /** Root of the proc tree ("/proc"). */
  readonly proc: string;
  /** Where network interfaces are described ("/sys/class/net"). */
  readonly sysClassNet: string;
  /** The data directory: its filesystem is the one measured. */
  readonly dataDir: string;
  /** Root of /run, for the time synchronisation flag ("/run"). */
  readonly run?: string;
}

export interface CpuUsage { readonly name: string; readonly user: number; readonly system: number; readonly iowait: number; readonly steal: number; readonly idle: number; readonly busy: number }

export interface InterfaceSample extends NetCounters {
  /** Per-second rates since the previous sample (0 on the first). */
  readonly inOctetsRate: number; readonly outOctetsRate: number;
  readonly inPacketsRate: number; readonly outPacketsRate: number;
  readonly errorsRate: number; readonly dropsRate: number;
}

export interface HostSample {
  readonly uptimeSeconds: number;
  readonly cpu: CpuUsage;
  readonly cores: readonly CpuUsage[];
  readonly memory: { readonly totalBytes: number; readonly availableBytes: number; readonly swapTotalBytes: number; readonly swapFreeBytes: number };
  readonly load: readonly [number, number, number];
  readonly disk: {
    readonly path: string; readonly totalBytes: number; readonly availableBytes: number; readonly usedPercent: number;
    readonly readBytes: number | null; readonly writeBytes: number | null; readonly readRate: number; readonly writeRate: number;
  };
  readonly interfaces: readonly InterfaceSample[];
  readonly timeSync: 'synchronized' | 'unknown';
}

type Counters = Omit<NetCounters, 'name' | 'oper' | 'speedMbps'>;
const COUNTER_KEYS = ['carrierChanges', 'inOctets', 'outOctets', 'inPackets', 'outPackets', 'inErrors', 'outErrors', 'inDrops', 'outDrops'] as const;

function usage(name: string, now: CpuTimes, before: CpuTimes | undefined): CpuUsage {
  const d = (k: keyof CpuTimes) => now[k] - (before?.[k] ?? 0);
  const total = d('total') || 1;
  const pct = (k: keyof CpuTimes) => Math.round((d(k) / total) * 1000) / 10;
  return { name, user: pct('user'), system: pct('system'), iowait: pct('iowait'), steal: pct('steal'), idle: pct('idle'),
    busy: Math.round((1 - (d('idle') + d('iowait')) / total) * 1000) / 10 };
}

export class HostSampler {
  private cpuBefore = new Map<string, CpuTimes>();
  private netBefore = new Map<string, NetCounters>();
  private diskBefore: { readBytes: number; writeBytes: number } | null = null;
  private before = 0;
  /** Counter values at the last `clear interfaces statistics`, subtracted from what is shown. */
  private readonly cleared = new Map<string, Counters>();

  constructor(private readonly src: HostSources) {}

  sample(nowMs: number): HostSample {
    const seconds = this.before > 0 ? Math.max(0.001, (nowMs - this.before) / 1000) : 0;
    const cpus = parseProcStat(readText(join(this.src.proc, 'stat')) ?? '');
    const cpuOf = (name: string) => usage(name, cpus.get(name) ?? ZERO_CPU, this.cpuBefore.get(name));
    const cpu = cpuOf('cpu');
    const cores = [...cpus.keys()].filter((n) => n !== 'cpu').map(cpuOf);
    this.cpuBefore = cpus;
    const mem = parseMeminfo(readText(join(this.src.proc, 'meminfo')) ?? '');
    const interfaces = listNetInterfaces(this.src.sysClassNet).flatMap((name) => {
      const now = readNetInterface(this.src.sysClassNet, name);
      if (!now) return [];
      const prev = this.netBefore.get(name);
      const rate = (a: number, b: number | undefined) => (seconds > 0 && b !== undefined && a >= b ? (a - b) / seconds : 0);
      this.netBefore.set(name, now);
      const shown = this.lessCleared(now);
      return [{
        ...shown,
        inOctetsRate: rate(now.inOctets, prev?.inOctets), outOctetsRate: rate(now.outOctets, prev?.outOctets),
        inPacketsRate: rate(now.inPackets, prev?.inPackets), outPacketsRate: rate(now.outPackets, prev?.outPackets),
        errorsRate: rate(now.inErrors + now.outErrors, prev && prev.inErrors + prev.outErrors),
        dropsRate: rate(now.inDrops + now.outDrops, prev && prev.inDrops + prev.outDrops),
      }];
    });
    const disk = this.disk(seconds);
    this.before = nowMs;
    return {
      uptimeSeconds: parseUptime(readText(join(this.src.proc, 'uptime')) ?? '0'),
      cpu, cores,
      memory: {
        totalBytes: mem.get('MemTotal') ?? 0, availableBytes: mem.get('MemAvailable') ?? mem.get('MemFree') ?? 0,
        swapTotalBytes: mem.get('SwapTotal') ?? 0, swapFreeBytes: mem.get('SwapFree') ?? 0,
      },
      load: parseLoadavg(readText(join(this.src.proc, 'loadavg')) ?? ''),
      disk, interfaces,
      timeSync: existsSync(join(this.src.run ?? '/run', 'systemd', 'timesync', 'synchronized')) ? 'synchronized' : 'unknown',
    };
  }

  /** `clear interfaces statistics`: the counters shown start again from zero (the kernel's are untouched). */
  clearCounters(name?: string): string[] {
    const names = name === undefined ? [...this.netBefore.keys()] : [name];
    const done: string[] = [];
    for (const n of names) {
      const now = readNetInterface(this.src.sysClassNet, n);
      if (!now) continue;
      this.cleared.set(n, Object.fromEntries(COUNTER_KEYS.map((k) => [k, now[k]])) as unknown as Counters);
      done.push(n);
    }
    return done;
  }

  private lessCleared(now: NetCounters): NetCounters {
    const base = this.cleared.get(now.name);
    if (!base) return now;
    const out: Record<string, unknown> = { ...now };
    // A counter below its cleared value means the kernel reset it (driver reload): show it as is.
    for (const k of COUNTER_KEYS) out[k] = now[k] >= base[k] ? now[k] - base[k] : now[k];
    return out as unknown as NetCounters;
  }

  private disk(seconds: number): HostSample['disk'] {
    let totalBytes = 0, availableBytes = 0, usedPercent = 0;
    try {
      const fs = statfsSync(this.src.dataDir);
      totalBytes = fs.blocks * fs.bsize;
      availableBytes = fs.bavail * fs.bsize;
      // Used as df counts it: blocks not free, over what users may fill (used + available).
      const used = (fs.blocks - fs.bfree) * fs.bsize;
      usedPercent = used + availableBytes > 0 ? Math.round((used / (used + availableBytes)) * 1000) / 10 : 0;
    } catch {
      // A data directory that vanished reports zero: the disk alarm does not fire on it.
    }
    let io: { readBytes: number; writeBytes: number } | undefined;
    try {
      const dev = statSync(this.src.dataDir).dev;
      io = parseDiskstats(readText(join(this.src.proc, 'diskstats')) ?? '', (dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00));
    } catch { /* no such device: I/O is not known */ }
    const prev = this.diskBefore;
    this.diskBefore = io ?? null;
    const rate = (a: number | undefined, b: number | undefined) => (seconds > 0 && a !== undefined && b !== undefined && a >= b ? (a - b) / seconds : 0);
    return {
      path: this.src.dataDir, totalBytes, availableBytes, usedPercent,
      readBytes: io?.readBytes ?? null, writeBytes: io?.writeBytes ?? null,
      readRate: rate(io?.readBytes, prev?.readBytes), writeRate: rate(io?.writeBytes, prev?.writeBytes),
    };
  }
}

const ZERO_CPU: CpuTimes = { user: 0, system: 0, idle: 0, iowait: 0, steal: 0, total: 0 };
