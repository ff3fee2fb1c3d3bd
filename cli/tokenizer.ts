/**
 * @module cli/tokenizer
 * Splits a command line into tokens: words (bare, or quoted with "…" or '…' and backslash
 * escapes), `|` pipes and command separators (`;` and newlines), each with its offsets in the
 * text so that errors can point at it. With `braces`, `{`, `}` and `;` delimit statements of
 * the hierarchical configuration format and `#` starts a comment. Pure: no Node APIs, no I/O.
 */

export type TokenKind = 'word' | 'pipe' | 'separator' | 'open' | 'close';

export interface Token {
  readonly kind: TokenKind;
  /** The word with quotes removed and escapes resolved; the character itself for the others. */
  readonly text: string;
  /** Offset of the first character in the input. */
  readonly start: number;
  /** Offset just past the last character (the input length for an unterminated quote). */
  readonly end: number;
  /** Some part of the word was quoted (so it is never a keyword, a bracket or a pipe). */
  readonly quoted: boolean;
}

export interface Tokenized {
  readonly tokens: readonly Token[];
  /** The quote left open at the end of the text, if any (its token runs to the end). */
  readonly openQuote: '"' | "'" | null;
}

export interface TokenizeOptions {
  /** The configuration file format: `{` `}` are tokens, newlines are spaces, `#` comments. */
  readonly braces?: boolean;
}

const SPACE = new Set([' ', '\t', '\r', '\f', '\v']);
const DOUBLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r' };

export function tokenize(input: string, options: TokenizeOptions = {}): Tokenized {
  const braces = options.braces === true;
  const tokens: Token[] = [];
  let openQuote: '"' | "'" | null = null;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i]!;
    if (SPACE.has(c) || (braces && c === '\n')) { i++; continue; }
    if (braces && c === '#') {
      while (i < n && input[i] !== '\n') i++;
      continue;
    }
    if (c === '\n' || c === ';') { tokens.push({ kind: 'separator', text: c, start: i, end: i + 1, quoted: false }); i++; continue; }
    if (c === '|' && !braces) { tokens.push({ kind: 'pipe', text: c, start: i, end: i + 1, quoted: false }); i++; continue; }
    if (braces && (c === '{' || c === '}')) {
      tokens.push({ kind: c === '{' ? 'open' : 'close', text: c, start: i, end: i + 1, quoted: false });
      i++;
      continue;
    }
    // A word: runs of bare characters and quoted parts, up to a space or a delimiter.
    const start = i;
    let text = '';
    let quoted = false;
    while (i < n) {
      const ch = input[i]!;
      if (SPACE.has(ch) || ch === '\n' || ch === ';' || (ch === '|' && !braces) || (braces && (ch === '{' || ch === '}'))) break;
      if (ch === '"' || ch === "'") {
        quoted = true;
        i++;
        let closed = false;
        while (i < n) {
          const q = input[i]!;
          if (q === ch) { closed = true; i++; break; }
          if (q === '\\' && i + 1 < n) {
            const next = input[i + 1]!;
            if (ch === '"') text += DOUBLE_ESCAPES[next] ?? next;
            else text += next === "'" || next === '\\' ? next : '\\' + next;
            i += 2;
            continue;
          }
          text += q;
          i++;
        }
        if (!closed) openQuote = ch;
        continue;
      }
      if (ch === '\\' && i + 1 < n) { text += input[i + 1]!; i += 2; continue; }
      text += ch;
      i++;
    }
    tokens.push({ kind: 'word', text, start, end: i, quoted });
  }
  return { tokens, openQuote };
}

/** Tokens split at separators: one run of tokens per command. */
export function splitCommands(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [];
  let current: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'separator') {
      if (current.length > 0) out.push(current);
      current = [];
    } else {
      current.push(t);
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** A bare (unquoted) word with exactly this text: a keyword, a bracket. */
export function isBare(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'word' && !t.quoted && t.text === text;
}

const PLAIN = /^[^\s"'\\;|{}[\]#?]+$/;

/** A value written so that tokenize() reads it back unchanged. */
export function quoteWord(value: string): string {
  if (PLAIN.test(value)) return value;
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r') + '"';
}
