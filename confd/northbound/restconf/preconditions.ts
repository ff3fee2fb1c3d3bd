/**
 * @module confd/northbound/restconf/preconditions
 * Entity tags and modification times (RFC 8040 §3.4.1): every resource carries the version
 * of running, the txid of its last commit as a strong ETag and that commit's time as
 * Last-Modified. A write under If-Match, If-None-Match or If-Unmodified-Since that no longer
 * holds is refused with 412, so two tools editing at once cannot overwrite each other unseen;
 * a read under If-None-Match or If-Modified-Since that still holds is answered 304.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ConfdError } from '../../core/errors.js';
import { runningVersion } from '../../rpc/commit-edit.js';
import type { Operations } from '../../rpc/operations.js';
import type { RcReply } from './context.js';

export function etagOf(txid: number): string {
  return `"${txid}"`;
}

/** ETag and Last-Modified of running now. */
export function versionHeaders(ops: Operations): Record<string, string> {
  const v = runningVersion(ops);
  return { etag: etagOf(v.txid), ...(v.time ? { 'last-modified': new Date(v.time).toUTCString() } : {}) };
}

function tags(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).filter((t) => t !== '');
}

/** Seconds since the epoch of an HTTP date, or undefined when there is none (or it is unreadable: RFC 9110 ignores it). */
function seconds(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const ms = Date.parse(header);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function modifiedSeconds(time: string | undefined): number {
  return time ? Math.floor(Date.parse(time) / 1000) : 0;
}

/** For a read: a 304 reply when the client's copy is still current, else undefined. */
export function checkRead(ops: Operations, headers: IncomingHttpHeaders): RcReply | undefined {
  const v = runningVersion(ops);
  const noneMatch = tags(headers['if-none-match']);
  const fresh = noneMatch !== undefined
    ? noneMatch.includes('*') || noneMatch.includes(etagOf(v.txid))
    : (() => { const since = seconds(headers['if-modified-since']); return since !== undefined && modifiedSeconds(v.time) <= since; })();
  return fresh ? { status: 304, headers: versionHeaders(ops) } : undefined;
}

/** For a write to a resource that exists (or not): throws RC_PRECONDITION_FAILED when a condition fails. */
export function checkWrite(ops: Operations, headers: IncomingHttpHeaders, exists: boolean): void {
  const v = runningVersion(ops);
  const current = etagOf(v.txid);
  const match = tags(headers['if-match']);
  if (match !== undefined && !(match.includes('*') ? exists : match.includes(current))) {
    throw new ConfdError('RC_PRECONDITION_FAILED', `If-Match: the resource is at ${current} now`, { details: { etag: current } });
  }
  const noneMatch = tags(headers['if-none-match']);
  if (noneMatch !== undefined && (noneMatch.includes('*') ? exists : noneMatch.includes(current))) {
    throw new ConfdError('RC_PRECONDITION_FAILED', `If-None-Match: the resource ${exists ? 'exists' : 'is unchanged'} (${current})`, { details: { etag: current } });
  }
  const since = seconds(headers['if-unmodified-since']);
  if (match === undefined && since !== undefined && modifiedSeconds(v.time) > since) {
    throw new ConfdError('RC_PRECONDITION_FAILED', `If-Unmodified-Since: modified at ${new Date(v.time!).toUTCString()}`, { details: { etag: current } });
  }
}
