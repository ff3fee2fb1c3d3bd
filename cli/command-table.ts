/**
 * @module cli/command-table
 * The commands of one mode as a frozen word tree (`show system commit`), each command with a
 * declarative argument grammar: a configuration path, numbers, free text, a choice of
 * keywords, keyword options in any order, or a whole command of another mode (`run`). One
 * walker serves both parsing (arguments, or a problem that points at the bad token) and
 * completion (what may follow). Words may be abbreviated to any unique prefix. Pure.
 */
import { NOTHING, merge, type Expectation, type HelpItem } from './expectation.js';
import { walkEntry } from './entry-arg.js';
import type { DataSegment, Grammar, Location } from './grammar.js';
import { expectAfter, parsePathWords, walkPath, type PathExpectation, type PathPurpose, type PathTarget } from './path-parser.js';
import type { Pipes, PipeName } from './pipes.js';
import { isProblem, problem, type CliProblem } from './problem.js';
import type { Token } from './tokenizer.js';
import { WordTable } from './word-table.js';

export type Mode = 'operational' | 'configuration';

/** Operational commands that `run` refuses in configuration mode (they change or end the mode). */
export const NOT_NESTED: ReadonlySet<string> = new Set(['configure', 'edit', 'exit', 'quit']);

export interface Choice { readonly word: string; readonly help: string }

export interface ValueSpec {
  readonly kind: 'number' | 'text';
  readonly name: string;
  readonly help: string;
  readonly optional?: boolean;
  /** A number with a fraction is accepted (`commit confirmed 0.05`). */
  readonly decimal?: boolean;
  /** The value names a file (completion offers the session's files). */
  readonly file?: boolean;
}

export interface OptionSpec { readonly word: string; readonly help: string; readonly value?: ValueSpec }

export type ArgSpec =
  | {
    readonly kind: 'path'; readonly name: string; readonly purpose: PathPurpose; readonly optional?: boolean;
    /** Bare words that end the path (`rename … to …`); the next argument reads them. */
    readonly until?: readonly string[];
    /** The last word of a longer line belongs to the next argument (`annotate PATH "comment"`). */
    readonly leavesLast?: boolean;
  }
  /** An entry of the list the path argument `of` names an entry of: `[LIST-NAME] KEY…` (`rule 20`). */
  | { readonly kind: 'entry'; readonly name: string; readonly of: string }
  | ValueSpec
  | { readonly kind: 'choice'; readonly name: string; readonly choices: readonly Choice[]; readonly optional?: boolean }
  | { readonly kind: 'options'; readonly options: readonly OptionSpec[] }
  | { readonly kind: 'command'; readonly name: string; readonly mode: Mode };

export interface CommandSpec<C> {
  readonly words: readonly string[];
  readonly help: string;
  readonly args?: readonly ArgSpec[];
  readonly pipes?: readonly PipeName[];
  /** Absent for a word that only groups commands (`show system`). */
  readonly run?: (cx: C, args: Args, pipes: Pipes) => Promise<number>;
}

/** A nested command (`run show …`), parsed in its own mode. */
export interface NestedCommand {
  readonly mode: Mode;
  readonly tokens: readonly Token[];
}

/** The parsed arguments of a command, by the names its grammar gives them. */
export class Args {
  constructor(private readonly values: ReadonlyMap<string, unknown>) {}
  has(name: string): boolean { return this.values.has(name); }
  path(name: string): PathTarget | undefined { return this.values.get(name) as PathTarget | undefined; }
  number(name: string): number | undefined { const v = this.values.get(name); return typeof v === 'number' ? v : undefined; }
  text(name: string): string | undefined { const v = this.values.get(name); return typeof v === 'string' ? v : undefined; }
  nested(name: string): NestedCommand | undefined { return this.values.get(name) as NestedCommand | undefined; }
  /** The text argument was typed without quotes (`load merge terminal`, not a file named "terminal"). */
  unquoted(name: string): boolean { return this.values.get(`${name}\0unquoted`) === true; }
  segments(name: string): readonly DataSegment[] | undefined { return this.values.get(name) as readonly DataSegment[] | undefined; }
}

