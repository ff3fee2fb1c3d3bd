/**
 * @module confd/northbound/restconf/paths
 * RFC 8040 §3.5.3 resource identifiers ⇄ the canonical data paths of core/path:
 * `appliance-interfaces:interfaces/interface=eth0/mtu` ⇄ `/interfaces/interface[name='eth0']/mtu`.
 * The first segment names its module (appliance-P for the part P, its namespace
 * urn:appliance:P); later ones may, and must then name the same module. Keys follow `=`,
 * comma-separated and percent-encoded. Also the RFC 7951 instance-identifier of a data path
 * (error-path, notification targets). Pure: no I/O.
 */
import { ConfdError } from '../../core/errors.js';
import { formatPath, parsePath, type PathSegment } from '../../core/path.js';
import type { ContainerLike, DataNodeSchema, DeviceSchema, SchemaNode } from '../../schema/model.js';
import { resolveDataPath } from '../../schema/resolve.js';
import { moduleNameOf } from '../../schema/yang.js';

export interface ResourcePath {
  /** The canonical data path ('/' for the datastore itself). */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  /** The schema node named (the root for the datastore). */
  readonly node: DataNodeSchema;
}

/** The module of a schema node: that of its namespace. */
export function moduleOf(node: SchemaNode): string {
  return moduleNameOf(node.namespace);
}

function decode(text: string, whole: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConfdError('RC_MALFORMED', `bad percent-encoding in '${whole}'`);
  }
}

/**
 * Parses the part of a request path after `/restconf/data` (with or without its leading
 * '/', still percent-encoded). Throws RC_NOT_FOUND when it names nothing in the schema,
 * RC_MALFORMED when it is not a resource identifier.
 */
export function parseResourcePath(schema: DeviceSchema, encoded: string): ResourcePath {
  const text = encoded.replace(/^\/+/, '').replace(/\/+$/, '');
  if (text === '') return { path: '/', segments: [], node: schema.root };
  const segments: PathSegment[] = [];
  let parent: ContainerLike = schema.root;
  let module = '';
  const raws = text.split('/');
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i]!;
    if (raw === '') throw new ConfdError('RC_MALFORMED', `empty segment in '${encoded}'`);
    const eq = raw.indexOf('=');
    const qualified = decode(eq < 0 ? raw : raw.slice(0, eq), encoded);
    const colon = qualified.indexOf(':');
    const prefix = colon < 0 ? undefined : qualified.slice(0, colon);
    const name = colon < 0 ? qualified : qualified.slice(colon + 1);
    const node: SchemaNode | undefined = parent.children.get(name);
    if (node === undefined || (prefix !== undefined && prefix !== moduleOf(node))) {
      throw new ConfdError('RC_NOT_FOUND', `no resource '${qualified}' here`, { path: formatPath(segments) });
    }
    if (prefix === undefined && module === '') {
      throw new ConfdError('RC_MALFORMED', `the first segment names its module: '${moduleOf(node)}:${name}'`);
    }
    module = moduleOf(node);
    if (eq < 0) {
      if (node.kind === 'list' && i !== raws.length - 1) {
        throw new ConfdError('RC_MALFORMED', `list '${name}' needs its keys here (${name}=…)`);
      }
      segments.push({ name });
    } else {
      if (node.kind !== 'list') throw new ConfdError('RC_MALFORMED', `'${name}' is not a list: it takes no keys`);
      const values = raw.slice(eq + 1).split(',').map((v) => decode(v, encoded));
      if (values.length !== node.keys.length) {
        throw new ConfdError('RC_MALFORMED', `list '${name}' is keyed by ${node.keys.join(', ')}: give ${node.keys.length} value(s)`);
      }
      segments.push({ name, keys: node.keys.map((k, i) => [k, values[i]!] as const) });
    }
    if (node.kind === 'leaf' || node.kind === 'leaf-list') {
      if (i !== raws.length - 1) throw new ConfdError('RC_NOT_FOUND', `'${name}' has no children`, { path: formatPath(segments) });
    } else {
      parent = node;
    }
  }
  let resolved;
  try {
    resolved = resolveDataPath(schema, segments);
  } catch (e) {
    if (e instanceof ConfdError) throw new ConfdError('RC_MALFORMED', e.message, { cause: e });
    throw e;
  }
  return { path: resolved.canonical, segments: parsePath(resolved.canonical), node: resolved.node };
}

/** The resource identifier (percent-encoded, no leading '/') of a canonical data path. */
export function resourceIdentifier(schema: DeviceSchema, path: string): string {
  const segments = parsePath(path);
  const out: string[] = [];
  let parent: ContainerLike = schema.root;
  segments.forEach((seg, i) => {
    const node = parent.children.get(seg.name);
    const name = i === 0 && node ? `${moduleOf(node)}:${seg.name}` : seg.name;
    out.push(encodeURIComponent(name).replaceAll('%3A', ':') + (seg.keys ? '=' + seg.keys.map(([, v]) => encodeURIComponent(v)).join(',') : ''));
    if (node && node.kind !== 'leaf' && node.kind !== 'leaf-list') parent = node;
  });
  return out.join('/');
}

/** The RFC 7951 §6.11 instance-identifier of a data path: its first segment module-qualified. */
export function instanceIdentifier(schema: DeviceSchema, path: string): string {
  if (path === '/' || path === '') return '/';
  const m = /^\/([A-Za-z_][A-Za-z0-9_.-]*)/.exec(path);
  const top = m ? schema.root.children.get(m[1]!) : undefined;
  return top ? `/${moduleOf(top)}:${path.slice(1)}` : path;
}
