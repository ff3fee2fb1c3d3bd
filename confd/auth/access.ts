/**
 * @module confd/auth/access
 * Access rules in the spirit of NACM (RFC 8341). A user's role is their group; a rule permits
 * or denies operations (read, create, update, delete, exec) on a path and everything below
 * it. Rules configured under /system/access/rule are tried first (by sequence), then the
 * built-in rules of the group; the first match decides, and what no rule covers is denied.
 * The same checks serve NETCONF, the CLI and the socket: they are enforced in confd/rpc and
 * the engine, below every northbound interface.
 */
import type { LeafChange } from '../core/diff.js';
import { ConfdError } from '../core/errors.js';
import { parsePath, type PathSegment } from '../core/path.js';
import { isObject, type JsonObject, type JsonValue } from '../core/tree.js';

export type AccessOperation = 'read' | 'create' | 'update' | 'delete' | 'exec';
export type Group = 'admin' | 'operator' | 'viewer';

export interface AccessRule {
  readonly group: Group;
  /** '*' or a path: schema path, or data path with keys; covers everything below it. */
  readonly path: string;
  readonly operations: ReadonlyArray<AccessOperation | '*'>;
  readonly action: 'permit' | 'deny';
}

/** Operations are checked as exec on /operations/<name>. */
function operationPath(name: string): string {
  return `/operations/${name}`;
}

const OPERATOR_EXEC_DENIED = [
  'kill-session', 'delete-config', 'restore', 'import', 'backup', 'subscribers-remove', 'software-add', 'software-rollback', 'software-confirm', 'software-sanity-check',
];
const VIEWER_EXEC_PERMITTED = [
  'get', 'get-config', 'close-session', 'create-subscription', 'validate', 'history', 'compare', 'blame', 'status',
  'export', 'audit-show', 'audit-verify', 'subscribe', 'software-status',
];

/** The built-in rules of each group, evaluated after the configured ones. */
const BUILTIN_RULES: readonly AccessRule[] = [
  { group: 'admin', path: '*', operations: ['*'], action: 'permit' },

  ...OPERATOR_EXEC_DENIED.map((op): AccessRule => ({ group: 'operator', path: operationPath(op), operations: ['exec'], action: 'deny' })),
  { group: 'operator', path: '/operations', operations: ['exec'], action: 'permit' },
  { group: 'operator', path: '/interfaces', operations: ['create', 'update', 'delete'], action: 'permit' },
  { group: 'operator', path: '/routing', operations: ['create', 'update', 'delete'], action: 'permit' },
  { group: 'operator', path: '*', operations: ['read'], action: 'permit' },

  { group: 'viewer', path: '/system/users/user/password-hash', operations: ['read'], action: 'deny' },
  ...VIEWER_EXEC_PERMITTED.map((op): AccessRule => ({ group: 'viewer', path: operationPath(op), operations: ['exec'], action: 'permit' })),
  { group: 'viewer', path: '*', operations: ['read'], action: 'permit' },
];

/** Whether `rulePath` covers `dataPath`: a prefix by segments; keys in the rule must match. */
function covers(rule: readonly PathSegment[] | '*', data: readonly PathSegment[]): boolean {
  if (rule === '*') return true;
  if (rule.length > data.length) return false;
  for (let i = 0; i < rule.length; i++) {
    const r = rule[i]!, d = data[i]!;
    if (r.name !== '*' && r.name !== d.name) return false;
    if (r.keys) {
      const dk = new Map(d.keys ?? []);
      for (const [k, v] of r.keys) if (dk.get(k) !== v) return false;
    }
  }
  return true;
}

interface CompiledRule extends AccessRule { readonly segments: readonly PathSegment[] | '*' }

function compile(rule: AccessRule): CompiledRule {
  return { ...rule, segments: rule.path === '*' ? '*' : parsePath(rule.path) };
}

const COMPILED_BUILTINS = BUILTIN_RULES.map(compile);

/** The access rules in force for one user; built per session and rebuilt when the rules change. */
export class AccessControl {
  private readonly rules: readonly CompiledRule[];
  /** Schema paths of read-denied subtrees, for filtering reads. */
  private readonly readDenied: readonly CompiledRule[];

  /**
   * `sensitive`: schema paths of the x-sensitive leaves (password hashes…). They are readable
   * by the admin group only, whatever the configured rules say: those rules come after.
   */
  constructor(readonly user: string, readonly group: Group | null, configured: readonly AccessRule[] = [], sensitive: readonly string[] = []) {
    const ofGroup = (r: AccessRule) => r.group === group;
    const hidden = group === 'admin' || group === null ? []
      : sensitive.map((path) => compile({ group, path, operations: ['read'], action: 'deny' }));
    this.rules = [...hidden, ...configured.filter(ofGroup).map(compile), ...COMPILED_BUILTINS.filter(ofGroup)];
    this.readDenied = this.rules.filter((r) => r.action === 'deny' && (r.operations.includes('read') || r.operations.includes('*')));
    // When the first rule is a permit of everything (the admin group, unless configured rules
    // come first), no write needs looking at leaf by leaf.
    const first = this.rules[0];
    this.permitsEveryWrite = first !== undefined && first.segments === '*' && first.action === 'permit' && first.operations.includes('*');
  }

