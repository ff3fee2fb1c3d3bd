/**
 * @module confd/northbound/restconf/data
 * The datastore resource /restconf/data and its data resources (RFC 8040 §3.3, §4): GET and
 * HEAD with content, depth, fields and with-defaults; POST creates a child (201, 409 when it
 * exists), PUT creates or replaces (201 / 204), PATCH merges into an existing resource,
 * DELETE removes one. Every write is one commit (confd/rpc/commit-edit) under the
 * preconditions of preconditions.ts; reads and writes pass the access rules of confd/rpc.
 */
import { ConfdError } from '../../core/errors.js';
import { childPath, formatPath, type PathSegment } from '../../core/path.js';
import { isObject, type JsonObject, type JsonValue } from '../../core/tree.js';
import { commitEdit } from '../../rpc/commit-edit.js';
import { selectorFromPath } from '../../rpc/selector-from-path.js';
import type { ContainerLike, DataNodeSchema } from '../../schema/model.js';
import { formatLeafValue } from '../../schema/values.js';
import type { RcReply, RcRequest, RcServices } from './context.js';
import { MEDIA } from './context.js';
import { decodeMembers, encodeResource } from './json-codec.js';
import { parseResourcePath, resourceIdentifier, type ResourcePath } from './paths.js';
import { checkRead, checkWrite, versionHeaders } from './preconditions.js';
import { applyDepth, applyFields, checkParams, readQuery, stateOnly } from './query.js';
import { deleteAt, editAt, keysOf, nodesAlong, valueAt } from './resource.js';
import { bodyElements, decodeXmlMembers, xmlResource } from './xml-body.js';
import { YANG_PATCH_JSON, applyPatch } from './yang-patch.js';

export const DATA_METHODS = 'GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE';

export async function dataResource(svc: RcServices, req: RcRequest): Promise<RcReply> {
  checkParams(req.method, req.query);
  const target = parseResourcePath(svc.schema, req.rest);
  switch (req.method) {
    case 'GET': case 'HEAD': return read(svc, req, target);
    case 'OPTIONS': return { status: 200, headers: { allow: DATA_METHODS, 'accept-patch': `${MEDIA.json}, ${MEDIA.xml}, ${YANG_PATCH_JSON}` } };
    case 'POST': return create(svc, req, target);
    case 'PUT': return replace(svc, req, target);
    case 'PATCH': return merge(svc, req, target);
    case 'DELETE': return remove(svc, req, target);
    default: throw new ConfdError('RC_METHOD_NOT_ALLOWED', `${req.method} is not a method of data resources (${DATA_METHODS})`, { details: { allow: DATA_METHODS } });
  }
}

/**
 * The value of the resource in running (with state unless content=config); undefined when
 * absent. `explicit`: without the defaults no client set (a read's default mode); writes see them all.
 */
function current(svc: RcServices, req: RcRequest, target: ResourcePath, withState: boolean, explicit = false): JsonValue | undefined {
  const selector = target.segments.length === 0 ? undefined : selectorFromPath(svc.schema, target.path);
  const without = explicit ? 'explicit' : undefined;
  const tree = withState ? svc.ops.get(req.session, selector, svc.state, without) : svc.ops.getConfig(req.session, 'running', selector, without);
  return valueAt(tree, target.segments);
}

function read(svc: RcServices, req: RcRequest, target: ResourcePath): RcReply {
  const q = readQuery(req.query);
  const notModified = checkRead(svc.ops, req.headers);
  if (notModified) return notModified;
  let v = current(svc, req, target, q.content !== 'config', q.defaults === 'explicit');
  // A container has no presence of its own: empty, it is there when its entry (or the datastore) is.
  if (v === undefined && target.node.kind === 'container' && exists(svc, req, target)) v = {};
  if (target.node.kind !== 'root' && !target.node.config && q.content === 'config') v = undefined;
  if (v !== undefined && q.content === 'nonconfig') v = stateOnly(target.node, v);
  if (v === undefined || (Array.isArray(v) && v.length === 0 && target.segments.at(-1)?.keys === undefined && target.node.kind === 'list')) {
    throw new ConfdError('RC_NOT_FOUND', 'no such resource', { path: target.path });
  }
  // An entry is written as a list of one (RFC 7951 §5.4), in JSON and XML alike.
  if (target.node.kind === 'list' && target.segments.at(-1)?.keys !== undefined) v = [v];
  if (q.fields) v = applyFields(target.node, v, q.fields);
  if (q.depth !== undefined) v = applyDepth(target.node, v, q.depth);
  const body = req.format === 'xml' ? xmlResource(svc.schema, target.node, v, q.defaults) : JSON.stringify(encodeResource(target.node, v, q.defaults), null, 2) + '\n';
  return { status: 200, body, format: req.format, headers: versionHeaders(svc.ops) };
}

