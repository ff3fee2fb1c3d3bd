/**
 * @module cli/commands/entry-verbs
 * The verbs that act on whole list entries: `rename PATH to [LIST] KEY…`, `copy PATH to
 * [LIST] KEY…`, `insert PATH before|after [LIST] KEY…` and `wildcard delete LIST PATTERN…`. Each reads the entry from the candidate and
 * sends one edit (the new entry with everything under it, and for rename and insert the old
 * one's delete), so the appliance checks the result as it checks any edit. Lists are kept in
 * key order; `insert` moves an entry of a list keyed by one number (firewall rules) by giving
 * it a free number between its new neighbours.
 */
import { isObject, type JsonObject, type JsonScalar } from '../../confd/api/index.js';
import type { Args } from '../command-table.js';
import type { CommandContext } from '../context.js';
import { entriesEdit, entryDelete, subtreeAt } from '../edit-tree.js';
import { dataPath, type DataSegment, type GNode } from '../grammar.js';
import { problem } from '../problem.js';
import { valueWord } from '../render/brace.js';

interface Named { readonly list: GNode; readonly parent: readonly DataSegment[]; readonly segment: DataSegment }

/** The list entry a path names, or a problem when it names something else. */
function named(cx: CommandContext, args: Args, verb: string): Named | number {
  const t = args.path('path');
  const last = t?.segments[t.segments.length - 1];
  if (!t || t.node.kind !== 'list' || !last?.keys) return cx.problem(problem('bad-argument', `only a list entry can be given to '${verb}' (for example: firewall rule 10)`));
  return { list: t.node, parent: t.segments.slice(0, -1), segment: last };
}

const label = (list: GNode, seg: DataSegment) => `${list.name} ${(seg.keys ?? []).map(([, v]) => valueWord(v)).join(' ')}`;

async function entryData(cx: CommandContext, segments: readonly DataSegment[]): Promise<JsonObject | undefined> {
  const tree = await cx.backend.request<JsonObject>('config.get', { datastore: 'candidate', path: dataPath(segments) });
  const v = subtreeAt(tree, segments);
  return isObject(v) ? v : undefined;
}

async function send(cx: CommandContext, n: Named, entries: JsonObject[]): Promise<number> {
  try {
    await cx.backend.request('config.edit', { edit: entriesEdit(n.parent, n.list, entries) });
    return 0;
  } catch (e) {
    return cx.fail(e, { action: 'set' });
  } finally {
    await cx.changed('candidate');
  }
}

const withKeys = (data: JsonObject, seg: DataSegment): JsonObject => ({ ...data, ...Object.fromEntries(seg.keys ?? []) });

/** `rename` (the old entry goes) or `copy` (it stays). */
export async function renameOrCopy(cx: CommandContext, args: Args, verb: 'rename' | 'copy'): Promise<number> {
  const n = named(cx, args, verb);
  if (typeof n === 'number') return n;
  const to = args.segments('to')!;
  const toSeg = to[to.length - 1]!;
  const data = await entryData(cx, [...n.parent, n.segment]);
  if (!data) return cx.problem(problem('bad-argument', `${label(n.list, n.segment)} does not exist`));
  if (await entryData(cx, to)) return cx.problem(problem('bad-argument', `${label(n.list, toSeg)} already exists`));
  return send(cx, n, [...(verb === 'rename' ? [entryDelete(n.segment)] : []), withKeys(data, toSeg)]);
}

/** A whole number strictly between `lo` and `hi`, or undefined when there is none. */
function between(lo: number, hi: number): number | undefined {
  if (hi - lo < 2) return undefined;
  const mid = Math.floor((lo + hi) / 2);
  // A multiple of ten when one fits near the middle: numbers stay easy to read.
  const round = Math.round(mid / 10) * 10;
  return round > lo && round < hi ? round : mid;
}

