/**
 * @module cli/context
 * What a command sees of its session while it runs: the backend that reaches the appliance,
 * the compiled grammar, the session's state (mode, edit level, how it edits), its file store,
 * and where to write. Commands change the state; the session prints prompts from it.
 */
import type { CommandTable, Mode, NestedCommand } from './command-table.js';
import type { FileStore } from './files.js';
import type { Grammar, Location } from './grammar.js';
import type { MessageContext } from './messages.js';
import type { Pipes } from './pipes.js';
import type { CliProblem } from './problem.js';

/** The appliance as the CLI reaches it: the local socket protocol's request/response. */
export interface Backend {
  request<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
}

/** Where a session writes text. */
export interface Output {
  write(text: string): unknown;
}

export type Editing = 'shared' | 'private' | 'exclusive';

export interface SessionState {
  mode: Mode;
  /** The edit level (configuration mode). */
  location: Location;
  /** How this session edits, while in configuration mode. */
  editing: Editing | null;
  /** The appliance's host name, for the prompt. */
  hostname: string;
  /** Set by `exit`/`quit` in operational mode: the session is over. */
  ended: boolean;
}

export interface CommandContext {
  readonly backend: Backend;
  readonly grammar: Grammar;
  readonly user: string;
  readonly files: FileStore | undefined;
  readonly state: SessionState;
  readonly tables: Readonly<Record<Mode, CommandTable<CommandContext>>>;
  /** An operator at a terminal (a shell with a pty), who can be asked and can press Ctrl-C. */
  readonly interactive: boolean;
  /** The terminal's width now (80 without one): charts are drawn to it. */
  readonly columns: number;
  /** Aborted when the operator presses Ctrl-C while the command runs (a live refresh stops). */
  readonly interrupted: AbortSignal;
  /** Clears an interactive terminal (a refreshing display); nothing otherwise. */
  clearScreen(): void;
  /** Shows `banner`, then reads text pasted at an interactive terminal until Ctrl-D (null: aborted with Ctrl-C); absent without one. */
  readonly readTerminal?: (banner: string) => Promise<string | null>;
  /** Writes the command's output (filtered by `| match`… when given). */
  out(text: string): void;
  /** Reports an error a command met; returns the exit status (0 for a mere warning). */
  fail(e: unknown, cx: MessageContext): Promise<number>;
  /**
   * Asks a yes/no question on an interactive terminal; without one (exec, piped input) the
   * answer is yes, and what is done is said in the output instead.
   */
  confirm(question: string, byDefault: boolean): Promise<boolean>;
  /** Reads a secret without echo on an interactive terminal; null without one (or at the end of input). */
  secret(question: string): Promise<string | null>;
  /** Reports a problem the CLI found; returns 1. */
  problem(p: CliProblem): number;
  /** Runs a command of another mode (`run show …`) with the pipes given. */
  runNested(nested: NestedCommand, pipes: Pipes): Promise<number>;
  /** The candidate (or running, after a commit) changed: forget cached list keys, re-read the host name. */
  changed(what: 'candidate' | 'running'): Promise<void>;
}
