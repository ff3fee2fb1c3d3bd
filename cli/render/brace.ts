/**
 * @module cli/render/brace
 * The hierarchical configuration format (Junos style): containers and list entries as
 * `name {` … `}` blocks with the keys beside the list name, `leaf value;`, leaf-lists as
 * `name [ a b ];`, values with spaces or special characters quoted so that the text loads back
 * (cli/config-text). Members in schema order. Shows what the appliance sent: what the user may
 * not read has already been removed. Pure.
 */
import { childPath, isObject, type JsonObject, type JsonScalar, type JsonValue } from '../../confd/api/index.js';
import type { GNode } from '../grammar.js';
import { quoteWord } from '../tokenizer.js';

const INDENT = '    ';

/** What the CLI keeps with a node (cli/commands/notes): shown as `inactive:` and `/* … *\/`. */
export interface Mark { readonly inactive?: boolean; readonly comment?: string }
export type Marks = ReadonlyMap<string, Mark>;

/** Where the renderer is: the data path of the node whose members it writes, and the marks to show. */
interface At { readonly path: string; readonly marks: Marks }

const NO_MARKS: At = { path: '/', marks: new Map() };

const below = (at: At, name: string, keys?: ReadonlyArray<readonly [string, string]>): At =>
  ({ path: childPath(at.path, keys ? { name, keys } : { name }), marks: at.marks });

/** Puts the mark of `at` on the lines written since `start`: a comment line above, `inactive:` on the first. */
function decorate(at: At, indent: string, out: string[], start: number): void {
  const m = at.marks.get(at.path);
  if (!m || out.length === start) return;
  if (m.inactive) out[start] = `${indent}inactive: ${out[start]!.slice(indent.length)}`;
  if (m.comment) out.splice(start, 0, `${indent}/* ${m.comment} */`);
}

function entryAt(list: GNode, entry: JsonObject, at: At): At {
  return below(at, list.name, list.keys.map((k) => [k, String(entry[k] ?? '')] as const));
}

/** A scalar as a CLI word. */
export function valueWord(v: JsonValue): string {
  return typeof v === 'string' ? quoteWord(v) : quoteWord(JSON.stringify(v));
}

/** The words after a list's name that identify `entry`: its key values in key order. */
export function keyWords(list: GNode, entry: JsonObject): string {
  return list.keys.map((k) => valueWord((entry[k] ?? '') as JsonScalar)).join(' ');
}

/**
 * Lines for `value`, the data of `node`: the members of a container, the root or a list
 * entry; each entry of a whole list; or the one statement of a leaf or leaf-list.
 */
function braceLines(node: GNode, value: JsonValue | undefined, at: At): string[] {
  const indent = '';
  const out: string[] = [];
  if (value === undefined || value === null) return out;
  switch (node.kind) {
    case 'root':
    case 'container':
      if (isObject(value)) members(node, value, indent, out, at);
      break;
    case 'list': {
      const parent: At = { path: at.path.replace(/\/[^/]*$/, '') || '/', marks: at.marks };
      if (Array.isArray(value)) for (const e of value) { if (isObject(e)) entryBlock(node, e, indent, out, entryAt(node, e, parent)); }
      else if (isObject(value)) members(node, value, indent, out, at);
      break;
    }
    case 'leaf':
    case 'leaf-list':
      statement(node, value, indent, out);
      break;
  }
  return out;
}

/** `value` (the data of `node`, at data path `path`) in the brace format, with the marks given. */
export function renderBrace(node: GNode, value: JsonValue | undefined, marked?: { path: string; marks: Marks }): string {
  const lines = braceLines(node, value, marked ?? NO_MARKS);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

function members(node: GNode, obj: JsonObject, indent: string, out: string[], at: At): void {
  for (const child of node.order) {
    if (child.isKey && node.kind === 'list') continue;
    const v = obj[child.name];
    if (v === undefined || v === null) continue;
    const start = out.length;
    const here = below(at, child.name);
    switch (child.kind) {
      case 'leaf':
      case 'leaf-list':
        statement(child, v, indent, out);
        break;
      case 'container': {
        if (!isObject(v)) break;
        const inner: string[] = [];
        members(child, v, indent + INDENT, inner, here);
        if (inner.length === 0) break;
        out.push(`${indent}${child.name} {`, ...inner, `${indent}}`);
        break;
      }
      case 'list':
        if (Array.isArray(v)) for (const e of v) if (isObject(e)) entryBlock(child, e, indent, out, entryAt(child, e, at));
        break;
      case 'root':
        break;
    }
    if (child.kind !== 'list') decorate(here, indent, out, start);
  }
}

/** One list entry: `name k1 {` … `}`, or `name k1;` when it holds nothing but its keys. */
export function entryBlock(list: GNode, entry: JsonObject, indent: string, out: string[], at: At = NO_MARKS): void {
  const start = out.length;
  const head = `${indent}${list.name} ${keyWords(list, entry)}`;
  const inner: string[] = [];
  members(list, entry, indent + INDENT, inner, at);
  if (inner.length === 0) out.push(`${head};`);
  else out.push(`${head} {`, ...inner, `${indent}}`);
  decorate(at, indent, out, start);
}

/** `leaf value;`, or for a leaf-list `name value;` / `name [ a b ];`. */
export function statement(node: GNode, v: JsonValue, indent: string, out: string[]): void {
  if (node.kind === 'leaf-list' && Array.isArray(v)) {
    if (v.length === 0) return;
    if (v.length === 1) out.push(`${indent}${node.name} ${valueWord(v[0]!)};`);
    else out.push(`${indent}${node.name} [ ${v.map(valueWord).join(' ')} ];`);
    return;
  }
  out.push(`${indent}${node.name} ${valueWord(v)};`);
}
