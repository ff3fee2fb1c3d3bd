/**
 * @module confd/schema/resolve
 * From data paths to the schema and to the stored node that holds the data, and the canonical
 * paths of list entries. One place decides how keys are written in paths.
 */
import { ConfdError } from '../core/errors.js';
import { childPath, formatPath, parsePath, type PathSegment } from '../core/path.js';
import type { JsonObject, JsonScalar } from '../core/tree.js';
import type { ContainerLike, DataNodeSchema, DeviceSchema, ListSchema } from './model.js';
import { formatLeafValue, parseLeafText } from './values.js';

/** Text of an entry's key values, in key order. */
export function entryKeyValues(list: ListSchema, body: JsonObject): Array<[string, string]> {
  return list.keys.map((k) => [k, formatLeafValue(body[k] as JsonScalar)]);
}

/** Canonical path of the entry of `list` with `body`, under the stored node `parentPath`. */
export function entryPath(list: ListSchema, parentPath: string, body: JsonObject): string {
  let p = parentPath;
  for (let i = 0; i < list.relPath.length - 1; i++) p = childPath(p, { name: list.relPath[i]! });
  return childPath(p, { name: list.name, keys: entryKeyValues(list, body) });
}

export interface ResolvedPath {
  /** The schema node the path names (a list without keys names the whole list). */
  readonly node: DataNodeSchema;
  /** The stored node holding the data: '/' for the root body, or a list entry. */
  readonly entryPath: string;
  /** The list of that stored node, or null for the root. */
  readonly entryList: ListSchema | null;
  /** Names inside the stored node's body (empty when the path is the node itself, or a list). */
  readonly bodyPath: readonly string[];
  /** Typed key values when the path ends at a list entry. */
  readonly keyValues?: Record<string, JsonScalar>;
  /** The canonical form of the path (keys re-formatted from their typed values). */
  readonly canonical: string;
}

/** Resolves a data path against the schema; keys are type-checked and canonicalised. */
export function resolveDataPath(schema: DeviceSchema, path: string | readonly PathSegment[]): ResolvedPath {
  const segments = typeof path === 'string' ? parsePath(path) : path;
  const text = typeof path === 'string' ? path : formatPath(path);
  let node: DataNodeSchema = schema.root;
  let entryPathText = '/';
  let entryList: ListSchema | null = null;
  let bodyPath: string[] = [];
  let keyValues: Record<string, JsonScalar> | undefined;
  const canonical: PathSegment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (node.kind === 'leaf' || node.kind === 'leaf-list') {
      throw new ConfdError('SCHEMA_BAD_PATH', `'${node.name}' has no children`, { path: text });
    }
    const child = (node as ContainerLike).children.get(seg.name);
    if (!child) {
      throw new ConfdError('SCHEMA_BAD_PATH', `unknown element '${seg.name}'`, { path: formatPath(segments.slice(0, i + 1)) });
    }
    keyValues = undefined;
    if (child.kind === 'list') {
      if (seg.keys && seg.keys.length > 0) {
        const given = new Map(seg.keys);
        keyValues = {};
        const keys: Array<[string, string]> = [];
        for (const leaf of child.keyLeaves) {
          const raw = given.get(leaf.name);
          if (raw === undefined) {
            throw new ConfdError('SCHEMA_MISSING_KEY', `list '${child.name}' needs key '${leaf.name}'`, { path: text });
          }
          const v = parseLeafText(leaf.type, raw, text);
          keyValues[leaf.name] = v;
          keys.push([leaf.name, formatLeafValue(v)]);
        }
        if (given.size !== child.keys.length) {
          throw new ConfdError('SCHEMA_BAD_PATH', `list '${child.name}' is keyed by ${child.keys.join(', ')}`, { path: text });
        }
        canonical.push({ name: seg.name, keys });
        entryPathText = formatPath(canonical);
        entryList = child;
        bodyPath = [];
      } else {
        if (i !== segments.length - 1) {
          throw new ConfdError('SCHEMA_MISSING_KEY', `list '${child.name}' needs its keys here`, { path: text });
        }
        canonical.push({ name: seg.name });
      }
    } else {
      if (seg.keys && seg.keys.length > 0) {
        throw new ConfdError('SCHEMA_BAD_PATH', `'${seg.name}' is not a list`, { path: text });
      }
      canonical.push({ name: seg.name });
      bodyPath.push(seg.name);
    }
    node = child;
  }
  return {
    node, entryPath: entryPathText, entryList, bodyPath,
    ...(keyValues ? { keyValues } : {}), canonical: formatPath(canonical),
  };
}

/** The list and parent node of a stored entry path (as written by entryPath). */
export function describeEntryPath(schema: DeviceSchema, path: string): { list: ListSchema | null; parent: string } {
  if (path === '/') return { list: null, parent: '' };
  const segments = parsePath(path);
  let lastKeyed = -1;
  let prevKeyed = -1;
  segments.forEach((s, i) => {
    if (s.keys && s.keys.length > 0) { prevKeyed = lastKeyed; lastKeyed = i; }
  });
  if (lastKeyed !== segments.length - 1) {
    throw new ConfdError('SCHEMA_BAD_PATH', 'not the path of a list entry', { path });
  }
  const resolved = resolveDataPath(schema, segments);
  if (resolved.node.kind !== 'list') throw new ConfdError('SCHEMA_BAD_PATH', 'not the path of a list entry', { path });
  return { list: resolved.node, parent: prevKeyed < 0 ? '/' : formatPath(segments.slice(0, prevKeyed + 1)) };
}
