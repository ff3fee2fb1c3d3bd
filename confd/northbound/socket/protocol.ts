/**
 * @module confd/northbound/socket/protocol
 * Message shapes of the local socket protocol (docs/socket-protocol.md): requests carry an id,
 * a method and params; responses carry the id and a result or an error; notifications carry
 * a method and params and no id.
 */
import type { ConfdErrorJson } from '../../core/errors.js';

export interface Request {
  readonly id: number | string;
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

export type WireError = ConfdErrorJson;

export type Response =
  | { readonly id: number | string; readonly result: unknown }
  | { readonly id: number | string | null; readonly error: WireError };

export interface Notification {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

export function isRequest(m: unknown): m is Request {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return (typeof r.id === 'number' || typeof r.id === 'string') && typeof r.method === 'string'
    && (r.params === undefined || (typeof r.params === 'object' && r.params !== null && !Array.isArray(r.params)));
}
