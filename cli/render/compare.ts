/**
 * @module cli/render/compare
 * `show | compare`: the appliance's leaf changes in the Junos form — a `[edit …]` header
 * naming the level, then `-` lines for what goes and `+` lines for what comes, in the
 * hierarchical format. Hunks come in the order of the configuration, one per level; a whole
 * list entry created or deleted is shown as its block, entries nested in it included.
 * `| display set` gives the same change as `set`/`delete` lines, `| display json` as the
 * ordered list of changes. Pure.
 */
import { isObject, type JsonValue, type LeafChange, type PathSegment } from '../../confd/api/index.js';
import type { GNode, Grammar } from '../grammar.js';
import { quoteWord } from '../tokenizer.js';
import { entryBlock, statement, valueWord } from './brace.js';
import { compareOrder, orderOf, placeChanges, type PlacedChange } from './change-order.js';
import { setLinesAt } from './set.js';

/** The words that name `segments`: `interfaces interface eth0`. */
export function pathWords(segments: readonly PathSegment[]): string[] {
  const words: string[] = [];
  for (const s of segments) {
    words.push(s.name);
    if (s.keys) for (const [, v] of s.keys) words.push(quoteWord(v));
  }
  return words;
}

/** `[edit interfaces interface eth0]` for the segments of a level. */
export function editHeader(segments: readonly PathSegment[]): string {
  return `[${['edit', ...pathWords(segments)].join(' ')}]`;
}

const prefixed = (sign: '+' | '-', lines: readonly string[]) => lines.map((l) => `${sign}   ${l}`);

function leafListDelta(c: LeafChange): { gone: JsonValue[]; come: JsonValue[] } {
  const before = Array.isArray(c.old) ? c.old : [];
  const after = Array.isArray(c.new) ? c.new : [];
  return { gone: before.filter((v) => !after.includes(v)), come: after.filter((v) => !before.includes(v)) };
}

/** The lines of one change, without its header. */
function changeLines(node: GNode, c: LeafChange): string[] {
  const block = (v: JsonValue | undefined): string[] => {
    const lines: string[] = [];
    if (v === undefined || v === null) return lines;
    if (node.kind === 'list' && isObject(v)) entryBlock(node, v, '', lines);
    else statement(node, v, '', lines);
    return lines;
  };
  if (node.kind === 'leaf-list' && (Array.isArray(c.old) || Array.isArray(c.new))) {
    const { gone, come } = leafListDelta(c);
    return [...gone.flatMap((v) => prefixed('-', block([v]))), ...come.flatMap((v) => prefixed('+', block([v])))];
  }
  const out: string[] = [];
  if (c.op !== 'create') out.push(...prefixed('-', block(c.old)));
  if (c.op !== 'delete') out.push(...prefixed('+', block(c.new)));
  return out;
}

const text = (lines: readonly string[]) => (lines.length > 0 ? lines.join('\n') + '\n' : '');

export function renderCompare(grammar: Grammar, changes: readonly LeafChange[]): string {
  const hunks = new Map<string, { order: readonly unknown[]; lines: string[] }>();
  for (const p of placeChanges(grammar, changes)) {
    const level = p.segments.slice(0, -1);
    const header = editHeader(level);
    const lines = changeLines(p.node, p.change);
    if (lines.length === 0) continue;
    let hunk = hunks.get(header);
    if (!hunk) { hunk = { order: orderOf(grammar, level)?.order ?? [], lines: [] }; hunks.set(header, hunk); }
    hunk.lines.push(...lines);
  }
  const sorted = [...hunks].sort(([, a], [, b]) => compareOrder(a.order as never, b.order as never));
  return text(sorted.flatMap(([header, h]) => [header, ...h.lines]));
}

/** The set/delete lines of one placed change. */
function changeSetLines(p: PlacedChange): string[] {
  const { node, change: c } = p;
  const at = pathWords(p.segments).join(' ');
  if (node.kind === 'leaf-list' && (Array.isArray(c.old) || Array.isArray(c.new))) {
    const { gone, come } = leafListDelta(c);
    return [...gone.map((v) => `delete ${at} ${valueWord(v)}`), ...come.map((v) => `set ${at} ${valueWord(v)}`)];
  }
  if (c.op === 'delete') return [`delete ${at}`];
  if (node.kind === 'list' && isObject(c.new)) {
    const lines = setLinesAt(node, c.new, `set ${at}`);
    return lines.length > 0 ? lines : [`set ${at}`];
  }
  return c.new === undefined || c.new === null ? [] : [`set ${at} ${valueWord(c.new)}`];
}

/** `show | compare | display set`: the change as the commands that make it. */
export function renderCompareSet(grammar: Grammar, changes: readonly LeafChange[]): string {
  return text(placeChanges(grammar, changes).flatMap(changeSetLines));
}

/** `show | compare | display json`: the changes in configuration order, nested entries folded in. */
export function renderCompareJson(grammar: Grammar, changes: readonly LeafChange[]): string {
  return JSON.stringify(placeChanges(grammar, changes).map((p) => p.change), null, 2) + '\n';
}
