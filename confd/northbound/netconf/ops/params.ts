/**
 * @module confd/northbound/netconf/ops/params
 * Reading the parameters of NETCONF operations: datastores, inline configuration, filters,
 * and simple typed values. Every problem is a coded error naming the element.
 */
import { ConfdError } from '../../../core/errors.js';
import type { JsonObject } from '../../../core/tree.js';
import type { Selector } from '../../../rpc/selector.js';
import type { DeviceSchema } from '../../../schema/model.js';
import type { DatastoreName } from '../../../txn/engine.js';
import { type DefaultsMode, WITH_DEFAULTS_NS, configFromXml } from '../config-codec.js';
import { selectorFromSubtreeFilter } from '../subtree-filter.js';
import { NETCONF_BASE_NS, attribute, type XmlElement } from '../xml-element.js';

/**
 * Whether a parameter element is in the NETCONF base namespace. Unqualified elements count too:
 * clients (ncclient among them) send a user-written `<config>` with no namespace in scope.
 */
export function isBase(el: XmlElement): boolean {
  return el.ns === NETCONF_BASE_NS || el.ns === '';
}

export function param(op: XmlElement, name: string): XmlElement | undefined {
  return op.children.find((c) => c.name === name && isBase(c));
}

export function requiredParam(op: XmlElement, name: string): XmlElement {
  const p = param(op, name);
  if (!p) throw new ConfdError('NC_MISSING_ELEMENT', `<${op.name}> needs <${name}>`, { details: { element: name } });
  return p;
}

/** The datastore named in <source> or <target>, or the inline <config> when `allowInline`. */
export function datastoreParam(
  schema: DeviceSchema, op: XmlElement, name: 'source' | 'target', allowed: readonly DatastoreName[], allowInline = false,
): DatastoreName | JsonObject {
  const holder = requiredParam(op, name);
  const choice = holder.children[0];
  if (!choice || holder.children.length > 1) {
    throw new ConfdError('NC_BAD_ELEMENT', `<${name}> names exactly one datastore`, { details: { element: name } });
  }
  if (isBase(choice) && choice.name === 'config' && allowInline) {
    return configFromXml(schema, choice.children, { allowOperations: false });
  }
  if (isBase(choice) && choice.name === 'url') {
    throw new ConfdError('TXN_NOT_SUPPORTED', 'the :url capability is not supported', { details: { element: 'url' } });
  }
  if (!isBase(choice) || !(allowed as readonly string[]).includes(choice.name)) {
    throw new ConfdError('NC_BAD_ELEMENT', `<${choice.name}> cannot be the ${name} of <${op.name}>`, { details: { element: choice.name } });
  }
  return choice.name as DatastoreName;
}

/** Longest XPath expression accepted in a filter's select (checked before it is parsed). */
export const MAX_XPATH_LENGTH = 4096;

/** An RFC 6241 §8.9 XPath filter: the expression and the prefixes in scope of its <filter>. */
export interface XPathFilter { readonly select: string; readonly namespaces: Readonly<Record<string, string>> }

/** The filter's type, subtree or xpath (anything else is bad-attribute). */
export function filterType(filter: XmlElement): 'subtree' | 'xpath' {
  const type = attribute(filter, '', 'type') ?? attribute(filter, NETCONF_BASE_NS, 'type') ?? 'subtree';
  if (type !== 'subtree' && type !== 'xpath') {
    throw new ConfdError('NC_BAD_ATTRIBUTE', `filter type '${type}' is not supported (subtree or xpath)`,
      { details: { attribute: 'type', element: 'filter' } });
  }
  return type;
}

/**
 * The XPath filter of `op` when its <filter> has type xpath, else undefined. Prefixes are those
 * declared on the filter, the operation and the <rpc> (`outer`, innermost first wins).
 */
export function xpathFilterParam(op: XmlElement, outer: readonly XmlElement[] = []): XPathFilter | undefined {
  const filter = param(op, 'filter');
  if (!filter || filterType(filter) !== 'xpath') return undefined;
  const select = attribute(filter, '', 'select') ?? attribute(filter, NETCONF_BASE_NS, 'select');
  if (select === undefined || select.trim() === '') {
    throw new ConfdError('NC_MISSING_ATTRIBUTE', 'an xpath filter needs its select attribute', { details: { attribute: 'select', element: 'filter' } });
  }
  if (select.length > MAX_XPATH_LENGTH) {
    throw new ConfdError('NC_BAD_ATTRIBUTE', `the XPath filter is longer than ${MAX_XPATH_LENGTH} characters`, { details: { attribute: 'select', element: 'filter' } });
  }
  const namespaces: Record<string, string> = {};
  for (const el of [...outer, op, filter]) {
    for (const d of el.declarations ?? []) if (d.qname.startsWith('xmlns:')) namespaces[d.qname.slice(6)] = d.value;
  }
  return { select, namespaces };
}

/** The selector of a subtree <filter> parameter; undefined when there is none (everything) or it is an XPath filter. */
export function filterParam(schema: DeviceSchema, op: XmlElement): Selector | undefined {
  const filter = param(op, 'filter');
  if (!filter || filterType(filter) === 'xpath') return undefined;
  return selectorFromSubtreeFilter(schema, filter.children);
}

/** The text of an optional parameter, checked against the allowed values. */
export function enumParam<T extends string>(op: XmlElement, name: string, allowed: readonly T[]): T | undefined {
  const p = param(op, name);
  if (!p) return undefined;
  const v = p.text.trim();
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ConfdError('NC_BAD_ELEMENT', `<${name}> must be one of ${allowed.join(', ')}`, { details: { element: name } });
  }
  return v as T;
}

export function uintParam(op: XmlElement, name: string, max = 4294967295): number | undefined {
  const p = param(op, name);
  if (!p) return undefined;
  const v = p.text.trim();
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < 1 || n > max) {
    throw new ConfdError('NC_INVALID_VALUE', `<${name}> must be a whole number from 1 to ${max}`,
      { details: { element: name, rpcPath: `/nc:rpc/nc:${op.name}/nc:${name}` } });
  }
  return n;
}

export function textParam(op: XmlElement, name: string): string | undefined {
  const p = param(op, name);
  return p === undefined ? undefined : p.text.trim();
}

/** RFC 6243 <with-defaults>: the retrieval mode asked for (explicit, the basic mode, when absent). */
export function withDefaultsParam(op: XmlElement): DefaultsMode {
  const p = op.children.find((c) => c.name === 'with-defaults' && c.ns === WITH_DEFAULTS_NS);
  if (!p) return 'explicit';
  const v = p.text.trim();
  if (v === 'explicit' || v === 'report-all' || v === 'trim' || v === 'report-all-tagged') return v;
  throw new ConfdError('TXN_BAD_ARGUMENT', `with-defaults mode '${v}' is not one of explicit, report-all, trim, report-all-tagged`,
    { details: { element: 'with-defaults' } });
}

/**
 * Refuses any parameter of `op` other than the base-namespace `names` (and <with-defaults>
 * when `withDefaults`): RFC 6241 §4.3 unknown-element, never silently ignored.
 */
export function onlyParams(op: XmlElement, names: readonly string[], withDefaults = false): void {
  for (const c of op.children) {
    if (isBase(c) && names.includes(c.name)) continue;
    if (withDefaults && c.ns === WITH_DEFAULTS_NS && c.name === 'with-defaults') continue;
    throw new ConfdError('NC_UNKNOWN_ELEMENT', `<${op.name}> has no parameter <${c.name}>`, { details: { element: c.name } });
  }
}
