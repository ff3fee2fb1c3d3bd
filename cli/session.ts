/**
 * @module cli/session
 * One CLI session: its mode (operational or configuration), edit level and way of editing,
 * executing one line at a time — parse against the mode's command table, run, write the
 * output, map failures through cli/messages, record the command in the audit log — and
 * answering Tab and `?` for the shell. Writes only to the streams it is given.
 */
import { ConfdError, escapeTerminal, isObject, type JsonObject, type SchemaDescription } from '../confd/api/index.js';
import { configurationTable } from './commands/configuration.js';
import { operationalTable } from './commands/operational.js';
import { NOT_NESTED, walkCommand, type CommandTable, type Mode, type NestedCommand, type ParseEnv } from './command-table.js';
import { completeLine, helpLines, KeyCache, type CompletionEnv } from './completion.js';
import type { Backend, CommandContext, Output, SessionState } from './context.js';
import type { FileStore } from './files.js';
import { GrammarCache, topOf, type Grammar } from './grammar.js';
import { describeFailure, describeProblem, type MessageContext } from './messages.js';
import { applyFilters, parsePipes, type PipeName, type Pipes } from './pipes.js';
import { isProblem, problem, type CliProblem } from './problem.js';
import { editHeader } from './render/compare.js';
import { splitCommands, tokenize, type Token } from './tokenizer.js';

/** What the CLI logs through: the host's pino logger (a structural subset, so cli/ needs no pino). */
export interface CliLog {
  error(details: object, message: string): void;
}

/** A command whose audit record could not be written. */
export interface AuditFailure {
  readonly user: string;
  /** The command as recorded (sensitive values hidden). */
  readonly command: string;
  /** A read-only command goes on; any other is reported as failed. */
  readonly readOnly: boolean;
  readonly error: unknown;
}

/** How a host hears of audit records that could not be written. */
export interface AuditOptions {
  /** Where each failure is logged, as an audit failure. */
  readonly log?: CliLog;
  /** Called for each failure, after it is logged: the seam for an alarm. */
  readonly onAuditFailure?: (failure: AuditFailure) => void;
}

/** The audit options of `o`, without undefined members (exactOptionalPropertyTypes). */
export function auditOptions(o: AuditOptions): AuditOptions {
  return { ...(o.log ? { log: o.log } : {}), ...(o.onAuditFailure ? { onAuditFailure: o.onAuditFailure } : {}) };
}

/**
 * Commands that change nothing (by their first word; `run` by the word after it): when their
 * audit record cannot be written they still succeed, the failure logged. Any other command
 * whose record cannot be written is reported as failed.
 */
const READ_ONLY = new Set(['show', 'help', 'status', 'edit', 'up', 'top', 'exit', 'quit']);

function isReadOnly(text: string, tokens: readonly Token[]): boolean {
  const word = (i: number) => (tokens[i] ? text.slice(tokens[i].start, tokens[i].end) : '');
  return READ_ONLY.has(word(0)) || (word(0) === 'run' && READ_ONLY.has(word(1)));
}

export interface SessionOptions extends AuditOptions {
  readonly backend: Backend;
  readonly user: string;
  readonly output: Output;
  /** Where errors go (stderr of an exec channel); the output by default. */
  readonly errorOutput?: Output;
  readonly files?: FileStore;
  /** The name in the prompt when the configuration's host name cannot be read. */
  readonly host?: string;
  /** Shared by the sessions of one process, so the schema is compiled once. */
  readonly grammars?: GrammarCache;
  readonly now?: () => number;
  /** Reads the answer to a question from the terminal (null at the end of input); absent when not interactive. */
  readonly ask?: (question: string, hidden?: boolean) => Promise<string | null>;
  /** Text pasted at the terminal until Ctrl-D (`load merge terminal`); given by the interactive shell. */
  readonly readTerminal?: () => Promise<string | null>;
  /** Writes a command's whole output through the terminal's pager (given by the shell on a terminal of known height). */
  readonly page?: (text: string) => Promise<void>;
  /** The terminal's width now; 80 without one. */
  readonly columns?: () => number;
}

export interface LineResult {
  /** 0 when every command succeeded, else 1. */
  readonly status: number;
  /** The user left the CLI (`exit` in operational mode). */
  readonly ended: boolean;
}

/** How problems in the line being run are pointed at: under the typed line, or under an echo of it. */
interface Current { readonly text: string; readonly promptWidth: number | null }

/** The command tables: built once, frozen, shared by every session. */
const TABLES: Readonly<Record<Mode, CommandTable<CommandContext>>> = Object.freeze({
  operational: operationalTable(), configuration: configurationTable(),
});

