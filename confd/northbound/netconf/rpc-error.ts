/**
 * @module confd/northbound/netconf/rpc-error
 * The one table from ConfdError codes to RFC 6241 rpc-errors (Appendix A), and their XML.
 * Anything not coded becomes application/operation-failed with a generic message and a
 * correlation id that is also logged: internals never reach the wire.
 */
import type { Logger } from 'pino';
import { ConfdError, hideInternal, type ErrorCode } from '../../core/errors.js';
import type { DeviceSchema } from '../../schema/model.js';
import { namespaceAttributes, prefixedPath } from './xpath.js';
import { NETCONF_BASE_NS } from './xml-element.js';
import { XmlWriter } from './xml-writer.js';

export type ErrorType = 'transport' | 'rpc' | 'protocol' | 'application';

export interface NetconfRpcError {
  readonly type: ErrorType;
  readonly tag: string;
  readonly severity: 'error' | 'warning';
  readonly appTag?: string;
  readonly path?: string;
  /** error-path of an operation parameter, in the base namespace with prefix nc. */
  readonly rpcPath?: string;
  readonly message: string;
  /** error-info children: name → text. */
  readonly info?: Readonly<Record<string, string>>;
}

type Mapping = readonly [ErrorType, string, string?];

const TABLE: Partial<Record<ErrorCode, Mapping>> = {
  SCHEMA_INVALID_VALUE: ['application', 'invalid-value'],
  SCHEMA_UNKNOWN_ELEMENT: ['application', 'unknown-element'],
  SCHEMA_MISSING_ELEMENT: ['application', 'missing-element'],
  SCHEMA_MISSING_KEY: ['application', 'missing-element'],
  SCHEMA_TOO_MANY_ELEMENTS: ['application', 'operation-failed', 'too-many-elements'],
  SCHEMA_NOT_CONFIG: ['application', 'invalid-value'],
  SCHEMA_BAD_PATH: ['application', 'invalid-value'],
  TXN_REF_MISSING: ['application', 'data-missing', 'instance-required'],
  TXN_REF_IN_USE: ['application', 'data-missing', 'instance-required'],
  TXN_NOT_UNIQUE: ['application', 'operation-failed', 'data-not-unique'],
  TXN_DATA_EXISTS: ['application', 'data-exists'],
  TXN_DATA_MISSING: ['application', 'data-missing'],
  TXN_BAD_OPERATION: ['protocol', 'bad-attribute'],
  TXN_LOCK_DENIED: ['protocol', 'lock-denied'],
  TXN_IN_USE: ['protocol', 'in-use'],
  TXN_LOCK_NOT_HELD: ['protocol', 'operation-failed'],
  TXN_CONFIRMED_PENDING: ['protocol', 'in-use'],
  TXN_NO_CONFIRMED_COMMIT: ['protocol', 'operation-failed'],
  TXN_PERSIST_ID_MISMATCH: ['protocol', 'invalid-value'],
  TXN_NO_SUCH_COMMIT: ['application', 'invalid-value'],
  TXN_HISTORY_COMPACTED: ['application', 'operation-failed'],
  TXN_ROLLBACK_LOSSES: ['application', 'operation-failed'],
  TXN_VETOED: ['application', 'operation-failed', 'vetoed'],
  TXN_CONFLICT: ['application', 'operation-failed'],
  TXN_LOCKOUT: ['application', 'operation-failed'],
  TXN_NOT_SUPPORTED: ['protocol', 'operation-not-supported'],
  TXN_NO_SUCH_SESSION: ['protocol', 'invalid-value'],
  TXN_BAD_DATASTORE: ['protocol', 'invalid-value'],
  TXN_BAD_ARGUMENT: ['protocol', 'invalid-value'],
  STORE_IO: ['application', 'operation-failed'],
  ACCESS_DENIED: ['application', 'access-denied'],
  NC_MALFORMED: ['rpc', 'malformed-message'],
  NC_UNKNOWN_OPERATION: ['protocol', 'operation-not-supported'],
  NC_BAD_ELEMENT: ['protocol', 'bad-element'],
  NC_MISSING_ELEMENT: ['protocol', 'missing-element'],
  NC_MISSING_ATTRIBUTE: ['rpc', 'missing-attribute'],
  NC_BAD_ATTRIBUTE: ['rpc', 'bad-attribute'],
  NC_TOO_BIG: ['transport', 'too-big'],
  NC_SESSION_LIMIT: ['protocol', 'resource-denied'],
  NC_UNKNOWN_ELEMENT: ['protocol', 'unknown-element'],
  NC_INVALID_VALUE: ['protocol', 'invalid-value'],
  NC_NO_SUCH_SCHEMA: ['application', 'invalid-value'],
  NC_SCHEMA_NOT_UNIQUE: ['application', 'operation-failed', 'data-not-unique'],
};