interface WordNode<C> { readonly help: string; readonly spec?: CommandSpec<C>; readonly children: WordTable<WordNode<C>> }

export class CommandTable<C> {
  readonly root: WordNode<C>;

  constructor(readonly mode: Mode, specs: readonly CommandSpec<C>[]) {
    this.root = build(specs, []);
    Object.freeze(this);
  }

  /** The command words at the top, with help. */
  topWords(): HelpItem[] {
    return this.root.children.words.map((w) => ({ word: w, help: this.root.children.get(w)!.help }));
  }

  has(word: string): boolean {
    return this.root.children.get(word) !== undefined;
  }
}

function build<C>(specs: readonly CommandSpec<C>[], prefix: readonly string[]): WordNode<C> {
  const here = specs.find((s) => s.words.length === prefix.length && s.words.every((w, i) => w === prefix[i]));
  const next = new Map<string, CommandSpec<C>[]>();
  for (const s of specs) {
    if (s.words.length <= prefix.length || !prefix.every((w, i) => s.words[i] === w)) continue;
    const w = s.words[prefix.length]!;
    next.set(w, [...(next.get(w) ?? []), s]);
  }
  const children = new WordTable([...next].map(([w, group]) => [w, build(group, [...prefix, w])] as const));
  return Object.freeze({ help: here?.help ?? '', ...(here ? { spec: here } : {}), children });
}

/** What a parse needs besides the tokens. */
export interface ParseEnv<C> {
  readonly grammar: Grammar;
  /** Where paths start: the edit level in configuration mode, the top otherwise. */
  readonly location: Location;
  readonly datastore: 'running' | 'candidate';
  /** The tables of both modes (for `run`, and to say that a word belongs to the other mode). */
  readonly tables: Readonly<Record<Mode, CommandTable<C>>>;
  readonly mode: Mode;
}

export interface CommandWalk<C> {
  readonly spec?: CommandSpec<C>;
  readonly args: Args;
  /** A word that is wrong (hard error). */
  readonly problem?: CliProblem;
  /** Why the command is not complete, when it is not. */
  readonly incomplete?: CliProblem;
  readonly expect: Expectation;
  /** Tokens holding sensitive values (hidden in the audit log). */
  readonly sensitive: readonly Token[];
}

const items = (choices: readonly Choice[]): HelpItem[] => choices.map((c) => ({ word: c.word, help: c.help }));

function optional(spec: ArgSpec): boolean {
  return spec.kind === 'options' || ('optional' in spec && spec.optional === true);
}

function fromPath(p: PathExpectation, datastore: 'running' | 'candidate'): Expectation {
  const words: HelpItem[] = p.nodes.map((n) => ({ word: n.name, help: n.help }));
  const placeholders: HelpItem[] = [];
  if (p.key) {
    const leaf = p.key.list.keyLeaves[p.key.given.length];
    placeholders.push({ word: `<${leaf?.name ?? 'key'}>`, help: leaf?.help || `Key of ${p.key.list.name}` });
  }
  if (p.value) {
    const v = p.value;
    if (v.enum) words.push(...v.enum.map((e) => ({ word: e, help: '' })));
    else if (v.type === 'boolean') words.push({ word: 'true', help: '' }, { word: 'false', help: '' });
    else placeholders.push({ word: `<${v.name}>`, help: [v.help, v.patternHelp].filter(Boolean).join(': ') || v.name });
  }
  if (p.openBracket) words.push({ word: '[', help: 'Start a list of values' });
  if (p.closeBracket) words.push({ word: ']', help: 'End the list of values' });
  return {
    words, placeholders, canEnd: p.canEnd, canPipe: false, datastore,
    ...(p.key ? { keys: p.key } : {}),
    ...(p.value?.ref ? { refOf: p.value } : {}),
  };
}

