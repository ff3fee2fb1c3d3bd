/**
 * @module cli/pipes
 * What follows `|` on a command line: `display set|json|xml` and `compare [rollback N]`
 * change how a configuration is shown; `match RE`, `except RE`, `find RE`, `last N` and
 * `count` filter the text a command printed; `save FILE` sends it to a file, `no-more` turns
 * the pager off. Each command says which it accepts. Pure.
 */
import type { Expectation, HelpItem } from './expectation.js';
import { problem, type CliProblem } from './problem.js';
import type { Token } from './tokenizer.js';
import { WordTable } from './word-table.js';

export type PipeName = 'display' | 'compare' | 'match' | 'except' | 'find' | 'last' | 'count' | 'save' | 'no-more';

/** The pipes that work on any command's text output. */
export const TEXT_PIPES: readonly PipeName[] = ['match', 'except', 'find', 'last', 'count', 'save', 'no-more'];
export type DisplayFormat = 'set' | 'json' | 'xml';

export type TextFilter =
  | { readonly kind: 'match' | 'except' | 'find'; readonly pattern: string }
  | { readonly kind: 'last'; readonly lines: number }
  | { readonly kind: 'count' };

export interface Pipes {
  readonly display?: DisplayFormat;
  readonly compare?: { readonly rollback?: number };
  readonly filters: readonly TextFilter[];
  /** `| save FILE`: the output goes to the file, not the terminal. */
  readonly save?: string;
  /** `| no-more`: never page. */
  readonly noMore?: boolean;
}

const PIPE_HELP: Readonly<Record<PipeName, string>> = {
  'display': 'Show the configuration as set commands, JSON or XML',
  'compare': 'Compare the configuration with the running one, or a rollback',
  'match': 'Show only lines that match a pattern',
  'except': 'Show only lines that do not match a pattern',
  'find': 'Show the output from the first line that matches a pattern',
  'last': 'Show only the last N lines',
  'count': 'Count the lines of the output',
  'save': 'Write the output to a file instead of the terminal',
  'no-more': 'Do not page the output',
};

const DISPLAY = new WordTable<string>([
  ['set', 'Show as set commands that rebuild the configuration'],
  ['json', 'Show as JSON'],
  ['xml', 'Show as XML (NETCONF)'],
]);

function items(table: WordTable<string>): HelpItem[] {
  return table.words.map((w) => ({ word: w, help: table.get(w)! }));
}

function table(allowed: readonly PipeName[]): WordTable<string> {
  return new WordTable(allowed.map((p) => [p, PIPE_HELP[p]] as const));
}

function word(t: WordTable<string>, tok: Token, what: string): string | CliProblem {
  const m = t.match(tok.text);
  if (m.kind === 'exact' || m.kind === 'prefix') return m.word;
  if (m.kind === 'ambiguous') return problem('ambiguous-word', `ambiguous word '${tok.text}'`, { offset: tok.start, suggestions: m.words });
  return problem('unknown-word', `unknown ${what} '${tok.text}'`, { offset: tok.start, suggestions: t.nearest(tok.text, 3) });
}