/** A body's members for the node at `parentSegments`, JSON or XML. */
async function members(svc: RcServices, req: RcRequest, parent: DataNodeSchema, parentSegments: readonly PathSegment[], parentPath: string): Promise<JsonObject> {
  const body = await req.body();
  if (body === undefined) throw new ConfdError('RC_MALFORMED', `${req.method} needs a body`);
  if (body.kind === 'json') {
    // The datastore's own representation ({"ietf-restconf:data": {…}}) or its members directly.
    const v = parentSegments.length === 0 && isObject(body.value) && Object.keys(body.value).length === 1 && isObject(body.value['ietf-restconf:data'])
      && req.method !== 'POST' ? body.value['ietf-restconf:data'] : body.value;
    return decodeMembers(parent as ContainerLike, v, parentPath);
  }
  return decodeXmlMembers(svc.schema, parentSegments, bodyElements(body.root, parentSegments.length === 0 && req.method !== 'POST'));
}

function parentOf(svc: RcServices, target: ResourcePath): { node: DataNodeSchema; segments: readonly PathSegment[]; path: string } {
  const segments = target.segments.slice(0, -1);
  const node = segments.length === 0 ? svc.schema.root : nodesAlong(svc.schema, segments).at(-1)!;
  return { node, segments, path: formatPath(segments) };
}

function refuseWholeList(target: ResourcePath, method: string): void {
  if (target.node.kind === 'list' && target.segments.at(-1)?.keys === undefined) {
    throw new ConfdError('RC_METHOD_NOT_ALLOWED', `${method} takes a list entry (${target.node.name}=key), not the whole list`,
      { path: target.path, details: { allow: 'GET, HEAD, OPTIONS' } });
  }
}

/** The one member a PUT or PATCH body gives: the target itself, with the URI's keys for a list entry. */
function checkTargetMember(svc: RcServices, target: ResourcePath, body: JsonObject): void {
  const name = target.segments.at(-1)!.name;
  const names = Object.keys(body);
  if (names.length !== 1 || names[0] !== name) {
    throw new ConfdError('RC_MALFORMED', `the body must hold exactly the target resource '${name}'`, { path: target.path });
  }
  if (target.node.kind !== 'list') return;
  const entries = body[name];
  if (!Array.isArray(entries) || entries.length !== 1 || !isObject(entries[0])) {
    throw new ConfdError('RC_MALFORMED', `the body must hold exactly one '${name}' entry`, { path: target.path });
  }
  const keys = keysOf(svc.schema, target.segments);
  for (const [k, v] of Object.entries(keys)) {
    const given = entries[0][k];
    if (given === undefined || formatLeafValue(given as never) !== formatLeafValue(v as never)) {
      throw new ConfdError('SCHEMA_INVALID_VALUE', `key '${k}' in the body must equal the one in the URI`, { path: target.path });
    }
  }
}

async function write(svc: RcServices, req: RcRequest, target: ResourcePath, edit: JsonObject, exists: boolean,
  options: { replaceAll?: boolean } = {}): Promise<void> {
  await commitEdit(svc.ops, req.session, edit, {
    ...(options.replaceAll ? { defaultOperation: 'replace' } : {}),
    comment: `restconf ${req.method} ${target.path}`,
    precondition: () => checkWrite(svc.ops, req.headers, exists),
  });
}

/** Whether the resource is there: containers are (they have no presence of their own), leaves and entries when stored. */
function exists(svc: RcServices, req: RcRequest, target: ResourcePath): boolean {
  if (target.segments.length === 0) return true;
  if (target.node.kind === 'container') {
    const entry = target.segments.findLastIndex((seg) => seg.keys !== undefined);
    if (entry < 0) return true;
    const segments = target.segments.slice(0, entry + 1);
    return exists(svc, req, { path: formatPath(segments), segments, node: nodesAlong(svc.schema, segments).at(-1)! });
  }
  return current(svc, req, target, false) !== undefined;
}