export class CliSession implements CommandContext {
  readonly state: SessionState;
  readonly tables: Readonly<Record<Mode, CommandTable<CommandContext>>>;
  readonly backend: Backend;
  readonly user: string;
  readonly files: FileStore | undefined;
  readonly readTerminal?: (banner: string) => Promise<string | null>;
  private readonly page: ((text: string) => Promise<void>) | undefined;
  private readonly output: Output;
  private readonly errorOutput: Output;
  private readonly keyCache: KeyCache;
  private buffer: string[] | null = null;
  /** The output is held only to be paged: a question must first show what came before it. */
  private heldForPagerOnly = false;
  private current: Current = { text: '', promptWidth: null };
  /** Aborted by `interrupt()` (Ctrl-C) while a command runs; a new one for each line. */
  private interruption = new AbortController();
  private readonly width: () => number;
  private readonly auditLog: AuditOptions;
  private readonly ask: ((question: string, hidden?: boolean) => Promise<string | null>) | undefined;

  private constructor(readonly grammar: Grammar, o: SessionOptions) {
    this.backend = o.backend;
    this.user = o.user;
    this.files = o.files;
    this.ask = o.ask;
    const read = o.readTerminal;
    // The banner goes straight to the terminal: the command's own output may be held for the pager.
    if (read) this.readTerminal = (banner) => { this.output.write(banner); return read(); };
    this.page = o.page;
    this.width = o.columns ?? (() => 80);
    this.output = o.output;
    this.errorOutput = o.errorOutput ?? o.output;
    this.keyCache = new KeyCache(o.backend, o.now);
    this.tables = TABLES;
    this.auditLog = auditOptions(o);
    this.state = {
      mode: 'operational', location: topOf(grammar), editing: null,
      hostname: o.host ?? 'appliance', ended: false,
    };
  }

  /** Reads the schema description (compiling the grammar once per schema) and the host name. */
  static async open(o: SessionOptions): Promise<CliSession> {
    const description = await o.backend.request<SchemaDescription>('schema');
    const grammar = (o.grammars ?? new GrammarCache()).get(description);
    const s = new CliSession(grammar, o);
    await s.refreshHostname();
    return s;
  }

  prompt(): string {
    return `${this.user}@${this.state.hostname}${this.state.mode === 'configuration' ? '#' : '>'} `;
  }

  /** `[edit interfaces interface eth0]` in configuration mode. */
  banner(): string | null {
    if (this.state.mode !== 'configuration') return null;
    return editHeader(this.state.location.segments.map((s) => (s.keys
      ? { name: s.name, keys: s.keys.map(([k, v]) => [k, String(v)] as const) } : { name: s.name })));
  }

  /**
   * Runs a line: one or more commands separated by `;` or newlines, stopping at the first
   * that fails. `promptWidth` places the caret of a syntax error under the typed line; without
   * it the offending line is echoed above the caret.
   */
  async execute(text: string, options: { promptWidth?: number } = {}): Promise<LineResult> {
    this.current = { text, promptWidth: options.promptWidth ?? null };
    this.interruption = new AbortController();
    const { tokens, openQuote } = tokenize(text);
    if (openQuote) {
      const last = tokens[tokens.length - 1];
      const status = this.problem(problem('open-quote', 'unterminated quoted string', last ? { offset: last.start } : {}));
      await this.audit(text, tokens, this.state.mode, status, tokens);
      return { status, ended: false };
    }
    for (const command of splitCommands(tokens)) {
      const mode = this.state.mode;
      const ran = await this.runCommand(command);
      const status = await this.audit(text, command, mode, ran.status, ran.sensitive);
      if (status !== 0 || this.state.ended) return { status, ended: this.state.ended };
    }
    return { status: 0, ended: this.state.ended };
  }

  private env(mode: Mode): ParseEnv<CommandContext> {
    return {
      grammar: this.grammar, tables: this.tables, mode,
      location: mode === 'configuration' ? this.state.location : topOf(this.grammar),
      datastore: mode === 'configuration' ? 'candidate' : 'running',
    };
  }