/** Parses the pipe segments (the tokens after each `|`). */
export function parsePipes(segments: ReadonlyArray<readonly Token[]>, allowed: readonly PipeName[], bar: readonly Token[]): Pipes | CliProblem {
  let display: DisplayFormat | undefined;
  let compare: { rollback?: number } | undefined;
  const filters: TextFilter[] = [];
  let save: string | undefined;
  let noMore = false;
  const names = table(allowed);
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s]!;
    const first = seg[0];
    if (!first) return problem('incomplete', 'incomplete command: missing what to pipe through', { offset: bar[s]!.end });
    if (allowed.length === 0) return problem('unexpected-word', 'this command takes no pipe', { offset: bar[s]!.start });
    const name = word(names, first, 'pipe command');
    if (typeof name !== 'string') return name;
    const rest = seg.slice(1);
    const extra = (i: number) => problem('unexpected-word', `unexpected word '${rest[i]!.text}'`, { offset: rest[i]!.start });
    switch (name as PipeName) {
      case 'display': {
        if (!rest[0]) return problem('incomplete', 'incomplete command: display set, json or xml', { offset: first.end });
        const f = word(DISPLAY, rest[0], 'display format');
        if (typeof f !== 'string') return f;
        if (rest.length > 1) return extra(1);
        display = f as DisplayFormat;
        break;
      }
      case 'compare': {
        if (rest.length === 0) { compare = {}; break; }
        const r = word(new WordTable([['rollback', '']]), rest[0]!, 'word');
        if (typeof r !== 'string') return r;
        const n = rest[1];
        if (!n) return problem('incomplete', 'incomplete command: missing the rollback number', { offset: rest[0]!.end });
        if (!/^[0-9]+$/.test(n.text)) return problem('bad-argument', `expected a number of commits back, not '${n.text}'`, { offset: n.start });
        if (rest.length > 2) return extra(2);
        compare = { rollback: Number(n.text) };
        break;
      }
      case 'match':
      case 'except':
      case 'find': {
        if (rest.length !== 1) {
          return rest.length === 0 ? problem('incomplete', `incomplete command: missing the pattern of ${name}`, { offset: first.end }) : extra(1);
        }
        const bad = regexProblem(rest[0]!);
        if (bad) return bad;
        filters.push({ kind: name as 'match' | 'except' | 'find', pattern: rest[0]!.text });
        break;
      }
      case 'last': {
        const n = rest[0];
        if (!n) return problem('incomplete', 'incomplete command: missing the number of lines of last', { offset: first.end });
        if (!/^[0-9]+$/.test(n.text) || Number(n.text) === 0) return problem('bad-argument', `expected a number of lines above 0, not '${n.text}'`, { offset: n.start });
        if (rest.length > 1) return extra(1);
        filters.push({ kind: 'last', lines: Number(n.text) });
        break;
      }
      case 'save':
        if (rest.length !== 1) return rest.length === 0 ? problem('incomplete', 'incomplete command: missing the file name of save', { offset: first.end }) : extra(1);
        if (save !== undefined) return problem('unexpected-word', "'| save' is given twice", { offset: first.start });
        save = rest[0]!.text;
        break;
      case 'count':
        if (rest.length > 0) return extra(0);
        filters.push({ kind: 'count' });
        break;
      case 'no-more':
        if (rest.length > 0) return extra(0);
        noMore = true;
        break;
    }
  }
  return { ...(display ? { display } : {}), ...(compare ? { compare } : {}), filters, ...(save !== undefined ? { save } : {}), ...(noMore ? { noMore } : {}) };
}

/** What may follow the words of the last pipe segment. */
export function expectPipe(seg: readonly Token[], allowed: readonly PipeName[]): Expectation | CliProblem {
  const base = { placeholders: [] as HelpItem[], canEnd: false, canPipe: false };
  const names = table(allowed);
  if (seg.length === 0) return { ...base, words: items(names) };
  const name = word(names, seg[0]!, 'pipe command');
  if (typeof name !== 'string') return name;
  const n = seg.length - 1;
  switch (name as PipeName) {
    case 'display':
      return n === 0 ? { ...base, words: items(DISPLAY) } : { ...base, words: [], canEnd: n === 1, canPipe: n === 1 };
    case 'compare':
      if (n === 0) return { ...base, words: [{ word: 'rollback', help: 'Compare with the configuration N commits back' }], canEnd: true, canPipe: true };
      if (n === 1) return { ...base, words: [], placeholders: [{ word: '<number>', help: 'Commits back (0 is the running configuration)' }] };
      return { ...base, words: [], canEnd: true, canPipe: true };
    case 'match':
    case 'except':
    case 'find':
      return n === 0 ? { ...base, words: [], placeholders: [{ word: '<pattern>', help: 'Regular expression (case-insensitive)' }] }
        : { ...base, words: [], canEnd: true, canPipe: true };
    case 'last':
      return n === 0 ? { ...base, words: [], placeholders: [{ word: '<lines>', help: 'Number of lines' }] } : { ...base, words: [], canEnd: true, canPipe: true };
    case 'save':
      return n === 0 ? { ...base, words: [], placeholders: [{ word: '<file>', help: 'File name' }], files: true } : { ...base, words: [], canEnd: true, canPipe: true };
    default:
      return { ...base, words: [], canEnd: true, canPipe: true };
  }
}

/** A pattern that is not a regular expression, as a problem pointing at it. */
function regexProblem(t: Token): CliProblem | undefined {
  try {
    new RegExp(t.text, 'i');
    return undefined;
  } catch (e) {
    const why = e instanceof SyntaxError ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '') : String(e);
    return problem('bad-argument', `invalid regular expression '${t.text}': ${why}`, { offset: t.start });
  }
}

/** Patterns are checked when the line is parsed (regexProblem), so they compile here. */
function matcher(pattern: string): (line: string) => boolean {
  const re = new RegExp(pattern, 'i');
  return (line) => re.test(line);
}

/** Applies the text filters to a command's output. */
export function applyFilters(text: string, filters: readonly TextFilter[]): string {
  let lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const f of filters) {
    if (f.kind === 'count') { lines = [`Count: ${lines.length} lines`]; continue; }
    if (f.kind === 'last') { lines = lines.slice(-f.lines); continue; }
    const test = matcher(f.pattern);
    if (f.kind === 'find') { const at = lines.findIndex(test); lines = at < 0 ? [] : lines.slice(at); continue; }
    lines = lines.filter((l) => test(l) === (f.kind === 'match'));
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
