/**
 * @module cli/render/brace
 * The hierarchical configuration format (Junos style): containers and list entries as
 * `name {` … `}` blocks with the keys beside the list name, `leaf value;`, leaf-lists as
 * `name [ a b ];`, values with spaces or special characters quoted so that the text loads back
 * (cli/config-text). Members in schema order. Shows what the appliance sent: what the user may
 * not read has already been removed. Pure.
 */
import { isObject, type JsonObject, type JsonScalar, type JsonValue } from '../../confd/api/index.js';
import type { GNode } from '../grammar.js';
import { quoteWord } from '../tokenizer.js';

const INDENT = '    ';

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
function braceLines(node: GNode, value: JsonValue | undefined, indent = ''): string[] {
  const out: string[] = [];
  if (value === undefined || value === null) return out;
  switch (node.kind) {
    case 'root':
    case 'container':
      if (isObject(value)) members(node, value, indent, out);
      break;
    case 'list':
      if (Array.isArray(value)) for (const e of value) { if (isObject(e)) entryBlock(node, e, indent, out); }
      else if (isObject(value)) members(node, value, indent, out);
      break;
    case 'leaf':
    case 'leaf-list':
      statement(node, value, indent, out);
      break;
  }
  return out;
}

export function renderBrace(node: GNode, value: JsonValue | undefined): string {
  const lines = braceLines(node, value);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

function members(node: GNode, obj: JsonObject, indent: string, out: string[]): void {
  for (const child of node.order) {
    if (child.isKey && node.kind === 'list') continue;
    const v = obj[child.name];
    if (v === undefined || v === null) continue;
    switch (child.kind) {
      case 'leaf':
      case 'leaf-list':
        statement(child, v, indent, out);
        break;
      case 'container': {
        if (!isObject(v)) break;
        const inner: string[] = [];
        members(child, v, indent + INDENT, inner);
        if (inner.length === 0) break;
        out.push(`${indent}${child.name} {`, ...inner, `${indent}}`);
        break;
      }
      case 'list':
        if (Array.isArray(v)) for (const e of v) if (isObject(e)) entryBlock(child, e, indent, out);
        break;
      case 'root':
        break;
    }
  }
}

/** One list entry: `name k1 {` … `}`, or `name k1;` when it holds nothing but its keys. */
export function entryBlock(list: GNode, entry: JsonObject, indent: string, out: string[]): void {
  const head = `${indent}${list.name} ${keyWords(list, entry)}`;
  const inner: string[] = [];
  members(list, entry, indent + INDENT, inner);
  if (inner.length === 0) out.push(`${head};`);
  else out.push(`${head} {`, ...inner, `${indent}}`);
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
