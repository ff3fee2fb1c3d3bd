/**
 * @module confd/northbound/restconf/query
 * RFC 8040 §4.8 query parameters: which a method accepts, their values checked (each at most
 * once), and what they do to a read: `depth` prunes the levels below the target, `fields`
 * keeps the named descendants. Pure: no I/O.
 */
import { ConfdError } from '../../core/errors.js';
import { isObject, type JsonObject, type JsonValue } from '../../core/tree.js';
import type { DataNodeSchema } from '../../schema/model.js';
import type { DefaultsMode } from './json-codec.js';

export interface ReadQuery {
  readonly content: 'config' | 'nonconfig' | 'all';
  /** Levels kept, the target being level 1; undefined: unbounded. */
  readonly depth: number | undefined;
  readonly fields: FieldsTree | undefined;
  readonly defaults: DefaultsMode;
}

/** A parsed `fields` expression: name → what to keep below it (null: everything). */
export type FieldsTree = ReadonlyMap<string, FieldsTree | null>;

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  GET: ['content', 'depth', 'fields', 'with-defaults'],
  POST: ['insert', 'point'],
  PUT: ['insert', 'point'],
  PATCH: [], DELETE: [], OPTIONS: [],
  STREAM: ['start-time', 'stop-time', 'filter'],
};

/** Refuses parameters the method does not take, and any given twice. */
export function checkParams(method: string, query: URLSearchParams): void {
  const allowed = ALLOWED[method === 'HEAD' ? 'GET' : method] ?? [];
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (!allowed.includes(name)) throw new ConfdError('RC_BAD_QUERY', `query parameter '${name}' is not allowed here`, { details: { parameter: name } });
    if (seen.has(name)) throw new ConfdError('RC_BAD_QUERY', `query parameter '${name}' is given more than once`, { details: { parameter: name } });
    seen.add(name);
  }
  if (query.has('insert') || query.has('point')) {
    throw new ConfdError('TXN_NOT_SUPPORTED', 'insert and point: the appliance has no ordered-by-user lists to insert into');
  }
}

export function readQuery(query: URLSearchParams): ReadQuery {
  const content = query.get('content') ?? 'all';
  if (content !== 'config' && content !== 'nonconfig' && content !== 'all') throw bad('content', 'config, nonconfig or all');
  const depthText = query.get('depth') ?? 'unbounded';
  let depth: number | undefined;
  if (depthText !== 'unbounded') {
    depth = /^[0-9]{1,5}$/.test(depthText) ? Number(depthText) : NaN;
    if (!(depth >= 1 && depth <= 65535)) throw bad('depth', 'unbounded or 1 to 65535');
  }
  // Without the parameter, RESTCONF's basic mode (RFC 8040 §4.8.9): report-all (a tool reads what is in force).
  const wd = query.get('with-defaults') ?? 'report-all';
  if (wd !== 'explicit' && wd !== 'report-all' && wd !== 'trim' && wd !== 'report-all-tagged') throw bad('with-defaults', 'explicit, report-all, trim or report-all-tagged');
  const fieldsText = query.get('fields');
  return { content, depth, defaults: wd, fields: fieldsText === null ? undefined : parseFields(fieldsText) };
}

function bad(name: string, expected: string): ConfdError {
  return new ConfdError('RC_BAD_QUERY', `query parameter '${name}' takes ${expected}`, { details: { parameter: name } });
}

/** RFC 8040 §4.8.3: `a/b;c(d;e)`, names optionally module-qualified (the prefix is dropped). */
export function parseFields(text: string): FieldsTree {
  let i = 0;
  const fail = (): never => { throw bad('fields', `a list of paths like 'a/b;c(d;e)' (at offset ${i} of '${text}')`); };
  const name = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
    const s = m![0];
    return s.includes(':') ? s.slice(s.indexOf(':') + 1) : s;
  };
  const list = (): Map<string, FieldsTree | null> => {
    const out = new Map<string, FieldsTree | null>();
    for (;;) {
      path(out);
      if (text[i] !== ';') return out;
      i++;
    }
  };
  const path = (into: Map<string, FieldsTree | null>): void => {
    const n = name();
    let sub: Map<string, FieldsTree | null> | null = null;
    if (text[i] === '/') { i++; sub = new Map(); path(sub); } else if (text[i] === '(') {
      i++;
      sub = list();
      if (text[i] !== ')') fail();
      i++;
    }
    const prior = into.get(n);
    if (prior === null) return;
    if (sub === null || prior === undefined) { into.set(n, sub === null ? null : sub); return; }
    into.set(n, new Map([...prior, ...sub]));
  };
  const out = list();
  if (i !== text.length) fail();
  return out;
}

/** The internal value of a node with only what `fields` names (keys of list entries kept). */
export function applyFields(node: DataNodeSchema, v: JsonValue, fields: FieldsTree): JsonValue {
  if (Array.isArray(v)) return v.map((x) => applyFields(node, x, fields));
  if (!isObject(v) || node.kind === 'leaf' || node.kind === 'leaf-list') return v;
  const out: JsonObject = {};
  if (node.kind === 'list') for (const k of node.keys) if (v[k] !== undefined) out[k] = v[k]!;
  for (const [name, sub] of fields) {
    const child = node.children.get(name);
    const cv = v[name];
    if (!child || cv === undefined) continue;
    out[name] = sub === null ? cv : applyFields(child, cv, sub);
  }
  return out;
}

/** The internal value of a node with `depth` levels kept, the node itself being level 1. */
export function applyDepth(node: DataNodeSchema, v: JsonValue, depth: number): JsonValue {
  if (Array.isArray(v)) return v.map((x) => applyDepth(node, x, depth));
  if (!isObject(v) || node.kind === 'leaf' || node.kind === 'leaf-list') return v;
  const out: JsonObject = {};
  if (depth <= 1) {
    // An entry beyond the depth is still named by its keys.
    if (node.kind === 'list') for (const k of node.keys) if (v[k] !== undefined) out[k] = v[k]!;
    return out;
  }
  for (const [name, cv] of Object.entries(v)) {
    const child = node.children.get(name);
    if (!child) continue;
    out[name] = applyDepth(child, cv, depth - 1);
  }
  return out;
}

/** RFC 8040 content=nonconfig: only read-only descendants (with the keys naming their entries); undefined when none. */
export function stateOnly(node: DataNodeSchema, v: JsonValue): JsonValue | undefined {
  if (node.kind !== 'root' && !node.config) return v;
  if (node.kind === 'leaf' || node.kind === 'leaf-list') return undefined;
  if (Array.isArray(v)) {
    const entries = v.map((x) => stateOnly(node, x)).filter((x) => x !== undefined);
    return entries.length > 0 ? entries : undefined;
  }
  if (!isObject(v)) return undefined;
  const out: JsonObject = {};
  let any = false;
  for (const [name, cv] of Object.entries(v)) {
    const child = node.children.get(name);
    if (!child) continue;
    const s = stateOnly(child, cv);
    if (s !== undefined) { out[name] = s; any = true; }
  }
  if (!any) return undefined;
  if (node.kind === 'list') for (const k of node.keys) if (v[k] !== undefined) out[k] = v[k]!;
  return out;
}
