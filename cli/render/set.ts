/**
 * @module cli/render/set
 * `| display set`: the configuration as `set` commands with full paths from the top, one
 * leaf (or leaf-list value) per line. Replayed in configuration mode, at the top, they
 * rebuild the same configuration. Pure.
 */
import { isObject, type JsonObject } from '../../confd/api/index.js';
import type { GNode } from '../grammar.js';
import { keyWords, valueWord } from './brace.js';

/** `set` lines for `tree`, a configuration rooted at the top (as config.get returns it). */
export function setLines(root: GNode, tree: JsonObject): string[] {
  const out: string[] = [];
  members(root, tree, 'set', out);
  return out;
}

/** `set` lines for the members of `obj`, the data of `node` (a container or a list entry), each starting with `prefix`. */
export function setLinesAt(node: GNode, obj: JsonObject, prefix: string): string[] {
  const out: string[] = [];
  members(node, obj, prefix, out);
  return out;
}

export function renderSet(root: GNode, tree: JsonObject): string {
  const lines = setLines(root, tree);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

function members(node: GNode, obj: JsonObject, prefix: string, out: string[]): void {
  for (const child of node.order) {
    if (child.isKey && node.kind === 'list') continue;
    const v = obj[child.name];
    if (v === undefined || v === null) continue;
    const here = `${prefix} ${child.name}`;
    switch (child.kind) {
      case 'leaf':
        out.push(`${here} ${valueWord(v)}`);
        break;
      case 'leaf-list':
        if (Array.isArray(v)) for (const item of v) out.push(`${here} ${valueWord(item)}`);
        break;
      case 'container':
        if (isObject(v)) members(child, v, here, out);
        break;
      case 'list':
        if (!Array.isArray(v)) break;
        for (const e of v) {
          if (!isObject(e)) continue;
          const entry = `${here} ${keyWords(child, e)}`;
          const before = out.length;
          members(child, e, entry, out);
          if (out.length === before) out.push(entry);
        }
        break;
      case 'root':
        break;
    }
  }
}