/** The rpc-errors for an error (one per issue when it carries several). */
export function toRpcErrors(e: unknown, log: Logger, base11: boolean): NetconfRpcError[] {
  if (!(e instanceof ConfdError)) {
    const { message } = hideInternal(e, log, 'in a NETCONF operation');
    return [{ type: 'application', tag: 'operation-failed', severity: 'error', message }];
  }
  return e.flatten().map((issue) => {
    const m = TABLE[issue.code];
    if (!m) {
      if (issue.code === 'INTERNAL') log.error({ err: issue }, 'internal error in a NETCONF operation');
      return { type: 'application', tag: 'operation-failed', severity: 'error', message: issue.message } as const;
    }
    let [type, tag, appTag] = m;
    // malformed-message is new in base:1.1 and must not be sent to base:1.0 peers (RFC 6241 Appendix A).
    if (tag === 'malformed-message' && !base11) tag = 'operation-failed';
    if (issue.code === 'STORE_IO' && issue.details?.sqlite === 'SQLITE_FULL') tag = 'resource-denied';
    const isOperationPath = issue.path?.startsWith('/operations/') === true;
    if (issue.code === 'ACCESS_DENIED' && isOperationPath) type = 'protocol';
    const info: Record<string, string> = {};
    if (typeof issue.details?.session === 'number') info['session-id'] = String(issue.details.session);
    if (typeof issue.details?.element === 'string') info['bad-element'] = issue.details.element;
    if (typeof issue.details?.attribute === 'string') info['bad-attribute'] = issue.details.attribute;
    const isDataPath = issue.path !== undefined && !isOperationPath;
    return {
      type, tag, severity: 'error', message: issue.message,
      ...(appTag ? { appTag } : {}),
      ...(isDataPath ? { path: issue.path } : {}),
      ...(typeof issue.details?.rpcPath === 'string' ? { rpcPath: issue.details.rpcPath } : {}),
      ...(Object.keys(info).length > 0 ? { info } : {}),
    };
  });
}

export function writeRpcErrors(w: XmlWriter, errors: readonly NetconfRpcError[], schema: DeviceSchema): void {
  for (const e of errors) {
    w.start('rpc-error');
    w.leaf('error-type', e.type);
    w.leaf('error-tag', e.tag);
    w.leaf('error-severity', e.severity);
    if (e.appTag) w.leaf('error-app-tag', e.appTag);
    if (e.path) {
      const p = prefixedPath(schema, e.path);
      w.leaf('error-path', p.xpath, namespaceAttributes(p));
    } else if (e.rpcPath) {
      w.leaf('error-path', e.rpcPath, { 'xmlns:nc': NETCONF_BASE_NS });
    }
    w.leaf('error-message', e.message, { 'xml:lang': 'en' });
    if (e.info) {
      w.start('error-info');
      for (const [k, v] of Object.entries(e.info)) w.leaf(k, v);
      w.end();
    }
    w.end();
  }
}