  private async runCommand(tokens: readonly Token[]): Promise<{ status: number; sensitive: readonly Token[] }> {
    const bars = tokens.filter((t) => t.kind === 'pipe');
    const first = tokens.findIndex((t) => t.kind === 'pipe');
    const main = first < 0 ? tokens : tokens.slice(0, first);
    const segments: Token[][] = [];
    for (const t of first < 0 ? [] : tokens.slice(first)) {
      if (t.kind === 'pipe') segments.push([]);
      else segments[segments.length - 1]!.push(t);
    }
    const walk = walkCommand(this.tables[this.state.mode], main, this.env(this.state.mode), main[main.length - 1]?.end ?? 0);
    const sensitive = walk.sensitive;
    const p = walk.problem ?? walk.incomplete ?? (walk.spec ? undefined : problem('incomplete', 'incomplete command: missing the command', { offset: 0 }));
    if (p || !walk.spec?.run) return { status: this.problem(p ?? problem('incomplete', 'incomplete command')), sensitive };
    const pipes = parsePipes(segments, walk.spec.pipes ?? [], bars);
    if (isProblem(pipes)) return { status: this.problem(pipes), sensitive };
    // Only what can be told `| no-more` is paged (not `monitor interface`, which refreshes until interrupted).
    const paged = this.page !== undefined && (walk.spec.pipes ?? []).includes('no-more') && pipes.noMore !== true && pipes.save === undefined;
    if (pipes.filters.length > 0 || pipes.save !== undefined || paged) this.buffer = [];
    this.heldForPagerOnly = paged && pipes.filters.length === 0;
    let status: number;
    try {
      status = await walk.spec.run(this, walk.args, pipes);
    } catch (e) {
      // Commands let the appliance's refusals through; they are told here, in one place.
      status = await this.fail(e, { action: 'other' });
    }
    if (this.buffer) {
      const text = applyFilters(this.buffer.join(''), pipes.filters);
      this.buffer = null;
      if (pipes.save !== undefined) { if (status === 0) status = await this.saveOutput(pipes.save, text); }
      else if (paged) await this.page!(escapeTerminal(text));
      else this.output.write(escapeTerminal(text));
    }
    return { status, sensitive };
  }

  async runNested(nested: NestedCommand, pipes: Pipes): Promise<number> {
    const walk = walkCommand(this.tables[nested.mode], nested.tokens, this.env(nested.mode), nested.tokens[nested.tokens.length - 1]?.end ?? 0);
    const p = walk.problem ?? walk.incomplete;
    if (p || !walk.spec?.run) return this.problem(p ?? problem('incomplete', 'incomplete command'));
    const verb = walk.spec.words[0];
    if (verb !== undefined && NOT_NESTED.has(verb)) {
      return this.problem(problem('bad-argument', `'${verb}' cannot be run from configuration mode`, { offset: nested.tokens[0]!.start }));
    }
    const allowed: readonly PipeName[] = walk.spec.pipes ?? [];
    const used: PipeName[] = [...(pipes.display ? ['display' as const] : []), ...(pipes.compare ? ['compare' as const] : [])];
    const refused = used.find((u) => !allowed.includes(u));
    if (refused) return this.problem(problem('bad-argument', `'${walk.spec.words.join(' ')}' takes no '| ${refused}'`));
    return walk.spec.run(this, walk.args, pipes);
  }

  /** `| save FILE`: the output goes to the session's file store. */
  private async saveOutput(name: string, text: string): Promise<number> {
    if (!this.files) return this.problem(problem('unavailable', 'this session has no place to save files'));
    try {
      await this.files.write(name, text);
    } catch (e) {
      return this.fail(e, { action: 'other' });
    }
    const lines = text === '' ? 0 : text.split('\n').length - 1;
    this.output.write(`Wrote ${lines} ${lines === 1 ? 'line' : 'lines'} of output to '${name}'\n`);
    return 0;
  }

  /** Command output; what a terminal would act on is escaped here, the one sink of every renderer. */
  out(text: string): void {
    if (this.buffer) this.buffer.push(text);
    else this.output.write(escapeTerminal(text));
  }

  async fail(e: unknown, cx: MessageContext): Promise<number> {
    let sessionUsers: Map<number, string> | undefined;
    if (e instanceof ConfdError && typeof e.details?.session === 'number' && e.details.session > 0 && e.details.user === undefined) {
      try {
        const sessions = await this.backend.request<Array<{ session: number; user: string }>>('sessions');
        sessionUsers = new Map(sessions.map((s) => [s.session, s.user]));
      } catch {
        // Naming the lock holder is a courtesy: the session number is shown regardless.
      }
    }
    const m = describeFailure(e, { ...cx, ...(sessionUsers ? { sessionUsers } : {}) });
    (m.severity === 'warning' ? this.output : this.errorOutput).write(escapeTerminal(m.lines.join('\n')) + '\n');
    return m.severity === 'warning' ? 0 : 1;
  }

  get columns(): number {
    return this.width();
  }

  get interrupted(): AbortSignal {
    return this.interruption.signal;
  }

  /** Ctrl-C at the terminal while a line runs: the command that watches `interrupted` stops. */
  interrupt(): void {
    this.interruption.abort();
  }

  get interactive(): boolean {
    return this.ask !== undefined;
  }

  clearScreen(): void {
    // The one control sequence the CLI sends on purpose; everything through out() is escaped.
    if (this.interactive) this.output.write('\x1b[H\x1b[2J');
  }