  private readonly permitsEveryWrite: boolean;

  allowed(op: AccessOperation, path: string): boolean {
    if (this.group === null) return false;
    // The path is parsed only when a rule needs it (an admin's '*' rule decides before).
    let data: PathSegment[] | undefined;
    for (const r of this.rules) {
      if (!r.operations.includes(op) && !r.operations.includes('*')) continue;
      if (r.segments === '*') return r.action === 'permit';
      data ??= path === '/' ? [] : parsePath(path);
      if (covers(r.segments, data)) return r.action === 'permit';
    }
    return false;
  }

  check(op: AccessOperation, path: string): void {
    if (!this.allowed(op, path)) {
      throw new ConfdError('ACCESS_DENIED', `access denied: ${this.user} (${this.group ?? 'no group'}) may not ${op} ${path}`,
        { path, details: { operation: op, user: this.user } });
    }
  }

  checkExec(operation: string): void {
    this.check('exec', operationPath(operation));
  }

  /** Checks every leaf a change creates, updates or deletes (`leaves` is only called when a rule could refuse). */
  checkWrite(leaves: () => readonly LeafChange[]): void {
    if (this.permitsEveryWrite) return;
    for (const leaf of leaves()) this.check(writeOperation(leaf), leaf.path);
  }

  /**
   * `tree` without the subtrees this user may not read. Shares unchanged parts with `tree`;
   * copies what it prunes, never mutating the input (it may be stored configuration).
   * A deny is skipped when an earlier permit covers its whole path (first match wins); a
   * permit covering only part of a denied subtree does not re-open that part.
   */
  filterRead(tree: JsonObject): JsonObject {
    if (this.group === null) return {};
    let out = tree;
    for (const rule of this.readDenied) {
      const earlier = this.rules.slice(0, this.rules.indexOf(rule));
      const overridden = earlier.some((r) => r.action === 'permit' && (r.operations.includes('read') || r.operations.includes('*'))
        && (r.segments === '*' || (rule.segments !== '*' && covers(r.segments, rule.segments))));
      if (overridden) continue;
      if (rule.segments === '*') return {};
      out = pruneChild(out, rule.segments, 0);
    }
    return out;
  }
}

/** A leaf change with what this user may not read taken out (null when nothing is left). */
export function redactChange(ac: AccessControl, change: LeafChange): LeafChange | null {
  if (!ac.allowed('read', change.path)) return null;
  const redact = (v: JsonValue | undefined): JsonValue | undefined => {
    if (!isObject(v)) return v;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (ac.allowed('read', `${change.path}/${k}`)) out[k] = x;
    return out;
  };
  return {
    path: change.path, op: change.op,
    ...(change.old !== undefined ? { old: redact(change.old)! } : {}),
    ...(change.new !== undefined ? { new: redact(change.new)! } : {}),
  };
}

function writeOperation(leaf: LeafChange): AccessOperation {
  return leaf.op === 'create' ? 'create' : leaf.op === 'delete' ? 'delete' : 'update';
}

function keysMatch(seg: PathSegment, entry: JsonObject): boolean {
  return (seg.keys ?? []).every(([k, v]) => String(entry[k]) === v);
}

/** `obj` without what segments[i..] name below it (copying only the objects on the way). */
function pruneChild(obj: JsonObject, segments: readonly PathSegment[], i: number): JsonObject {
  const name = segments[i]!.name;
  if (!(name in obj)) return obj;
  const next = prune(obj[name]!, segments, i + 1);
  const copy = { ...obj };
  if (next === undefined) delete copy[name];
  else copy[name] = next;
  return copy;
}

/** `value` (the node segments[i-1] names) without what segments[i..] name; undefined when all of it goes. */
function prune(value: JsonValue, segments: readonly PathSegment[], i: number): JsonValue | undefined {
  const listSeg = segments[i - 1];
  if (Array.isArray(value) && listSeg?.keys) {
    if (i === segments.length) return value.filter((e) => !(isObject(e) && keysMatch(listSeg, e)));
    return value.map((e) => (isObject(e) && keysMatch(listSeg, e) ? pruneChild(e, segments, i) : e));
  }
  if (i === segments.length) return undefined;
  if (Array.isArray(value)) return value.map((e) => (isObject(e) ? pruneChild(e, segments, i) : e));
  if (isObject(value)) return pruneChild(value, segments, i);
  return value;
}
