/**
 * @module cli/shell
 * The interactive shell on node:readline over any pair of streams (an SSH channel, or the
 * process's terminal): `user@host> ` / `user@host# ` prompts with the `[edit …]` banner of
 * configuration mode, history, Tab completion through readline's completer (an ambiguous Tab
 * lists the candidates with their help, as Junos does), `?` answered without being inserted,
 * Ctrl-C clearing the line (or stopping the running command) and Ctrl-D leaving. Lines are run one after the other, never
 * concurrently. `load … terminal` takes the lines typed (or pasted) after it until Ctrl-D.
 * Output longer than the terminal is paged (cli/pager) unless `| no-more`.
 */
import { createInterface, type Interface } from 'node:readline';
import { Transform, type Readable, type Writable } from 'node:stream';
import type { Backend } from './context.js';
import type { FileStore } from './files.js';
import type { GrammarCache } from './grammar.js';
import { describeFailure } from './messages.js';
import { Pager } from './pager.js';
import { CliSession, auditOptions, type AuditOptions } from './session.js';

export interface ShellOptions extends AuditOptions {
  readonly input: Readable;
  readonly output: Writable;
  /**
   * The terminal's size now (the pty's columns and rows, following window changes): line
   * editing, charts and the pager use it. Unknown: 80 columns, no paging.
   */
  readonly size?: () => TerminalSize;
  /** A terminal (pty) is attached: line editing, Tab and `?`. True unless said otherwise. */
  readonly terminal?: boolean;
  readonly backend: Backend;
  readonly user: string;
  /** The name in the prompt when the configuration's host name cannot be read. */
  readonly host?: string;
  readonly files?: FileStore;
  readonly grammars?: GrammarCache;
  /** What the appliance tells every logged-in shell (a confirmed commit rolled back, running changed). */
  readonly notices?: ShellNotices;
}

export interface TerminalSize { readonly cols: number; readonly rows: number }

/** A notice for every shell: a one-line message to show, and whether running changed (the prompt's host name). */
export interface ShellNotice { readonly message?: string; readonly runningChanged: boolean }

export interface ShellNotices {
  /** Calls `fn` on each notice until the returned function is called. */
  subscribe(fn: (n: ShellNotice) => void): () => void;
}

/** What the shell reaches inside readline: the line being edited and its key handler. */
interface ReadlineInternals {
  line: string;
  cursor: number;
  _ttyWrite(s: string | undefined, key: { name?: string; ctrl?: boolean; meta?: boolean } | undefined): void;
  _writeToOutput(text: string): void;
}

/**
 * Terminal output: a lone `\n` becomes `\r\n`. Over SSH no pty discipline on this side does
 * it, and the client's terminal is raw.
 */
class CrlfStream extends Transform {
  private lastCr = false;

  constructor(private readonly size: () => TerminalSize, private readonly convert: boolean) {
    super();
  }

  /** What readline reads to wrap the line being edited. */
  get columns(): number {
    return this.size().cols;
  }

  override _transform(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null, data?: string) => void): void {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (!this.convert) { done(null, s); return; }
    let out = '';
    for (const ch of s) {
      if (ch === '\n' && !this.lastCr) out += '\r';
      out += ch;
      this.lastCr = ch === '\r';
    }
    done(null, out);
  }
}

function insideQuote(text: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') { i++; continue; }
    if (quote) { if (c === quote) quote = null; } else if (c === '"' || c === "'") quote = c;
  }
  return quote !== null;
}

