/**
 * @module confd/northbound/netconf/xpath
 * Data paths as NETCONF shows them (error-path, notification targets): every name prefixed
 * with its top-level part's prefix, with the namespace declarations that go with them:
 * /interfaces/interface[name='eth0']/mtu → /interfaces:interfaces/interfaces:interface[interfaces:name='eth0']/interfaces:mtu
 */
import { formatSegment, parsePath } from '../../core/path.js';
import type { DeviceSchema } from '../../schema/model.js';

export interface PrefixedPath {
  readonly xpath: string;
  /** prefix → namespace URI, to declare on the element carrying the path. */
  readonly namespaces: ReadonlyMap<string, string>;
}

export function prefixedPath(schema: DeviceSchema, path: string): PrefixedPath {
  let segments;
  try {
    segments = parsePath(path);
  } catch {
    return { xpath: path, namespaces: new Map() };
  }
  const part = segments[0]?.name;
  const ns = part !== undefined ? schema.namespaces.get(part) : undefined;
  if (part === undefined || ns === undefined) return { xpath: path, namespaces: new Map() };
  const p = part;
  const xpath = segments.map((seg) => '/' + formatSegment({
    name: `${p}:${seg.name}`,
    ...(seg.keys ? { keys: seg.keys.map(([k, v]) => [`${p}:${k}`, v] as const) } : {}),
  })).join('');
  return { xpath, namespaces: new Map([[p, ns]]) };
}

/** The xmlns:prefix attributes for a prefixed path. */
export function namespaceAttributes(p: PrefixedPath): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const [prefix, uri] of p.namespaces) attrs[`xmlns:${prefix}`] = uri;
  return attrs;
}
