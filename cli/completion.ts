/**
 * @module cli/completion
 * Tab and `?` for a partly typed line. The static part (command words, schema names, enum
 * values, pipes) comes from the frozen grammar and command tables and never reaches the
 * appliance; the keys of existing list entries are fetched lazily with config.get and cached
 * per session (dropped after edits and commits, and after a few seconds, since other sessions
 * commit too).
 */
import type { JsonObject, JsonScalar } from '../confd/api/index.js';
import { walkCommand, type CommandTable, type ParseEnv } from './command-table.js';
import type { Backend } from './context.js';
import { entryKeys } from './edit-tree.js';
import type { Expectation, HelpItem } from './expectation.js';
import { dataPath, type DataSegment, type GNode } from './grammar.js';
import { expectPipe } from './pipes.js';
import { isProblem, type CliProblem } from './problem.js';
import { quoteWord, tokenize, type Token } from './tokenizer.js';

const KEY_CACHE_MS = 5000;

/** Keys of existing entries, fetched lazily, cached per list path and datastore. */
export class KeyCache {
  private readonly cache = new Map<string, { at: number; keys: Promise<JsonScalar[][]> }>();

  constructor(private readonly backend: Backend, private readonly now: () => number = Date.now) {}

  clear(): void {
    this.cache.clear();
  }

  keys(datastore: 'running' | 'candidate', list: GNode, listSegments: readonly DataSegment[]): Promise<JsonScalar[][]> {
    const path = dataPath(listSegments);
    const id = `${datastore} ${path}`;
    const hit = this.cache.get(id);
    if (hit && this.now() - hit.at < KEY_CACHE_MS) return hit.keys;
    const keys = this.backend.request<JsonObject>('config.get', { datastore, path })
      .then((tree) => entryKeys(tree, list, listSegments), () => []);
    this.cache.set(id, { at: this.now(), keys });
    return keys;
  }
}

export interface CompletionEnv<C> {
  readonly env: ParseEnv<C>;
  readonly table: CommandTable<C>;
  readonly keys: KeyCache;
  readonly files?: () => Promise<string[]>;
}

export interface LineAnalysis {
  /** The word being typed (unquoted), and where it starts in the line. */
  readonly partial: string;
  readonly partialStart: number;
  readonly expect?: Expectation;
  readonly problem?: CliProblem;
}

/** What may follow the complete words of `line` (the last word, if unfinished, is the partial one). */
function analyzeLine<C>(line: string, cx: CompletionEnv<C>): LineAnalysis {
  const { tokens, openQuote } = tokenize(line);
  const last = tokens[tokens.length - 1];
  const typing = last !== undefined && last.kind === 'word' && (openQuote !== null || last.end === line.length);
  const partial = typing ? last.text : '';
  const partialStart = typing ? last.start : line.length;
  let words: readonly Token[] = typing ? tokens.slice(0, -1) : tokens;
  const sep = words.map((t) => t.kind).lastIndexOf('separator');
  words = words.slice(sep + 1);
  const bars = words.map((t, i) => (t.kind === 'pipe' ? i : -1)).filter((i) => i >= 0);
  const main = bars.length > 0 ? words.slice(0, bars[0]) : words;
  const walk = walkCommand(cx.table, main, cx.env, partialStart);
  if (walk.problem) return { partial, partialStart, problem: walk.problem };
  if (bars.length === 0) return { partial, partialStart, expect: walk.expect };
  const nested = walk.args.nested('command');
  let allowed = walk.spec?.pipes ?? [];
  if (nested) {
    const inner = walkCommand(cx.env.tables[nested.mode], nested.tokens.filter((t) => t.kind === 'word'), { ...cx.env, mode: nested.mode }, partialStart);
    allowed = inner.spec?.pipes ?? [];
  }
  const seg = words.slice(bars[bars.length - 1]! + 1);
  const e = expectPipe(seg, allowed);
  return isProblem(e) ? { partial, partialStart, problem: e } : { partial, partialStart, expect: e };
}

/** Every item that may follow, dynamic values included, narrowed to those starting with the partial word. */
export async function candidates<C>(a: LineAnalysis, cx: CompletionEnv<C>): Promise<{ words: HelpItem[]; placeholders: HelpItem[] }> {
  const e = a.expect;
  if (!e) return { words: [], placeholders: [] };
  const words: HelpItem[] = [...e.words];
  const datastore = e.datastore ?? cx.env.datastore;
  if (e.keys) {
    const { list, parent, given } = e.keys;
    const existing = await cx.keys.keys(datastore, list, [...parent, { name: list.name }]);
    const seen = new Set<string>();
    for (const k of existing) {
      if (!given.every((g, i) => k[i] === g)) continue;
      const v = k[given.length];
      if (v === undefined || seen.has(String(v))) continue;
      seen.add(String(v));
      words.push({ word: quoteWord(String(v)), help: '' });
    }
  }
  if (e.refOf?.ref) {
    const listNode = cx.env.grammar.nodes.get(e.refOf.ref);
    if (listNode && listNode.kind === 'list') {
      const segments = listNode.schemaPath.split('/').filter(Boolean).map((name) => ({ name }));
      for (const k of await cx.keys.keys(datastore, listNode, segments)) words.push({ word: quoteWord(String(k[0])), help: '' });
    }
  }
  if (e.files && cx.files) for (const f of await cx.files()) words.push({ word: quoteWord(f), help: '' });
  if (e.canPipe) words.push({ word: '|', help: 'Pipe through a command' });
  const p = a.partial;
  return {
    words: words.filter((w) => w.word.startsWith(p) || (w.word.startsWith('"') && w.word.slice(1).startsWith(p))),
    placeholders: p === '' ? [...e.placeholders] : [],
  };
}

/** The words Tab may insert for the partial word (each followed by a space when it ends the word). */
export async function completeLine<C>(line: string, cx: CompletionEnv<C>): Promise<{ words: string[]; completeOn: string }> {
  const a = analyzeLine(line, cx);
  const completeOn = line.slice(a.partialStart);
  if (!a.expect) return { words: [], completeOn };
  const { words } = await candidates(a, cx);
  const unique = [...new Set(words.map((w) => w.word))].sort();
  return { words: unique.length === 1 ? [unique[0]! + ' '] : unique, completeOn };
}

/** The `?` listing: what may follow, each with its help text, or the problem in the line. */
export async function helpLines<C>(line: string, cx: CompletionEnv<C>): Promise<{ lines: string[]; problem?: CliProblem }> {
  const a = analyzeLine(line, cx);
  if (a.problem) return { lines: [], problem: a.problem };
  const { words, placeholders } = await candidates(a, cx);
  const items: HelpItem[] = [...placeholders];
  const seen = new Set<string>();
  for (const w of words) if (!seen.has(w.word)) { seen.add(w.word); items.push(w); }
  if (a.expect?.canEnd && a.partial === '') items.push({ word: '<[Enter]>', help: 'Execute this command' });
  if (items.length === 0) return { lines: ['No valid completions'] };
  const width = Math.min(24, Math.max(...items.map((i) => i.word.length)) + 2);
  // Help starts in one column; a word too long for it puts its help on the next line, in that column.
  const lines = ['Possible completions:', ...items.flatMap((i) => {
    if (!i.help) return [`  ${i.word}`];
    if (i.word.length + 2 <= width) return [`  ${i.word.padEnd(width)}${i.help}`];
    return [`  ${i.word}`, `  ${' '.repeat(width)}${i.help}`];
  })];
  return { lines };
}