function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return '';
  let p = words[0]!;
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Runs the interactive shell until `exit` or the end of input; resolves to the exit status. */
export async function runShell(o: ShellOptions): Promise<number> {
  const terminal = o.terminal ?? true;
  const size = o.size ?? (() => ({ cols: 80, rows: 0 }));
  const out = new CrlfStream(size, terminal);
  // The host owns its output (an SSH channel still has its exit status to send): never end it here.
  out.pipe(o.output, { end: false });
  const flushed = new Promise<void>((resolve) => out.once('end', resolve));
  const write = (text: string) => { out.write(text); };
  // A question a command asks (exit discard…): the next line typed is its answer.
  let answer: ((line: string | null) => void) | null = null;
  const queue: string[] = [];
  let rl: Interface | undefined;
  /** While a secret is typed, readline's echo is dropped. */
  let hiddenInput = false;
  const ask = (question: string, hidden = false): Promise<string | null> => new Promise((resolve) => {
    if (queue.length > 0) { write(`${question}${hidden ? '' : queue[0]!}\n`); resolve(queue.shift()!); return; }
    if (!rl) { resolve(null); return; }
    answer = (line) => { if (hiddenInput) write('\n'); hiddenInput = false; resolve(line); };
    rl.setPrompt(question);
    rl.prompt();
    // After the prompt is shown: only what is typed goes unechoed.
    hiddenInput = hidden;
  });
  /** While `load … terminal` reads: the lines so far, and how to hand them over. */
  let paste: { lines: string[]; done: (text: string | null) => void } | null = null;
  const readTerminal = (): Promise<string | null> => new Promise((resolve) => {
    const lines = queue.splice(0, queue.length);
    paste = { lines, done: (text) => { paste = null; rl?.setPrompt(s.prompt()); resolve(text); } };
    rl?.setPrompt('');
    if (inputClosed) paste.done(lines.map((l) => l + '\n').join(''));
  });
  /** The output being paged, while it is. */
  let more: Pager | null = null;
  const page = terminal && o.size ? async (text: string) => {
    const rows = size().rows;
    if (rows <= 1 || !Pager.needed(text, rows)) { write(text); return; }
    const p = new Pager(text, rows, write);
    more = p;
    await p.done;
    more = null;
  } : undefined;
  let session: CliSession;
  try {
    session = await CliSession.open({
      backend: o.backend, user: o.user, output: { write }, ...auditOptions(o), readTerminal, ...(page ? { page } : {}),
      columns: () => size().cols,
      ...(o.files ? { files: o.files } : {}), ...(o.host ? { host: o.host } : {}), ...(o.grammars ? { grammars: o.grammars } : {}),
      ...(terminal ? { ask } : {}),
    });
  } catch (e) {
    write(describeFailure(e, { action: 'other' }).lines.join('\n') + '\n');
    out.end();
    await flushed;
    return 1;
  }
  const s = session;
  const listing = async (line: string) => {
    const text = await s.help(line, null);
    write('\n' + text);
    rl?.prompt(true);
  };
  const rli = rl = createInterface({
    input: o.input, output: out, terminal, historySize: 500, tabSize: 4, prompt: s.prompt(),
    completer: (line: string, callback: (err: Error | null, result: [string[], string]) => void) => {
      void s.complete(line).then(({ words, completeOn }) => {
        if (words.length > 1 && commonPrefix(words).length <= completeOn.length) {
          // Nothing to add: list the candidates with their help at once (readline would wait for a second Tab).
          callback(null, [[], completeOn]);
          void listing(line);
          return;
        }
        callback(null, [words, completeOn]);
      }, () => callback(null, [[], line]));
    },
  });
  const internals = rli as unknown as ReadlineInternals;
  const echo = internals._writeToOutput.bind(rli);
  internals._writeToOutput = (text) => { if (!hiddenInput) echo(text); };

  let busy = false;
  /** `exit`: lines still queued are not run. */
  let ended = false;
  let inputClosed = false;
  const prompt = () => {
    const banner = s.banner();
    if (banner) write(`\n${banner}\n`);
    rli.setPrompt(s.prompt());
    rli.prompt();
  };

  if (terminal) {
    const ttyWrite = internals._ttyWrite.bind(rli);
    internals._ttyWrite = (text, key) => {
      if (more) {
        const k = key?.ctrl && key.name === 'c' ? 'quit' : text === ' ' ? 'page' : key?.name === 'return' || key?.name === 'enter' ? 'line'
          : text === 'q' || text === 'Q' ? 'quit' : 'other';
        more.key(k);
        return;
      }
      if (paste && key?.ctrl && (key.name === 'd' || key.name === 'c')) {
        // Ctrl-D ends the paste (with the line being typed, if any); Ctrl-C drops it.
        const partial = internals.line;
        internals.line = '';
        internals.cursor = 0;
        write('\n');
        if (key.name === 'd') paste.done([...paste.lines, ...(partial ? [partial] : [])].map((l) => l + '\n').join(''));
        else paste.done(null);
        return;
      }
      if (text === '?' && !paste && !key?.ctrl && !key?.meta && !busy && !insideQuote(internals.line.slice(0, internals.cursor))) {
        const line = internals.line.slice(0, internals.cursor);
        void s.help(line, s.prompt().length).then((help) => {
          write('?\n' + help);
          rli.prompt(true);
        });
        return;
      }
      ttyWrite(text, key);
    };
  }

  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      void s.close().finally(() => {
        out.end();
        void flushed.then(() => resolve(0));
      });
    };
    const drain = async () => {
      if (busy) return;
      busy = true;
      while (queue.length > 0 && !ended) {
        const line = queue.shift()!;
        if (line.trim() !== '') {
          try {
            const r = await s.execute(line, { promptWidth: s.prompt().length });
            if (r.ended) { ended = true; break; }
          } catch (e) {
            // A fault in one command must not end the operator's shell.
            write(describeFailure(e, { action: 'other' }).lines.join('\n') + '\n');
          }
        }
        if (queue.length === 0 && !ended && !inputClosed) prompt();
      }
      busy = false;
      if (ended) rli.close();
      if (inputClosed) finish();
    };
    rli.on('line', (line) => {
      if (answer) { const a = answer; answer = null; a(line); return; }
      if (paste) { paste.lines.push(line); return; }
      queue.push(line);
      void drain();
    });
    rli.on('SIGINT', () => {
      // Ctrl-C during a command stops it (`monitor interface`) if it can be stopped.
      if (busy) { s.interrupt(); return; }
      internals.line = '';
      internals.cursor = 0;
      write('^C\n');
      prompt();
    });
    const unsubscribe = o.notices?.subscribe((n) => {
      void (n.runningChanged ? s.changed('running') : Promise.resolve()).then(() => {
        if (n.message) write(`\n${n.message}\n`);
        // The line being typed is kept; the prompt shows the host name as it is now.
        if (!busy && !answer) { rli.setPrompt(s.prompt()); rli.prompt(true); }
      });
    });
    rli.on('close', () => {
      unsubscribe?.();
      if (terminal && !ended) write('\n');
      inputClosed = true;
      if (answer) { const a = answer; answer = null; a(null); }
      // Input that ends during a paste ends the paste (a non-interactive shell pipes it in).
      if (paste) paste.done(paste.lines.map((l) => l + '\n').join(''));
      // Lines already typed still run; a running command finishes first.
      if (!busy) void drain();
    });
    prompt();
  });
}