function startOf<C>(spec: ArgSpec, env: ParseEnv<C>): Expectation {
  switch (spec.kind) {
    case 'path': return fromPath(expectAfter(walkPath(env.location, [], spec.purpose), spec.purpose), env.datastore);
    case 'number':
    case 'text': return { ...NOTHING, placeholders: [{ word: `<${spec.name}>`, help: spec.help }], ...(spec.file ? { files: true } : {}) };
    case 'choice': return { ...NOTHING, words: items(spec.choices) };
    case 'options': return { ...NOTHING, words: items(spec.options), canEnd: true };
    case 'command': return walkCommand(env.tables[spec.mode], [], nestedEnv(env, spec.mode), 0).expect;
    case 'entry': return NOTHING;
  }
}

function nestedEnv<C>(env: ParseEnv<C>, mode: Mode): ParseEnv<C> {
  return { ...env, mode, location: { node: env.grammar.root, segments: [] }, datastore: mode === 'configuration' ? 'candidate' : 'running' };
}

/** What may come at the boundary before specs[si] (later specs too, past optional ones). */
function boundary<C>(specs: readonly ArgSpec[], si: number, env: ParseEnv<C>): Expectation {
  let exp: Expectation = NOTHING;
  for (let sj = si; sj < specs.length; sj++) {
    const s = specs[sj]!;
    const e = startOf(s, env);
    exp = merge(exp, { ...e, canEnd: false });
    if (!optional(s) && !e.canEnd) return exp;
  }
  return { ...exp, canEnd: true };
}

function numberToken(t: Token, decimal: boolean): number | undefined {
  const ok = decimal ? /^[0-9]+(\.[0-9]+)?$|^\.[0-9]+$/.test(t.text) : /^[0-9]+$/.test(t.text);
  return ok ? Number(t.text) : undefined;
}

function wordMatch(table: WordTable<unknown>, t: Token): { word: string } | CliProblem | null {
  const m = t.quoted ? (table.get(t.text) !== undefined ? { kind: 'exact' as const, word: t.text } : { kind: 'none' as const }) : table.match(t.text);
  if (m.kind === 'exact' || m.kind === 'prefix') return { word: m.word };
  if (m.kind === 'ambiguous') return problem('ambiguous-word', `ambiguous word '${t.text}'`, { offset: t.start, suggestions: m.words });
  return null;
}

interface ArgWalk { values: Map<string, unknown>; problem?: CliProblem; incomplete?: CliProblem; expect: Expectation; sensitive: Token[] }

