/**
 * @module confd/core/errors
 * The one registry of coded errors. Every error thrown across a module boundary is a
 * ConfdError with a code from this table; each edge (NETCONF, CLI, socket) maps codes to its
 * own wire form in one table. Codes are never reused once retired. Pure: no I/O of its own.
 */

/** Code → what it means. A test pins this table (count, and key equals code). */
export const ERROR_CODES = {
  SCHEMA_LOAD_FAILED: 'the schema could not be loaded or compiled',
  SCHEMA_INVALID_VALUE: 'a value breaks a type, range, length, pattern or enumeration rule',
  SCHEMA_UNKNOWN_ELEMENT: 'an element the schema does not define',
  SCHEMA_MISSING_ELEMENT: 'a mandatory element is absent',
  SCHEMA_MISSING_KEY: 'a list entry lacks one of its keys',
  SCHEMA_TOO_MANY_ELEMENTS: 'a list or leaf-list holds more entries than allowed',
  SCHEMA_NOT_CONFIG: 'read-only state data given where configuration is expected',
  SCHEMA_BAD_PATH: 'a path that is malformed or names nothing in the schema',
  SCHEMA_VERSION_UNKNOWN: 'no schema of that version is installed',
  TXN_REF_MISSING: 'a reference names a list entry that does not exist',
  TXN_REF_IN_USE: 'an entry cannot be removed while something refers to it',
  TXN_NOT_UNIQUE: 'a value that must be unique across entries is used twice',
  TXN_DATA_EXISTS: 'create of data that already exists',
  TXN_DATA_MISSING: 'delete or change of data that does not exist',
  TXN_BAD_OPERATION: 'an edit operation that cannot apply where it is used',
  TXN_VALIDATION_FAILED: 'the configuration is not valid; the issues list each problem',
  TXN_LOCK_DENIED: 'the lock is held by another session, or cannot be granted now',
  TXN_IN_USE: 'the datastore is locked by another session',
  TXN_LOCK_NOT_HELD: 'unlock of a lock this session does not hold',
  TXN_CONFIRMED_PENDING: 'a confirmed commit is pending and this session may not confirm or replace it',
  TXN_NO_CONFIRMED_COMMIT: 'no confirmed commit is pending',
  TXN_PERSIST_ID_MISMATCH: 'the persist-id does not match the pending confirmed commit',
  TXN_NO_SUCH_COMMIT: 'no commit with that number exists',
  TXN_HISTORY_COMPACTED: 'the commit history no longer reaches that far back',
  TXN_ROLLBACK_LOSSES: 'a commit of another schema version cannot be carried to this one without losing settings',
  TXN_VETOED: 'a subscriber rejected the change',
  TXN_CONFLICT: 'another session changed the same data since this candidate was started',
  TXN_LOCKOUT: 'the change would leave no enabled user of the admin role with a password or an SSH key',
  TXN_NOT_SUPPORTED: 'an operation or option this server does not implement',
  TXN_NO_SUCH_SESSION: 'no session with that id',
  TXN_BAD_DATASTORE: 'that datastore cannot be used for this operation',
  TXN_BAD_ARGUMENT: 'an argument of an operation is missing or malformed',
  STORE_IO: 'the database could not be written or read (disk full, I/O error)',
  STORE_CORRUPT: 'the database failed its integrity check',
  STORE_SCHEMA_MISMATCH: 'the database holds configuration of another schema version',
  STORE_LOCKED: 'another process already runs the appliance on this data directory',
  STORE_BAD_BACKUP: 'a backup file that is unreadable, corrupt or of another schema version',
  AUDIT_CHAIN_BROKEN: 'an audit record was altered, removed or inserted',
  AUDIT_KEY_INVALID: 'the audit key file is not a key (wrong size)',
  AUTH_FAILED: 'authentication failed',
  AUTH_RATE_LIMITED: 'too many failed logins from this address; try later',
  ACCESS_DENIED: 'the access rules do not allow this operation',
  NC_MALFORMED: 'a NETCONF message that is not well-formed or breaks the framing',
  NC_UNKNOWN_OPERATION: 'a NETCONF operation this server does not know',
  NC_BAD_ELEMENT: 'a NETCONF element with a bad value',
  NC_MISSING_ELEMENT: 'a NETCONF element required by the operation is absent',
  NC_MISSING_ATTRIBUTE: 'a NETCONF attribute required here is absent (message-id)',
  NC_BAD_ATTRIBUTE: 'a NETCONF attribute with a bad value',
  NC_TOO_BIG: 'a NETCONF message over the size or depth limit',
  NC_SESSION_LIMIT: 'too many sessions for this user',
  NC_INVALID_VALUE: 'a NETCONF operation parameter outside its range',
  NC_UNKNOWN_ELEMENT: 'an element the NETCONF operation does not define',
  NC_NO_SUCH_SCHEMA: 'get-schema names a module (or revision or format) the server does not publish',
  NC_SCHEMA_NOT_UNIQUE: 'get-schema names a module of several revisions without a version',
  RC_MALFORMED: 'a RESTCONF request body or resource identifier that cannot be parsed',
  RC_NOT_FOUND: 'a RESTCONF resource that does not exist',
  RC_BAD_QUERY: 'a RESTCONF query parameter that is unknown, repeated or out of range',
  RC_METHOD_NOT_ALLOWED: 'an HTTP method the RESTCONF resource does not support',
  RC_NOT_ACCEPTABLE: 'no media type the client accepts can represent the RESTCONF resource',
  RC_UNSUPPORTED_MEDIA: 'a RESTCONF request body in a media type the server does not read',
  RC_TOO_BIG: 'a RESTCONF request body over the size limit',
  RC_PRECONDITION_FAILED: 'If-Match, If-None-Match or If-Unmodified-Since does not hold for the resource',
  RC_UNKNOWN_OPERATION: 'a RESTCONF operation or stream the server does not offer',
  SOCK_BAD_REQUEST: 'a socket request that is not valid JSON or not a known method',
  UPG_BAD_BUNDLE: 'a bundle file that is unreadable, truncated or corrupt, or whose payload differs from its manifest',
  UPG_BAD_MANIFEST: 'a signed bundle manifest that is malformed (missing, extra or ill-typed fields, limits exceeded)',
  UPG_BAD_SIGNATURE: 'the bundle signature does not verify with the key it names',
  UPG_UNKNOWN_KEY: 'the bundle is signed by a key that is not in the keyring',
  UPG_BAD_KEY: 'a signing or trusted key file that is unreadable or not an Ed25519 key',
  UPG_UNSAFE_PATH: 'a bundle path (or bundling input) that could escape its directory: absolute, .., links, duplicates',
  UPG_INCOMPATIBLE: 'the bundle is built for another product or cannot be installed on this one',
  UPG_NO_SPACE: 'not enough free space to unpack the bundle',
  UPG_TARGET_NOT_EMPTY: 'the directory to unpack into exists and is not empty',
  UPG_SLOT_CORRUPT: 'the files on disk do not match the manifest of the bundle they were unpacked from',
  UPG_IO: 'a file could not be read or written while bundling, verifying or unpacking (disk full, I/O error)',
  UPG_BUSY: 'an install or rollback job is already running',
  UPG_NO_ROLLBACK: 'the other slot holds no version to return to',
  UPG_LOSSES: 'a rollback would lose settings the older version cannot express; confirm to go ahead',
  UPG_TRANSFORM_FAILED: 'the configuration could not be carried to the other schema version',
  UPG_INTERRUPTED: 'a software job was interrupted before its switch (the boot loader restarted) and aborted',
  UPG_BOOT_FAILED: 'the new slot failed its health check or crashed on boot; the appliance fell back',
  UPG_NOTHING_TO_CONFIRM: 'no software install is waiting for its confirmation',
  UPG_NOT_CONFIRMED: 'an install with confirm-within was not confirmed in time; the appliance reverted to the previous slot',
  UPG_WATCH_FAILED: 'the new version failed its watch (a sanity check, a degraded metric, a critical alarm); the appliance reverted',
  UPG_SAME_VERSION: 'the bundle holds the version that is running; it is installed again only when forced',
  INTERNAL: 'an unexpected internal error; its correlation id is in the log',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ConfdErrorOptions {
  /** Data path the error concerns, e.g. /interfaces/interface[name='eth0']/mtu. */
  path?: string;
  /** Extra machine-readable facts (limits, offending value, vetoing subscriber…). */
  details?: Record<string, unknown>;
  /** Individual problems when one operation fails for several reasons. */
  issues?: readonly ConfdError[];
  cause?: unknown;
}

/** The plain-data form of a ConfdError, as it crosses the local socket. */
export interface ConfdErrorJson {
  readonly code: ErrorCode;
  readonly message: string;
  readonly path?: string;
  readonly details?: Record<string, unknown>;
  readonly issues?: readonly ConfdErrorJson[];
}

export class ConfdError extends Error {
  override readonly name = 'ConfdError';
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly issues: readonly ConfdError[];

  constructor(code: ErrorCode, message: string, options: ConfdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.details = options.details;
    this.issues = options.issues ?? [];
  }

  /** The individual problems: the issues when there are any, else this error itself. */
  flatten(): readonly ConfdError[] {
    return this.issues.length > 0 ? this.issues : [this];
  }

  toJSON(): ConfdErrorJson {
    return {
      code: this.code,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.issues.length === 0 ? {} : { issues: this.issues.map((i) => i.toJSON()) }),
    };
  }
}

export function isConfdError(e: unknown): e is ConfdError {
  return e instanceof ConfdError;
}

/** Several problems found by one operation, reported together. */
export function validationFailed(issues: readonly ConfdError[]): ConfdError {
  const first = issues[0];
  if (issues.length === 1 && first) return first;
  return new ConfdError('TXN_VALIDATION_FAILED', `${issues.length} problems in the configuration`, { issues });
}

/**
 * `e` as it may reach a client: a coded error as it is; anything else is logged with a
 * correlation id (and `context`), and only that id is told.
 */
export function hideInternal(e: unknown, log: { error(obj: object, msg: string): void }, what: string, context: object = {}): ConfdError {
  if (e instanceof ConfdError) return e;
  const id = crypto.randomUUID();
  log.error({ err: e, correlation: id, ...context }, `unexpected error ${what}`);
  return new ConfdError('INTERNAL', `internal error (correlation id ${id})`);
}
