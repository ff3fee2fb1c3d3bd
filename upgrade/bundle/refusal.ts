/**
 * @module upgrade/bundle/refusal
 * How bundle operations say why they refuse: one ConfdError per failure, with its own UPG_ code,
 * a message an operator can act on ("refusing to install FILE: REASON", as rauc words it) and
 * machine-readable details. Also the mapping of node I/O errors to UPG_IO. Imports only confd/api.
 */
import { ConfdError, type ErrorCode } from '../../confd/api/index.js';

/** Builds the error for one failure; `details.path` names a file inside the bundle when there is one. */
export type Fail = (code: ErrorCode, reason: string, details?: Record<string, unknown>) => ConfdError;

/** A Fail whose messages start with `prefix` ("refusing to install /x.bundle") and whose details include `base`. */
export function refusal(prefix: string, base: Record<string, unknown> = {}): Fail {
  return (code, reason, details = {}) => new ConfdError(code, `${prefix}: ${reason}`, { details: { ...base, ...details } });
}

interface NodeError { code?: unknown; message?: unknown }

/** The errno code of a node error (ENOSPC, EEXIST…), if it has one. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as NodeError).code;
  return typeof code === 'string' ? code : undefined;
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * Passes ConfdErrors through and turns anything else (a failed read, write, fsync…) into UPG_IO
 * naming what was being done.
 */
export function asUpgradeError(e: unknown, fail: Fail, doing: string, details: Record<string, unknown> = {}): ConfdError {
  if (e instanceof ConfdError) return e;
  const errno = errnoCode(e);
  const err = fail('UPG_IO', `${doing} failed: ${describeError(e)}`, { ...details, ...(errno === undefined ? {} : { errno }) });
  return new ConfdError(err.code, err.message, { details: err.details ?? {}, cause: e });
}