function walkArgs<C>(specs: readonly ArgSpec[], tokens: readonly Token[], env: ParseEnv<C>, endOffset: number): ArgWalk {
  const values = new Map<string, unknown>();
  const sensitive: Token[] = [];
  const fail = (p: CliProblem): ArgWalk => ({ values, problem: p, expect: NOTHING, sensitive });
  let ti = 0;
  for (let si = 0; si < specs.length; si++) {
    const spec = specs[si]!;
    const restOptional = specs.slice(si + 1).every(optional);
    if (ti === tokens.length && spec.kind !== 'entry') return { values, expect: boundary(specs, si, env), sensitive };
    const t = tokens[ti] ?? { kind: 'word', text: '', start: endOffset, end: endOffset, quoted: false };
    switch (spec.kind) {
      case 'path': {
        const stop = spec.until ? tokens.findIndex((x, i) => i >= ti && x.kind === 'word' && !x.quoted && spec.until!.includes(x.text))
          : spec.leavesLast && tokens.length - ti > 1 && tokens[tokens.length - 1]!.quoted ? tokens.length - 1 : -1;
        if (stop >= 0) {
          const target = parsePathWords(env.location, tokens.slice(ti, stop), spec.purpose, tokens[stop]!.start);
          if (isProblem(target)) return fail(target);
          values.set(spec.name, target);
          ti = stop;
          break;
        }
        const rest = tokens.slice(ti);
        const walk = walkPath(env.location, rest, spec.purpose);
        const at = walk.state;
        if ((at.at === 'leaf' || at.at === 'leaf-list') && at.leaf.sensitive) {
          // Everything typed after a sensitive leaf's name is its value, even when malformed.
          const from = walk.valueTokens[0] ?? walk.consumed;
          sensitive.push(...rest.slice(from));
        }
        if (walk.problem) return { ...fail(walk.problem), sensitive };
        const target = parsePathWords(env.location, rest, spec.purpose, endOffset);
        const p = expectAfter(walk, spec.purpose);
        const untilWords = spec.until && p.canEnd ? spec.until.map((w) => ({ word: w, help: '' })) : [];
        const expect = merge({ ...fromPath(p, env.datastore), canEnd: p.canEnd && restOptional }, { ...NOTHING, words: untilWords });
        if (isProblem(target)) return { values, incomplete: target, expect, sensitive };
        values.set(spec.name, target);
        return { values, expect, sensitive };
      }
      case 'number': {
        const n = numberToken(t, spec.decimal === true);
        if (n === undefined) {
          if (spec.optional) continue;
          return fail(problem('bad-argument', `expected ${spec.help.toLowerCase()}, not '${t.text}'`, { offset: t.start }));
        }
        values.set(spec.name, n);
        ti++;
        break;
      }
      case 'text':
        values.set(spec.name, t.text);
        if (!t.quoted) values.set(`${spec.name}\0unquoted`, true);
        ti++;
        break;
      case 'choice': {
        const table = new WordTable(spec.choices.map((c) => [c.word, c] as const));
        const m = wordMatch(table, t);
        if (isProblem(m)) return fail(m);
        if (m === null) {
          if (spec.optional) continue;
          return fail(problem('unknown-word', `unknown word '${t.text}'`, { offset: t.start, suggestions: table.nearest(t.text) }));
        }
        values.set(spec.name, m.word);
        ti++;
        break;
      }
      case 'options': {
        const table = new WordTable(spec.options.map((o) => [o.word, o] as const));
        while (ti < tokens.length) {
          const tok = tokens[ti]!;
          const m = wordMatch(table, tok);
          if (isProblem(m)) return fail(m);
          if (m === null) return fail(problem('unknown-word', `unknown word '${tok.text}'`, { offset: tok.start, suggestions: table.nearest(tok.text) }));
          if (values.has(m.word)) return fail(problem('unexpected-word', `'${m.word}' is given twice`, { offset: tok.start }));
          const opt = table.get(m.word)!;
          ti++;
          if (!opt.value) { values.set(opt.word, true); continue; }
          const v = tokens[ti];
          const unused = spec.options.filter((o) => !values.has(o.word) && o.word !== opt.word);
          const valuePlaceholder = { ...NOTHING, placeholders: [{ word: `<${opt.value.name}>`, help: opt.value.help }] };
          if (!v) {
            if (opt.value.optional) values.set(opt.word, true);
            const expect = opt.value.optional ? { ...merge(valuePlaceholder, { ...NOTHING, words: items(unused) }), canEnd: true } : valuePlaceholder;
            return { values, expect, sensitive, ...(opt.value.optional ? {} : { incomplete: problem('incomplete', `incomplete command: missing the ${opt.value.name} of '${opt.word}'`, { offset: endOffset }) }) };
          }
          if (opt.value.kind === 'number') {
            const n = numberToken(v, opt.value.decimal === true);
            if (n === undefined) {
              if (opt.value.optional) { values.set(opt.word, true); continue; }
              return fail(problem('bad-argument', `expected ${opt.value.help.toLowerCase()}, not '${v.text}'`, { offset: v.start }));
            }
            values.set(opt.word, n);
          } else {
            values.set(opt.word, v.text);
          }
          ti++;
        }
        return { values, expect: { ...NOTHING, words: items(spec.options.filter((o) => !values.has(o.word))), canEnd: restOptional }, sensitive };
      }
      case 'entry': {
        const walk = walkEntry(values.get(spec.of) as PathTarget | undefined, tokens.slice(ti), env.datastore, endOffset);
        if (walk.problem) return fail(walk.problem);
        if (walk.segments) values.set(spec.name, walk.segments);
        return { values, expect: walk.expect, sensitive, ...(walk.incomplete ? { incomplete: walk.incomplete } : {}) };
      }
      case 'command': {
        const rest = tokens.slice(ti);
        const nested = walkCommand(env.tables[spec.mode], rest, nestedEnv(env, spec.mode), endOffset);
        values.set(spec.name, { mode: spec.mode, tokens: rest } satisfies NestedCommand);
        return {
          values, expect: nested.expect, sensitive: [...sensitive, ...nested.sensitive],
          ...(nested.problem ? { problem: nested.problem } : {}), ...(nested.incomplete ? { incomplete: nested.incomplete } : {}),
        };
      }
    }
  }
  if (ti < tokens.length) {
    const t = tokens[ti]!;
    return fail(problem('unexpected-word', `unexpected word '${t.text}'`, { offset: t.start }));
  }
  return { values, expect: { ...NOTHING, canEnd: true }, sensitive };
}