  /** Before a question: the output held for the pager so far goes out, so the question follows it. */
  private showHeld(): void {
    if (!this.buffer || !this.heldForPagerOnly) return;
    this.output.write(escapeTerminal(this.buffer.join('')));
    this.buffer = [];
  }

  async confirm(question: string, byDefault: boolean): Promise<boolean> {
    if (!this.ask) return true;
    this.showHeld();
    for (;;) {
      const answer = await this.ask(question);
      if (answer === null) return false;
      const a = answer.trim().toLowerCase();
      if (a === '') return byDefault;
      if (a === 'yes' || a === 'y') return true;
      if (a === 'no' || a === 'n') return false;
      this.output.write("Please answer 'yes' or 'no'.\n");
    }
  }

  secret(question: string): Promise<string | null> {
    this.showHeld();
    return this.ask ? this.ask(question, true) : Promise.resolve(null);
  }

  problem(p: CliProblem): number {
    let column: number | null = null;
    if (p.offset !== undefined) {
      if (this.current.promptWidth !== null) {
        column = this.current.promptWidth + p.offset;
      } else {
        const text = this.current.text;
        const start = text.lastIndexOf('\n', p.offset - 1) + 1;
        const end = text.indexOf('\n', p.offset);
        this.errorOutput.write(text.slice(start, end < 0 ? undefined : end) + '\n');
        column = p.offset - start;
      }
    }
    this.errorOutput.write(describeProblem(p, column).join('\n') + '\n');
    return 1;
  }

  async changed(what: 'candidate' | 'running'): Promise<void> {
    this.keyCache.clear();
    if (what === 'running') await this.refreshHostname();
  }

  private async refreshHostname(): Promise<void> {
    try {
      const tree = await this.backend.request<JsonObject>('config.get', { datastore: 'running', path: '/system/hostname' });
      const name = isObject(tree.system) ? tree.system.hostname : undefined;
      if (typeof name === 'string' && name !== '') this.state.hostname = name;
    } catch {
      // The prompt keeps the name it had.
    }
  }

  /**
   * Records the command in the audit log, with sensitive values hidden, and returns the
   * command's status as it stands: a record that cannot be written fails any command but a
   * read-only one (which is logged as an audit failure instead); never silently.
   */
  private async audit(text: string, tokens: readonly Token[], mode: Mode, status: number, sensitive: readonly Token[]): Promise<number> {
    if (tokens.length === 0) return status;
    const hidden = new Set(sensitive);
    const target = tokens.map((t) => (hidden.has(t) ? '<hidden>' : text.slice(t.start, t.end))).join(' ');
    try {
      await this.backend.request('cli.command', {
        command: target, result: status === 0 ? 'ok' : 'error', mode, ...(this.state.editing ? { editing: this.state.editing } : {}),
      });
      return status;
    } catch (e) {
      const readOnly = isReadOnly(text, tokens);
      this.auditLog.log?.error({ err: e, user: this.user, command: target, readOnly, audit: 'failure' }, 'audit failure: the record of a CLI command could not be written');
      this.auditLog.onAuditFailure?.({ user: this.user, command: target, readOnly, error: e });
      if (readOnly) return status;
      this.errorOutput.write(`error: the audit record of this command could not be written (${e instanceof Error ? e.message : String(e)}); it is reported as failed\n`);
      return 1;
    }
  }

  private completionEnv(): CompletionEnv<CommandContext> {
    const files = this.files;
    return {
      env: this.env(this.state.mode), table: this.tables[this.state.mode], keys: this.keyCache,
      ...(files ? { files: () => files.list() } : {}),
    };
  }

  /** Tab: the words that may complete the end of `line` (readline's completer form). */
  complete(line: string): Promise<{ words: string[]; completeOn: string }> {
    return completeLine(line, this.completionEnv());
  }

  /** `?`: the listing of what may follow `line`, or the problem in it. */
  async help(line: string, promptWidth: number | null): Promise<string> {
    const h = await helpLines(line, this.completionEnv());
    if (h.problem) {
      const column = promptWidth !== null && h.problem.offset !== undefined ? promptWidth + h.problem.offset : null;
      return describeProblem(h.problem, column).join('\n') + '\n';
    }
    return h.lines.join('\n') + '\n';
  }

  /** Ends the session's configuration mode, if any (a private candidate goes, an exclusive lock is released). */
  async close(): Promise<void> {
    if (this.state.mode !== 'configuration') return;
    try {
      await this.backend.request('configure.exit');
    } catch {
      // The connection may already be gone; the appliance ends the session then.
    }
    this.state.mode = 'operational';
  }
}
