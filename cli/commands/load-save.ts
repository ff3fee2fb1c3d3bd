/**
 * @module cli/commands/load-save
 * `load merge|override|set FILE|terminal` and `save FILE` in configuration mode. Files come
 * from the session's file store; `terminal` reads what is pasted until Ctrl-D. A brace-format or JSON file loads as one edit (all or nothing);
 * `override` replaces the whole candidate. A `set` file is parsed completely before anything
 * is applied; its set lines go as one edit, and lines that delete or change level are applied
 * in order, stopping at the first refusal.
 */
import type { JsonObject } from '../../confd/api/index.js';
import { walkCommand } from '../command-table.js';
import { braceStatements, jsonConfig, setFileLines } from '../config-text.js';
import type { CommandContext } from '../context.js';
import { deleteEdit, mergeInto, setEdit } from '../edit-tree.js';
import { topOf, upFrom, type Location } from '../grammar.js';
import { parsePathWords, walkPath } from '../path-parser.js';
import type { MessageContext } from '../messages.js';
import { isProblem, problem, type CliProblem } from '../problem.js';
import { renderBrace } from '../render/brace.js';
import { tokenize } from '../tokenizer.js';

function fileProblem(name: string, e: unknown): CliProblem {
  const code = (e as { code?: string }).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
  return problem('bad-argument', `cannot read '${name}': ${why}`);
}

const located = (name: string, line: number, p: CliProblem): CliProblem => {
  const { offset: _offset, ...rest } = p;
  return { ...rest, message: `${name}:${line}: ${p.message}` };
};

/** The name `load` takes for text pasted at the terminal, ended by Ctrl-D (as on Junos). */
export const TERMINAL = 'terminal';

async function source(cx: CommandContext, name: string, fromTerminal: boolean): Promise<string | number> {
  if (fromTerminal) {
    if (!cx.readTerminal) return cx.problem(problem('unavailable', `'load … terminal' needs an interactive session: use a file`));
    const text = await cx.readTerminal('[Type ^D at a new line to end input, ^C to abort]\n');
    if (text === null) return cx.problem(problem('bad-argument', 'load aborted: nothing changed'));
    return text;
  }
  if (!cx.files) return cx.problem(problem('unavailable', 'this session has no file store to load from'));
  try {
    return await cx.files.read(name);
  } catch (e) {
    return cx.problem(fileProblem(name, e));
  }
}

export async function load(cx: CommandContext, how: 'merge' | 'override' | 'set', name: string, fromTerminal: boolean): Promise<number> {
  const text = await source(cx, name, fromTerminal);
  if (typeof text === 'number') return text;
  if (how === 'set') return loadSet(cx, name, text);
  let tree = jsonConfig(text);
  if (!tree) {
    const statements = braceStatements(text);
    if (isProblem(statements)) return cx.problem({ ...statements, message: `${name}: ${statements.message}` });
    tree = {};
    const top = topOf(cx.grammar);
    for (const st of statements) {
      if (st.block) {
        const w = walkPath(top, st.tokens, 'set');
        if (!w.problem && w.state.at === 'node' && w.state.node.kind !== 'list') continue;
      }
      const target = parsePathWords(top, st.tokens, 'set', st.tokens[st.tokens.length - 1]?.end ?? 0);
      if (isProblem(target)) return cx.problem(located(name, st.line, target));
      mergeInto(cx.grammar.root, tree, setEdit(target));
    }
  }
  const edit = tree;
  return applyLoad(cx, () => cx.backend.request('config.edit', { edit, ...(how === 'override' ? { defaultOperation: 'replace' } : {}) }));
}

/**
 * Runs the edits of a load (or a rollback into the candidate), then reports it done or
 * refused; the candidate changed either way.
 */
export async function applyLoad(cx: CommandContext, apply: () => Promise<unknown>, context: MessageContext = { action: 'load' }): Promise<number> {
  try {
    await apply();
  } catch (e) {
    return cx.fail(e, context);
  } finally {
    await cx.changed('candidate');
  }
  cx.out('load complete\n');
  return 0;
}

type Step = { line: number; edit: JsonObject; set: boolean };

async function loadSet(cx: CommandContext, name: string, text: string): Promise<number> {
  const steps: Step[] = [];
  let location: Location = topOf(cx.grammar);
  const table = cx.tables.configuration;
  for (const { text: line, line: n } of setFileLines(text)) {
    const { tokens, openQuote } = tokenize(line);
    if (openQuote) return cx.problem(located(name, n, problem('open-quote', 'unterminated quoted string')));
    const env = { grammar: cx.grammar, location, datastore: 'candidate' as const, tables: cx.tables, mode: 'configuration' as const };
    const walk = walkCommand(table, tokens, env, line.length);
    const p = walk.problem ?? walk.incomplete;
    if (p) return cx.problem(located(name, n, p));
    const verb = walk.spec?.words[0];
    const target = walk.args.path('path');
    if (verb === 'set' && target) steps.push({ line: n, edit: setEdit(target), set: true });
    else if (verb === 'delete' && target) steps.push({ line: n, edit: deleteEdit(target), set: false });
    else if (verb === 'edit' && target) location = { node: target.node, segments: target.segments };
    else if (verb === 'up') location = upFrom(cx.grammar, location, walk.args.number('levels') ?? 1);
    else if (verb === 'top') location = topOf(cx.grammar);
    else return cx.problem(located(name, n, problem('bad-argument', `'${verb ?? line}' cannot be loaded (set, delete, edit, up and top can)`)));
  }
  return applyLoad(cx, async () => {
    if (steps.every((s) => s.set)) {
      const tree: JsonObject = {};
      for (const s of steps) mergeInto(cx.grammar.root, tree, s.edit);
      if (steps.length > 0) await cx.backend.request('config.edit', { edit: tree });
      return;
    }
    for (const s of steps) {
      try {
        await cx.backend.request('config.edit', { edit: s.edit });
      } catch (e) {
        cx.out(`${name}:${s.line}:\n`);
        throw e;
      }
    }
  });
}

export async function save(cx: CommandContext, name: string): Promise<number> {
  if (!cx.files) return cx.problem(problem('unavailable', 'this session has no file store to save to'));
  const tree = await cx.backend.request<JsonObject>('config.get', { datastore: 'candidate' });
  const text = renderBrace(cx.grammar.root, tree);
  try {
    await cx.files.write(name, text);
  } catch (e) {
    return cx.problem(problem('bad-argument', `cannot write '${name}': ${(e as Error).message}`));
  }
  cx.out(`Wrote ${text.split('\n').length - 1} lines of configuration to '${name}'\n`);
  return 0;
}