/** Walks a command's words and arguments (`tokens` stop before any pipe). */
export function walkCommand<C>(table: CommandTable<C>, tokens: readonly Token[], env: ParseEnv<C>, endOffset: number): CommandWalk<C> {
  let node = table.root;
  let i = 0;
  const none = new Args(new Map());
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.quoted || t.kind !== 'word') break;
    const m = node.children.match(t.text);
    if (m.kind === 'ambiguous') {
      return { args: none, problem: problem('ambiguous-word', `ambiguous word '${t.text}'`, { offset: t.start, suggestions: m.words }), expect: NOTHING, sensitive: [] };
    }
    if (m.kind === 'none') break;
    node = m.value;
    i++;
  }
  const childWords = node.children.words.map((w) => ({ word: w, help: node.children.get(w)!.help }));
  const spec = node.spec?.run ? node.spec : undefined;
  if (!spec) {
    const t = tokens[i];
    if (t) {
      const other = env.mode === 'operational' ? 'configuration' : 'operational';
      const hint = i === 0 && env.tables[other].has(t.text)
        ? (env.mode === 'operational' ? `'${t.text}' is a configuration-mode command: enter 'configure' first`
          : NOT_NESTED.has(t.text) ? `'${t.text}' is an operational command that cannot be run from configuration mode: leave with 'exit' first`
            : `'${t.text}' is an operational command: use 'run ${t.text} …'`)
        : undefined;
      return {
        args: none, expect: NOTHING, sensitive: [],
        problem: problem('unknown-word', i === 0 ? `unknown command '${t.text}'` : `unknown word '${t.text}'`,
          { offset: t.start, suggestions: node.children.nearest(t.text), ...(hint ? { hint } : {}) }),
      };
    }
    const expected = childWords.map((c) => c.word).join(', ');
    return {
      args: none, sensitive: [], expect: { ...NOTHING, words: childWords },
      ...(i > 0 ? { incomplete: problem('incomplete', `incomplete command: expected ${expected}`, { offset: endOffset }) } : {}),
    };
  }
  const walk = walkArgs(spec.args ?? [], tokens.slice(i), env, endOffset);
  let expect = walk.expect;
  if (i === tokens.length && childWords.length > 0) expect = merge({ ...NOTHING, words: childWords }, expect);
  expect = { ...expect, canPipe: expect.canEnd && (spec.pipes?.length ?? 0) > 0 };
  const incomplete = walk.incomplete ?? (!expect.canEnd && !walk.problem ? problem('incomplete', `incomplete command: expected ${
    [...expect.words.map((w) => w.word), ...expect.placeholders.map((p) => p.word)].join(', ') || 'more'}`, { offset: endOffset }) : undefined);
  return {
    spec, args: new Args(walk.values), expect, sensitive: walk.sensitive,
    ...(walk.problem ? { problem: walk.problem } : {}), ...(incomplete ? { incomplete } : {}),
  };
}