/** `insert PATH before|after ENTRY`: the entry gets a free number between its new neighbours. */
export async function insert(cx: CommandContext, args: Args): Promise<number> {
  const n = named(cx, args, 'insert');
  if (typeof n === 'number') return n;
  if (n.list.keyLeaves.length !== 1 || n.list.keyLeaves[0]!.type !== 'integer') {
    return cx.problem(problem('bad-argument', `${n.list.name} entries are kept in the order of their ${n.list.keys.join(' and ')}; insert moves entries of a list ordered by a number (such as firewall rule)`));
  }
  const keyName = n.list.keys[0]!;
  const to = args.segments('to')!;
  const refSeg = to[to.length - 1]!;
  const moving = Number(n.segment.keys![0]![1]);
  const ref = Number(refSeg.keys![0]![1]);
  if (moving === ref) return cx.problem(problem('bad-argument', 'an entry cannot be inserted next to itself'));
  const listTree = await cx.backend.request<JsonObject>('config.get', { datastore: 'candidate', path: dataPath([...n.parent, { name: n.list.name }]) });
  const all = subtreeAt(listTree, [...n.parent, { name: n.list.name }]);
  const entries = (Array.isArray(all) ? all : []).filter(isObject);
  const data = entries.find((e) => e[keyName] === moving);
  if (!data) return cx.problem(problem('bad-argument', `${label(n.list, n.segment)} does not exist: create it with 'set' first`));
  if (!entries.some((e) => e[keyName] === ref)) return cx.problem(problem('bad-argument', `${label(n.list, refSeg)} does not exist`));
  const others = entries.map((e) => e[keyName] as JsonScalar).filter((k): k is number => typeof k === 'number' && k !== moving).sort((a, b) => a - b);
  const at = others.indexOf(ref);
  const where = args.text('where') as 'before' | 'after';
  const lo = where === 'before' ? (others[at - 1] ?? 0) : ref;
  const hi = where === 'before' ? ref : (others[at + 1] ?? ref + 20);
  if (moving > lo && moving < hi) {
    cx.out(`${label(n.list, n.segment)} is already ${where} ${label(n.list, refSeg)}\n`);
    return 0;
  }
  const key = between(lo, hi);
  if (key === undefined) {
    return cx.problem(problem('bad-argument', `no free ${keyName} between ${lo} and ${hi}: make room with 'rename' first`));
  }
  const newSeg: DataSegment = { name: n.list.name, keys: [[keyName, key]] };
  const status = await send(cx, n, [entryDelete(n.segment), withKeys(data, newSeg)]);
  if (status === 0) cx.out(`${label(n.list, n.segment)} is now ${label(n.list, newSeg)}, ${where} ${label(n.list, refSeg)}\n`);
  return status;
}

/** A key pattern with `*` (any text) and `?` (one character) as a regular expression. */
function globRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}

/** `wildcard delete LIST PATTERN…`: every entry whose keys match the patterns goes, in one edit. */
export async function wildcardDelete(cx: CommandContext, args: Args): Promise<number> {
  const n = named(cx, args, 'wildcard delete');
  if (typeof n === 'number') return n;
  const patterns = (n.segment.keys ?? []).map(([k, v]) => [k, globRegExp(String(v))] as const);
  const listPath = [...n.parent, { name: n.list.name }];
  const tree = await cx.backend.request<JsonObject>('config.get', { datastore: 'candidate', path: dataPath(listPath) });
  const all = subtreeAt(tree, listPath);
  const matched = (Array.isArray(all) ? all : []).filter(isObject).filter((e) => patterns.every(([k, re]) => re.test(String(e[k]))));
  if (matched.length === 0) return cx.problem(problem('bad-argument', `no ${label(n.list, n.segment)} matches`));
  const segs = matched.map((e): DataSegment => ({ name: n.list.name, keys: n.list.keys.map((k) => [k, e[k] as JsonScalar] as const) }));
  const status = await send(cx, n, segs.map(entryDelete));
  if (status === 0) cx.out(`deleted ${segs.length} ${segs.length === 1 ? 'entry' : 'entries'}: ${segs.map((s) => label(n.list, s)).join(', ')}\n`);
  return status;
}
