/**
 * @module cli/render/xml
 * `| display xml`: the configuration as NETCONF carries it, in a <config> element: each
 * top-level part in its own namespace (from the schema description), list entries as repeated
 * elements with their keys first, leaf-lists as repeated elements. Pure.
 */
import { isObject, type JsonObject, type JsonValue } from '../../confd/api/index.js';
import type { GNode } from '../grammar.js';

const NETCONF_BASE = 'urn:ietf:params:xml:ns:netconf:base:1.0';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderXml(root: GNode, tree: JsonObject): string {
  const out: string[] = [`<config xmlns="${NETCONF_BASE}">`];
  members(root, tree, '  ', out);
  out.push('</config>');
  return out.join('\n') + '\n';
}

function open(node: GNode): string {
  return node.namespace ? `<${node.name} xmlns="${escapeXml(node.namespace)}">` : `<${node.name}>`;
}

function scalar(v: JsonValue): string {
  return escapeXml(typeof v === 'string' ? v : JSON.stringify(v));
}

function members(node: GNode, obj: JsonObject, indent: string, out: string[]): void {
  const order = node.kind === 'list' ? [...node.keyLeaves, ...node.order.filter((c) => !c.isKey)] : node.order;
  for (const child of order) {
    const v = obj[child.name];
    if (v === undefined || v === null) continue;
    switch (child.kind) {
      case 'leaf':
        out.push(`${indent}${open(child)}${scalar(v)}</${child.name}>`);
        break;
      case 'leaf-list':
        if (Array.isArray(v)) for (const item of v) out.push(`${indent}${open(child)}${scalar(item)}</${child.name}>`);
        break;
      case 'container': {
        if (!isObject(v)) break;
        const inner: string[] = [];
        members(child, v, indent + '  ', inner);
        if (inner.length > 0) out.push(`${indent}${open(child)}`, ...inner, `${indent}</${child.name}>`);
        break;
      }
      case 'list':
        if (!Array.isArray(v)) break;
        for (const e of v) {
          if (!isObject(e)) continue;
          out.push(`${indent}${open(child)}`);
          members(child, e, indent + '  ', out);
          out.push(`${indent}</${child.name}>`);
        }
        break;
      case 'root':
        break;
    }
  }
}
