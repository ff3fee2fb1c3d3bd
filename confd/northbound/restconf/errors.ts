/**
 * @module confd/northbound/restconf/errors
 * The one table from ConfdError codes to RESTCONF errors (RFC 8040 §7): error-type and
 * error-tag as NETCONF gives them (its rpc-error table), plus the RESTCONF codes, and the HTTP
 * status of each tag; the ietf-restconf:errors body in JSON or XML. Internals never reach the
 * wire: anything not coded is operation-failed with a correlation id that is logged.
 */
import type { Logger } from 'pino';
import { ConfdError, type ErrorCode } from '../../core/errors.js';
import type { JsonObject } from '../../core/tree.js';
import type { DeviceSchema } from '../../schema/model.js';
import { toRpcErrors, type ErrorType } from '../netconf/rpc-error.js';
import { escapeAttr, escapeText } from '../netconf/xml-writer.js';
import { namespaceAttributes, prefixedPath } from '../netconf/xpath.js';
import { instanceIdentifier } from './paths.js';
import { RESTCONF_NS } from './xml-body.js';

export interface RestconfError {
  readonly type: ErrorType;
  readonly tag: string;
  readonly appTag?: string;
  readonly path?: string;
  readonly message: string;
}

/** RESTCONF's own codes: [error-type, error-tag, HTTP status]. */
const RESTCONF_CODES: Partial<Record<ErrorCode, readonly [ErrorType, string, number]>> = {
  RC_MALFORMED: ['protocol', 'malformed-message', 400],
  RC_NOT_FOUND: ['protocol', 'invalid-value', 404],
  RC_BAD_QUERY: ['protocol', 'invalid-value', 400],
  RC_METHOD_NOT_ALLOWED: ['protocol', 'operation-not-supported', 405],
  RC_NOT_ACCEPTABLE: ['protocol', 'invalid-value', 406],
  RC_UNSUPPORTED_MEDIA: ['protocol', 'invalid-value', 415],
  RC_TOO_BIG: ['transport', 'too-big', 413],
  RC_PRECONDITION_FAILED: ['protocol', 'operation-failed', 412],
  RC_UNKNOWN_OPERATION: ['protocol', 'invalid-value', 404],
};

/** RFC 8040 §7: the status of each error-tag (the first where the RFC gives several). */
const STATUS_OF_TAG: Readonly<Record<string, number>> = {
  'in-use': 409, 'invalid-value': 400, 'too-big': 413, 'missing-attribute': 400, 'bad-attribute': 400,
  'unknown-attribute': 400, 'bad-element': 400, 'unknown-element': 400, 'unknown-namespace': 400,
  'access-denied': 403, 'lock-denied': 409, 'resource-denied': 409, 'rollback-failed': 500,
  'data-exists': 409, 'data-missing': 409, 'operation-not-supported': 501, 'operation-failed': 500,
  'partial-operation': 500, 'malformed-message': 400, 'missing-element': 400,
};

/** Codes whose status is not that of their tag: refusals because of the state of the device (409 Conflict), not server failures. */
const STATUS_OF_CODE: Partial<Record<ErrorCode, number>> = { TXN_VETOED: 409, TXN_LOCKOUT: 409, TXN_CONFLICT: 409 };

/** The errors of `e` and the HTTP status of the reply (that of the first error). */
export function toRestconfErrors(e: unknown, log: Logger): { status: number; errors: RestconfError[] } {
  const issues = e instanceof ConfdError ? e.flatten() : [e];
  const errors: RestconfError[] = [];
  let status = 0;
  for (const issue of issues) {
    const own = issue instanceof ConfdError ? RESTCONF_CODES[issue.code] : undefined;
    if (own && issue instanceof ConfdError) {
      errors.push({ type: own[0], tag: own[1], message: issue.message, ...(issue.path !== undefined && issue.path !== '/' ? { path: issue.path } : {}) });
      status ||= own[2];
      continue;
    }
    for (const r of toRpcErrors(issue, log, true)) {
      errors.push({ type: r.type, tag: r.tag, message: r.message, ...(r.appTag ? { appTag: r.appTag } : {}), ...(r.path ? { path: r.path } : {}) });
      status ||= (issue instanceof ConfdError ? STATUS_OF_CODE[issue.code] : undefined) ?? STATUS_OF_TAG[r.tag] ?? 500;
    }
  }
  return { status: status || 500, errors };
}

/** The `error` list of an errors container (also inside a YANG Patch status). */
export function errorList(schema: DeviceSchema, errors: readonly RestconfError[]): JsonObject[] {
  return errors.map((e) => ({
    'error-type': e.type, 'error-tag': e.tag,
    ...(e.appTag ? { 'error-app-tag': e.appTag } : {}),
    ...(e.path ? { 'error-path': instanceIdentifier(schema, e.path) } : {}),
    'error-message': e.message,
  }));
}

export function errorsJson(schema: DeviceSchema, errors: readonly RestconfError[]): string {
  return JSON.stringify({ 'ietf-restconf:errors': { error: errorList(schema, errors) } }, null, 2) + '\n';
}

export function errorsXml(schema: DeviceSchema, errors: readonly RestconfError[]): string {
  let out = `<errors xmlns="${RESTCONF_NS}">`;
  for (const e of errors) {
    out += `<error><error-type>${e.type}</error-type><error-tag>${e.tag}</error-tag>`;
    if (e.appTag) out += `<error-app-tag>${escapeText(e.appTag)}</error-app-tag>`;
    if (e.path) {
      // In XML an instance-identifier's prefixes are XML namespace prefixes, declared on the element.
      const p = prefixedPath(schema, e.path);
      const decl = Object.entries(namespaceAttributes(p)).map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
      out += `<error-path${decl}>${escapeText(p.xpath)}</error-path>`;
    }
    out += `<error-message>${escapeText(e.message)}</error-message></error>`;
  }
  return out + '</errors>\n';
}
