/**
 * @module confd/monitor/proc
 * Parsers for the kernel's text files (/proc/stat, /proc/meminfo, /proc/loadavg,
 * /proc/uptime, /proc/diskstats, /proc/PID/stat) and a reader of /sys/class/net counters.
 * Parsers are pure; the readers take the root of the tree, so tests use a fake one.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** CPU time in clock ticks, by kind, for the whole host ("cpu") or one core ("cpu0"). */
export interface CpuTimes { readonly user: number; readonly system: number; readonly idle: number; readonly iowait: number; readonly steal: number; readonly total: number }

export function parseProcStat(text: string): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const [name, ...f] = line.trim().split(/\s+/);
    const n = f.map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = n;
    out.set(name!, { user: user + nice, system: system + irq + softirq, idle, iowait, steal, total: user + nice + system + idle + iowait + irq + softirq + steal });
  }
  return out;
}

/** Values of /proc/meminfo in bytes. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * (line.includes('kB') ? 1024 : 1));
  }
  return out;
}

export function parseLoadavg(text: string): [number, number, number] {
  const [a = 0, b = 0, c = 0] = text.trim().split(/\s+/).slice(0, 3).map(Number);
  return [a, b, c];
}

export function parseUptime(text: string): number {
  return Number(text.trim().split(/\s+/)[0] ?? 0);
}

/** Sectors read and written (512 bytes each) of one block device, from /proc/diskstats. */
export function parseDiskstats(text: string, major: number, minor: number): { readBytes: number; writeBytes: number } | undefined {
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (Number(f[0]) === major && Number(f[1]) === minor) return { readBytes: Number(f[5] ?? 0) * 512, writeBytes: Number(f[9] ?? 0) * 512 };
  }
  return undefined;
}

/** CPU ticks (user + system) and resident pages of a process, from /proc/PID/stat. */
export function parsePidStat(text: string): { ticks: number; rssPages: number } | undefined {
  // The command name is in parentheses and may hold spaces: fields count from the last ')'.
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  const f = text.slice(end + 2).split(' ');
  // After the name: state(0) ppid … utime(11) stime(12) … rss(21).
  return { ticks: Number(f[11] ?? 0) + Number(f[12] ?? 0), rssPages: Number(f[21] ?? 0) };
}

export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The kernel's counters of one network interface. */
export interface NetCounters {
  readonly name: string;
  readonly oper: 'up' | 'down';
  readonly carrierChanges: number;
  readonly inOctets: number; readonly outOctets: number;
  readonly inPackets: number; readonly outPackets: number;
  readonly inErrors: number; readonly outErrors: number;
  readonly inDrops: number; readonly outDrops: number;
  readonly speedMbps: number | null;
}

const STAT_FILES = ['rx_bytes', 'tx_bytes', 'rx_packets', 'tx_packets', 'rx_errors', 'tx_errors', 'rx_dropped', 'tx_dropped'] as const;

/** A name that can be a kernel interface (and cannot walk out of the tree). */
export function isInterfaceName(name: string): boolean {
  return name.length > 0 && !name.includes('/') && !name.startsWith('.');
}

export function readNetInterface(base: string, name: string): NetCounters | undefined {
  if (!isInterfaceName(name)) return undefined;
  const dir = join(base, name);
  const operstate = readText(join(dir, 'operstate'))?.trim();
  if (operstate === undefined) return undefined;
  const num = (file: string) => {
    const v = Number(readText(join(dir, file))?.trim());
    return Number.isFinite(v) ? v : 0;
  };
  const [inOctets, outOctets, inPackets, outPackets, inErrors, outErrors, inDrops, outDrops] = STAT_FILES.map((f) => num(`statistics/${f}`)) as number[];
  const speed = Number(readText(join(dir, 'speed'))?.trim());
  return {
    name, oper: operstate === 'up' || operstate === 'unknown' ? 'up' : 'down', carrierChanges: num('carrier_changes'),
    inOctets: inOctets!, outOctets: outOctets!, inPackets: inPackets!, outPackets: outPackets!,
    inErrors: inErrors!, outErrors: outErrors!, inDrops: inDrops!, outDrops: outDrops!,
    speedMbps: Number.isFinite(speed) && speed > 0 ? speed : null,
  };
}

export function listNetInterfaces(base: string): string[] {
  try {
    return readdirSync(base).filter(isInterfaceName).sort();
  } catch {
    return [];
  }
}
