/**
 * @module bench/netconf-ratios
 * Reads the medians of a bench:netconf run and reports every appliance figure as a ratio to
 * the peer (netconfd) and to the floor (null ssh2 server) of the same run, with the targets.
 */
import { readFileSync } from 'node:fs';

interface Row { label: string; workload: string; entries?: number; median: Record<string, unknown> }

const rows = readFileSync(process.argv[2]!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
const find = (label: string, workload: string, entries?: number): Row | undefined =>
  rows.find((r) => r.label.startsWith(label) && r.workload === workload && (entries === undefined || r.entries === entries));
const num = (r: Row | undefined, k: string): number | undefined => (r && typeof r.median[k] === 'number' ? (r.median[k] as number) : undefined);
const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 ? Math.round((a / b) * 100) / 100 : null);

const out: Record<string, unknown>[] = [];
const add = (what: string, appliance: number | undefined, peer: number | undefined, floor: number | undefined, target: string, ok: boolean | null) =>
  out.push({ what, appliance, peer, floor, vs_peer: ratio(appliance, peer), vs_floor: ratio(appliance, floor), target, met: ok });

const b = num(find('appliance', 'b_single'), 'p50_ms');
const bFloor = num(find('floor', 'b_single'), 'p50_ms');
add('b_single p50 ms (lock/edit/commit/unlock)', b, num(find('peer', 'b_single'), 'p50_ms'), bFloor, '<= 1.4x floor',
  b !== undefined && bFloor !== undefined ? b <= 1.4 * bFloor : null);
for (const n of [1000, 10000]) {
  const g = num(find('appliance', 'g_single_loaded', n), 'p50_ms');
  add(`g_single_loaded p50 ms with ${n} entries`, g, num(find('peer', 'g_single_loaded', n), 'p50_ms'), bFloor,
    n === 10000 ? '<= 1.5x the empty-store cycle' : '-', n === 10000 && g !== undefined && b !== undefined ? g <= 1.5 * b : null);
}
for (const n of [1000, 10000]) {
  const c = num(find('appliance', 'c_bulk', n), 'total_ms');
  add(`c_bulk total ms, ${n} entries`, c, num(find('peer', 'c_bulk', n), 'total_ms'), num(find('floor', 'c_bulk', n), 'total_ms'),
    n === 10000 ? '<= 300 ms' : '-', n === 10000 && c !== undefined ? c <= 300 : null);
}
const a = num(find('appliance', 'a_connect'), 'p50_ms');
add('a_connect p50 ms (connect+hello+close, password)', a, num(find('peer', 'a_connect'), 'p50_ms'), num(find('floor', 'a_connect'), 'p50_ms'),
  '<= 30 ms', a !== undefined ? a <= 30 : null);
const e = num(find('appliance', 'e_concurrent'), 'throughput_per_s');
const ePeer = num(find('peer', 'e_concurrent'), 'throughput_per_s');
add('e_concurrent commits/s (4 sessions)', e, ePeer, num(find('floor', 'e_concurrent'), 'throughput_per_s'), '>= 2x peer',
  e !== undefined && ePeer !== undefined ? e >= 2 * ePeer : null);
add('f_read_one p50 ms', num(find('appliance', 'f_read_one'), 'p50_ms'), num(find('peer', 'f_read_one'), 'p50_ms'),
  num(find('floor', 'f_read_one'), 'p50_ms'), '-', null);
for (const n of [1000, 10000]) {
  add(`d_getconfig p50 ms, ${n} entries`, num(find('appliance', 'd_getconfig', n), 'p50_ms'), num(find('peer', 'd_getconfig', n), 'p50_ms'),
    undefined, '-', null);
}
for (const r of out) process.stdout.write(JSON.stringify(r) + '\n');
