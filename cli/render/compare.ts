/**
 * @module cli/render/compare
 * `show | compare`: the appliance's leaf changes in the Junos form — a `[edit …]` header
 * naming the level, then `-` lines for what goes and `+` lines for what comes, in the
 * hierarchical format. A whole list entry created or deleted is shown as its block. Pure.
 */
import { isObject, parsePath, type LeafChange, type JsonValue, type PathSegment } from '../../confd/api/index.js';
import { nodeAt, type GNode, type Grammar } from '../grammar.js';
import { quoteWord } from '../tokenizer.js';
import { entryBlock, statement } from './brace.js';

/** `[edit interfaces interface eth0]` for the segments of a level. */
export function editHeader(segments: readonly PathSegment[]): string {
  const words: string[] = ['edit'];
  for (const s of segments) {
    words.push(s.name);
    if (s.keys) for (const [, v] of s.keys) words.push(quoteWord(v));
  }
  return `[${words.join(' ')}]`;
}

const prefixed = (sign: '+' | '-', lines: readonly string[]) => lines.map((l) => `${sign}   ${l}`);

/** The lines of one change, without its header. */
function changeLines(node: GNode, c: LeafChange): string[] {
  const out: string[] = [];
  const block = (v: JsonValue | undefined): string[] => {
    const lines: string[] = [];
    if (v === undefined || v === null) return lines;
    if (node.kind === 'list' && isObject(v)) entryBlock(node, v, '', lines);
    else statement(node, v, '', lines);
    return lines;
  };
  if (node.kind === 'leaf-list' && (Array.isArray(c.old) || Array.isArray(c.new))) {
    const before = Array.isArray(c.old) ? c.old : [];
    const after = Array.isArray(c.new) ? c.new : [];
    for (const v of before) if (!after.includes(v)) out.push(...prefixed('-', block([v])));
    for (const v of after) if (!before.includes(v)) out.push(...prefixed('+', block([v])));
    return out;
  }
  if (c.op !== 'create') out.push(...prefixed('-', block(c.old)));
  if (c.op !== 'delete') out.push(...prefixed('+', block(c.new)));
  return out;
}

/** The compare text of `changes` (as the `compare` method returns them, in path order). */
function compareLines(grammar: Grammar, changes: readonly LeafChange[]): string[] {
  const out: string[] = [];
  let header = '';
  for (const c of changes) {
    const segments = parsePath(c.path);
    const node = nodeAt(grammar, segments.map((s) => s.name));
    if (!node || segments.length === 0) continue;
    const h = editHeader(segments.slice(0, -1));
    const lines = changeLines(node, c);
    if (lines.length === 0) continue;
    if (h !== header) { out.push(h); header = h; }
    out.push(...lines);
  }
  return out;
}

export function renderCompare(grammar: Grammar, changes: readonly LeafChange[]): string {
  const lines = compareLines(grammar, changes);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
