/**
 * @module confd/northbound/restconf/yang-patch
 * RFC 8072 YANG Patch in JSON (PATCH with Content-Type application/yang-patch+json): an
 * ordered list of edits (create, delete, merge, replace, remove) on targets below the request's
 * resource, applied together as one commit or not at all. The reply is a
 * yang-patch-status: ok, or the errors of the edit that failed, by its edit-id.
 */
import type { Logger } from 'pino';
import { ConfdError } from '../../core/errors.js';
import { formatPath } from '../../core/path.js';
import { isObject, type JsonObject } from '../../core/tree.js';
import { commitEdit } from '../../rpc/commit-edit.js';
import type { ContainerLike, DeviceSchema } from '../../schema/model.js';
import type { Body, RcReply, RcServices } from './context.js';
import { errorList, toRestconfErrors } from './errors.js';
import { decodeMembers } from './json-codec.js';
import { parseResourcePath, type ResourcePath } from './paths.js';
import { deleteAt, editAt, nodesAlong } from './resource.js';

export const YANG_PATCH_JSON = 'application/yang-patch+json';
const OPERATIONS = new Set(['create', 'delete', 'insert', 'merge', 'move', 'replace', 'remove']);

interface Patch { readonly id: string; readonly edits: ReadonlyArray<{ readonly id: string; readonly edit: JsonObject }> }

/** The edits of a YANG Patch document on the resource `rest` (its identifier after /restconf/data). */
export function parsePatch(schema: DeviceSchema, rest: string, body: Body | undefined,
  checkMember: (target: ResourcePath, members: JsonObject) => void): Patch {
  if (body?.kind !== 'json') throw new ConfdError('RC_MALFORMED', `a YANG Patch is a ${YANG_PATCH_JSON} body`);
  const doc = isObject(body.value) ? body.value['ietf-yang-patch:yang-patch'] : undefined;
  if (!isObject(doc) || typeof doc['patch-id'] !== 'string' || !Array.isArray(doc.edit)) {
    throw new ConfdError('RC_MALFORMED', 'a YANG Patch is {"ietf-yang-patch:yang-patch": {"patch-id": …, "edit": [ … ]}}');
  }
  const patchId = doc['patch-id'];
  const edits = doc.edit.map((e, i) => {
    const id = isObject(e) && typeof e['edit-id'] === 'string' ? e['edit-id'] : `#${i + 1}`;
    try {
      if (!isObject(e) || typeof e.operation !== 'string' || typeof e.target !== 'string' || !OPERATIONS.has(e.operation)) {
        throw new ConfdError('RC_MALFORMED', 'an edit has edit-id, operation (create, delete, merge, replace, remove) and target');
      }
      if (e.operation === 'insert' || e.operation === 'move') throw new ConfdError('TXN_NOT_SUPPORTED', `${e.operation}: the appliance has no ordered-by-user lists`);
      const target = parseResourcePath(schema, `${rest.replace(/\/+$/, '')}/${e.target.replace(/^\/+/, '')}`);
      if (target.segments.length === 0) throw new ConfdError('RC_MALFORMED', 'an edit targets a data resource, not the datastore');
      if (e.operation === 'delete' || e.operation === 'remove') return { id, edit: deleteAt(schema, target.segments, e.operation) };
      const parentSegments = target.segments.slice(0, -1);
      const parent = parentSegments.length === 0 ? schema.root : nodesAlong(schema, parentSegments).at(-1)! as ContainerLike;
      const members = decodeMembers(parent as ContainerLike, e.value ?? null, formatPath(parentSegments));
      checkMember(target, members);
      return { id, edit: editAt(schema, parentSegments, members, e.operation as 'create' | 'merge' | 'replace') };
    } catch (err) {
      throw new PatchEditError(id, err);
    }
  });
  return { id: patchId, edits };
}

/** An edit that failed, with its edit-id. */
class PatchEditError extends Error {
  constructor(readonly editId: string, readonly error: unknown) { super('edit failed'); }
}

export async function applyPatch(svc: RcServices, session: Parameters<typeof commitEdit>[1], rest: string, body: Body | undefined,
  checkMember: (target: ResourcePath, members: JsonObject) => void, precondition: () => void): Promise<RcReply> {
  let patchId = '';
  try {
    const patch = parsePatch(svc.schema, rest, body, checkMember);
    patchId = patch.id;
    try {
      await commitEdit(svc.ops, session, patch.edits.map((e) => e.edit), { comment: `restconf YANG Patch ${patch.id}`, precondition });
    } catch (e) {
      const index = e instanceof ConfdError && typeof e.details?.edit === 'number' ? e.details.edit : undefined;
      throw index === undefined ? e : new PatchEditError(patch.edits[index]!.id, e);
    }
    return status(200, { 'patch-id': patch.id, ok: [null] });
  } catch (e) {
    if (!(e instanceof PatchEditError)) {
      if (!patchId && e instanceof ConfdError && e.code === 'RC_MALFORMED') throw e;
      const r = toRestconfErrors(e, svc.log);
      return status(r.status, { 'patch-id': patchId, errors: { error: errorList(svc.schema, r.errors) } });
    }
    const r = toRestconfErrors(e.error, svc.log as Logger);
    return status(r.status, { 'patch-id': patchId, 'edit-status': { edit: [{ 'edit-id': e.editId, errors: { error: errorList(svc.schema, r.errors) } }] } });
  }
}

function status(code: number, value: JsonObject): RcReply {
  return { status: code, format: 'json', body: JSON.stringify({ 'ietf-yang-patch:yang-patch-status': value }, null, 2) + '\n' };
}
