/**
 * @module cli/messages
 * The one table from the appliance's error codes to what the CLI prints, and the wording of
 * the CLI's own problems (a caret under the bad word, the nearest valid words). Every error a
 * command meets is turned into lines here and nowhere else. Pure.
 */
import { ConfdError, type ErrorCode } from '../confd/api/index.js';
import type { CliProblem } from './problem.js';

/** What the failing command was doing: some codes read differently per action. */
export type Action = 'set' | 'delete' | 'edit' | 'commit' | 'check' | 'configure' | 'rollback' | 'load' | 'other';

export interface MessageContext {
  readonly action: Action;
  /** The rollback number asked for (rollback N, compare rollback N). */
  readonly rollback?: number;
  /** Users of sessions by id, for naming who holds a lock. */
  readonly sessionUsers?: ReadonlyMap<number, string>;
}

export interface CliMessage {
  /** A warning does not fail the command (exit status 0). */
  readonly severity: 'error' | 'warning';
  readonly lines: readonly string[];
}

type Formatter = (e: ConfdError, cx: MessageContext) => CliMessage;

const error = (...lines: string[]): CliMessage => ({ severity: 'error', lines });
const plain = (e: ConfdError): CliMessage => error(e.path ? `error: ${e.path}: ${e.message}` : `error: ${e.message}`);

function lockedBy(e: ConfdError, cx: MessageContext): CliMessage {
  const id = e.details?.session;
  if (typeof id !== 'number' || id === 0) return plain(e);
  const user = typeof e.details?.user === 'string' ? e.details.user : cx.sessionUsers?.get(id);
  const how = typeof e.details?.how === 'string' ? e.details.how : undefined;
  const who = [user, how].filter((x) => x !== undefined).join(', ');
  return error(`error: configuration database locked by session ${id}${who ? ` (${who})` : ''}`);
}

/** The table: codes not listed read as `error: PATH: MESSAGE` (the appliance's own words). */
const TABLE: Partial<Record<ErrorCode, Formatter>> = {
  ACCESS_DENIED: (e) => error(`error: ${e.message}`),
  TXN_IN_USE: lockedBy,
  TXN_LOCK_DENIED: (e, cx) => (e.details?.session === 0
    ? error(`error: configuration database modified: ${e.message}`)
    : lockedBy(e, cx)),
  TXN_VETOED: (e) => error(`error: commit failed: ${e.message}`),
  TXN_DATA_MISSING: (e, cx) => (cx.action === 'delete'
    ? { severity: 'warning', lines: [`warning: statement not found${e.path ? `: ${e.path}` : ''}`] }
    : plain(e)),
  TXN_NO_SUCH_COMMIT: (e, cx) => (cx.rollback !== undefined
    ? error(`error: rollback ${cx.rollback} does not exist${typeof e.details?.last === 'number' ? ` (there are ${e.details.last} commits)` : ''}`)
    : plain(e)),
  TXN_HISTORY_COMPACTED: (e, cx) => error(cx.rollback !== undefined ? `error: rollback ${cx.rollback} is older than the kept history` : `error: ${e.message}`),
  TXN_NO_CONFIRMED_COMMIT: () => error('error: no confirmed commit is pending'),
  TXN_CONFLICT: (e) => error(`error: ${e.path ? `${e.path}: ` : ''}conflict: ${e.message}`),
  AUTH_FAILED: (e) => error(`error: ${e.message}`),
  SOCK_BAD_REQUEST: (e) => error(`error: ${e.message}`),
  INTERNAL: (e) => error(`error: ${e.message}`),
};

/** What failed commits and checks end with. */
const TRAILER: Partial<Record<Action, string>> = {
  commit: 'error: commit failed',
  check: 'error: configuration check failed',
  load: 'error: load failed',
};

/** The lines for an error a command met (from the appliance, or unexpected). */
export function describeFailure(e: unknown, cx: MessageContext): CliMessage {
  if (!(e instanceof ConfdError)) return error(`error: ${e instanceof Error ? e.message : String(e)}`);
  const issues = e.flatten();
  const parts = issues.map((i) => (TABLE[i.code] ?? plain)(i, cx));
  const lines = parts.flatMap((p) => p.lines);
  const severity = parts.every((p) => p.severity === 'warning') ? 'warning' : 'error';
  const trailer = TRAILER[cx.action];
  if (severity === 'error' && trailer && !issues.some((i) => i.code === 'TXN_VETOED')) lines.push(trailer);
  return { severity, lines };
}

/**
 * The lines for a problem the CLI found in a command line. `caretColumn` is where the bad
 * character is on screen (the prompt's width plus its offset), or null for no caret.
 */
export function describeProblem(p: CliProblem, caretColumn: number | null): string[] {
  const lines: string[] = [];
  if (caretColumn !== null && p.offset !== undefined) lines.push(' '.repeat(Math.max(0, caretColumn)) + '^');
  let text = `error: ${p.message}`;
  const s = p.suggestions ?? [];
  if (s.length > 0) text += p.kind === 'ambiguous-word' ? ` (could be: ${s.join(', ')})` : ` (did you mean: ${s.join(', ')}?)`;
  lines.push(text);
  if (p.hint) lines.push(p.hint);
  return lines;
}
