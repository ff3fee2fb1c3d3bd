/**
 * @module cli/pager
 * Paging of a command's output on an interactive terminal, as Junos' `---(more)---`: a screen
 * at a time, then Space for the next screen, Enter for one more line, `q` (or Ctrl-C) to drop
 * the rest. Output that fits the screen is written at once. The shell feeds it keys; `| no-more`
 * skips it.
 */

export const MORE_PROMPT = '---(more)---';

export type PagerKey = 'page' | 'line' | 'quit' | 'other';

export class Pager {
  private readonly lines: string[];
  private at = 0;
  private finished: () => void = () => {};
  readonly done: Promise<void>;

  /** `rows` is the terminal's height; one row is kept for the more prompt. */
  constructor(text: string, private readonly rows: number, private readonly write: (text: string) => void) {
    this.lines = text.split('\n');
    if (this.lines[this.lines.length - 1] === '') this.lines.pop();
    this.done = new Promise((resolve) => { this.finished = resolve; });
    this.show(Math.max(1, rows - 1));
  }

  /** Whether `text` needs paging on a terminal of `rows` rows. */
  static needed(text: string, rows: number): boolean {
    let n = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (++n >= rows) return true;
    return false;
  }

  /** A key typed at the more prompt. */
  key(k: PagerKey): void {
    if (k === 'other') return;
    this.write(`\r${' '.repeat(MORE_PROMPT.length)}\r`);
    if (k === 'quit') { this.finished(); return; }
    this.show(k === 'page' ? Math.max(1, this.rows - 1) : 1);
  }

  private show(n: number): void {
    const next = this.lines.slice(this.at, this.at + n);
    this.at += next.length;
    if (next.length > 0) this.write(next.join('\n') + '\n');
    if (this.at >= this.lines.length) this.finished();
    else this.write(MORE_PROMPT);
  }
}