async function create(svc: RcServices, req: RcRequest, target: ResourcePath): Promise<RcReply> {
  if (target.node.kind === 'leaf' || target.node.kind === 'leaf-list') {
    throw new ConfdError('RC_METHOD_NOT_ALLOWED', 'POST creates a child of a container, list entry or the datastore; PUT or PATCH a leaf',
      { path: target.path, details: { allow: 'GET, HEAD, OPTIONS, PUT, PATCH, DELETE' } });
  }
  refuseWholeList(target, 'POST');
  if (!exists(svc, req, target)) throw new ConfdError('RC_NOT_FOUND', 'no such resource', { path: target.path });
  const body = await members(svc, req, target.node, target.segments, target.path);
  const names = Object.keys(body);
  if (names.length !== 1) throw new ConfdError('RC_MALFORMED', 'POST takes exactly one child resource to create', { path: target.path });
  const child = (target.node as ContainerLike).children.get(names[0]!)!;
  let created = childPath(target.path, { name: child.name });
  if (child.kind === 'list') {
    const entries = body[child.name];
    if (!Array.isArray(entries) || entries.length !== 1 || !isObject(entries[0])) {
      throw new ConfdError('RC_MALFORMED', `POST creates one '${child.name}' entry at a time`, { path: target.path });
    }
    const entry = entries[0];
    created = childPath(target.path, { name: child.name, keys: child.keys.map((k) => [k, formatLeafValue(entry[k] as never)] as const) });
  }
  await write(svc, req, target, editAt(svc.schema, target.segments, body, 'create'), false);
  const location = `/restconf/data/${resourceIdentifier(svc.schema, created)}`;
  return { status: 201, headers: { location, ...versionHeaders(svc.ops) } };
}

async function replace(svc: RcServices, req: RcRequest, target: ResourcePath): Promise<RcReply> {
  refuseWholeList(target, 'PUT');
  if (target.segments.length === 0) {
    const body = await members(svc, req, svc.schema.root, [], '/');
    await write(svc, req, target, body, true, { replaceAll: true });
    return { status: 204, headers: versionHeaders(svc.ops) };
  }
  const parent = parentOf(svc, target);
  const body = await members(svc, req, parent.node, parent.segments, parent.path);
  checkTargetMember(svc, target, body);
  const existed = exists(svc, req, target);
  await write(svc, req, target, editAt(svc.schema, parent.segments, body, 'replace'), existed);
  return { status: existed ? 204 : 201, headers: versionHeaders(svc.ops) };
}

async function merge(svc: RcServices, req: RcRequest, target: ResourcePath): Promise<RcReply> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === YANG_PATCH_JSON) {
    if (!exists(svc, req, target)) throw new ConfdError('RC_NOT_FOUND', 'no such resource', { path: target.path });
    const reply = await applyPatch(svc, req.session, req.rest, await req.body(), (t, m) => checkTargetMember(svc, t, m),
      () => checkWrite(svc.ops, req.headers, true));
    return { ...reply, headers: versionHeaders(svc.ops) };
  }
  refuseWholeList(target, 'PATCH');
  if (target.segments.length === 0) {
    const body = await members(svc, req, svc.schema.root, [], '/');
    await write(svc, req, target, editAt(svc.schema, [], body, 'merge'), true);
    return { status: 204, headers: versionHeaders(svc.ops) };
  }
  if (!exists(svc, req, target)) throw new ConfdError('RC_NOT_FOUND', 'no such resource: PATCH merges into an existing one (PUT or POST creates)', { path: target.path });
  const parent = parentOf(svc, target);
  const body = await members(svc, req, parent.node, parent.segments, parent.path);
  checkTargetMember(svc, target, body);
  await write(svc, req, target, editAt(svc.schema, parent.segments, body, 'merge'), true);
  return { status: 204, headers: versionHeaders(svc.ops) };
}

async function remove(svc: RcServices, req: RcRequest, target: ResourcePath): Promise<RcReply> {
  if (target.segments.length === 0) throw new ConfdError('RC_METHOD_NOT_ALLOWED', 'the datastore itself cannot be deleted (PUT an empty one)', { details: { allow: 'GET, HEAD, OPTIONS, POST, PUT, PATCH' } });
  refuseWholeList(target, 'DELETE');
  if (!exists(svc, req, target)) throw new ConfdError('RC_NOT_FOUND', 'no such resource', { path: target.path });
  await write(svc, req, target, deleteAt(svc.schema, target.segments), true);
  return { status: 204, headers: versionHeaders(svc.ops) };
}
