/**
 * @module cli/config-text
 * Reads configuration files for `load`: the hierarchical brace format (what `show` and
 * `save` write) becomes one `set` statement per leaf, list entry or leaf-list — the words of
 * the enclosing blocks followed by the statement's own — so that one path parser serves
 * typed commands and files alike. JSON (what `| display json` writes) is recognised too.
 * Pure.
 */
import { isObject, type JsonObject } from '../confd/api/index.js';
import { problem, type CliProblem } from './problem.js';
import { tokenize, type Token } from './tokenizer.js';

/** One statement of a file: its words, and the line it ends on (for messages). */
export interface Statement {
  readonly tokens: readonly Token[];
  readonly line: number;
  /** An empty block (`name … { }`): it matters only when it names a list entry. */
  readonly block?: boolean;
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') n++;
  return n;
}

/** The statements of a brace-format text, or the problem (with its line) that stops it. */
export function braceStatements(text: string): Statement[] | CliProblem {
  const { tokens, openQuote } = tokenize(text, { braces: true });
  if (openQuote) return problem('open-quote', `line ${lineOf(text, text.length)}: unterminated quoted string`);
  const out: Statement[] = [];
  const stack: Token[][] = [];
  let words: Token[] = [];
  const prefix = () => stack.flat();
  for (const t of tokens) {
    switch (t.kind) {
      case 'open':
        if (words.length === 0) return problem('unexpected-word', `line ${lineOf(text, t.start)}: '{' without a name before it`);
        stack.push(words);
        words = [];
        break;
      case 'close':
        if (words.length > 0) return problem('incomplete', `line ${lineOf(text, t.start)}: missing ';' after '${words.map((w) => w.text).join(' ')}'`);
        if (stack.length === 0) return problem('unexpected-word', `line ${lineOf(text, t.start)}: '}' without a block to close`);
        {
          // A block with nothing inside still names its list entry: `interface eth1 { }`.
          const closed = stack.pop()!;
          const last = out[out.length - 1];
          const named = [...prefix(), ...closed];
          if (!last || !startsWithTokens(last.tokens, named)) out.push({ tokens: named, line: lineOf(text, t.start), block: true });
        }
        break;
      case 'separator':
        if (words.length > 0) out.push({ tokens: [...prefix(), ...words], line: lineOf(text, t.start) });
        words = [];
        break;
      default:
        words.push(t);
    }
  }
  if (words.length > 0) return problem('incomplete', `line ${lineOf(text, text.length)}: missing ';' after '${words.map((w) => w.text).join(' ')}'`);
  if (stack.length > 0) return problem('incomplete', `line ${lineOf(text, text.length)}: missing '}'`);
  return out;
}

function startsWithTokens(tokens: readonly Token[], prefix: readonly Token[]): boolean {
  return prefix.length <= tokens.length && prefix.every((p, i) => tokens[i]!.text === p.text);
}

/** The lines of a `load set` file as separate command texts (blank lines and # comments skipped). */
export function setFileLines(text: string): Array<{ text: string; line: number }> {
  return text.split('\n').map((l, i) => ({ text: l.trim(), line: i + 1 })).filter((l) => l.text !== '' && !l.text.startsWith('#'));
}

/** The configuration tree of a JSON text, or undefined when the text is not a JSON object. */
export function jsonConfig(text: string): JsonObject | undefined {
  const t = text.trimStart();
  if (!t.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
