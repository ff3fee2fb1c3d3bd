/**
 * @module cli/commands/notes
 * `deactivate`/`activate` and `annotate`: what the CLI keeps with the configuration, in
 * `/system/cli` (schema v2). A deactivated part is moved out of its place into
 * `/system/cli/inactive` as the JSON tree it was, in the same edit: it stays in the
 * configuration (commits, rollback, backups, history carry it) while validation, daemons and
 * NETCONF's view of its place see it absent. `activate` puts it back in one edit, checked as
 * any edit. An annotation is a comment kept by data path. `show` puts both back in place, as
 * `inactive:` and `/* … *\/`.
 */
import { cloneJson, isObject, isPathWithin, parsePath, type JsonObject } from '../../confd/api/index.js';
import type { Args } from '../command-table.js';
import type { CommandContext } from '../context.js';
import { deleteEdit, mergeInto, subtreeAt } from '../edit-tree.js';
import { dataPath } from '../grammar.js';
import { problem } from '../problem.js';
import type { Mark } from '../render/brace.js';
import { pathWords } from '../render/compare.js';

export const NOTES_PATH = '/system/cli';

export interface Notes {
  /** Deactivated parts by data path: the configuration tree (rooted at the top) holding each. */
  readonly inactive: ReadonlyMap<string, JsonObject>;
  readonly comments: ReadonlyMap<string, string>;
}

const EMPTY: Notes = { inactive: new Map(), comments: new Map() };

function entries(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** The notes of a datastore (none when the schema has no place for them or they cannot be read). */
export async function readNotes(cx: CommandContext, datastore: 'running' | 'candidate'): Promise<Notes> {
  if (!cx.grammar.nodes.has(`${NOTES_PATH}/inactive`)) return EMPTY;
  const tree = await cx.backend.request<JsonObject>('config.get', { datastore, path: NOTES_PATH });
  const cli = subtreeAt(tree, [{ name: 'system' }, { name: 'cli' }]);
  if (!isObject(cli)) return EMPTY;
  const inactive = new Map<string, JsonObject>();
  for (const e of entries(cli.inactive)) {
    if (typeof e.path !== 'string' || typeof e.data !== 'string') continue;
    try {
      const data: unknown = JSON.parse(e.data);
      if (isObject(data)) inactive.set(e.path, data);
    } catch {
      // A hand-written entry that is not JSON shows nothing at its place; it stays listed under system cli.
    }
  }
  const comments = new Map<string, string>();
  for (const e of entries(cli.annotation)) if (typeof e.path === 'string' && typeof e.comment === 'string') comments.set(e.path, e.comment);
  return { inactive, comments };
}

/** The configuration `tree` as shown: deactivated parts within `prefix` back in place, the notes themselves left out, and the marks. */
export function withNotes(cx: CommandContext, tree: JsonObject, notes: Notes, prefix: string): { tree: JsonObject; marks: Map<string, Mark> } {
  const out = cloneJson(tree);
  const marks = new Map<string, Mark>();
  for (const [path, data] of notes.inactive) {
    if (!isPathWithin(path, prefix) && !isPathWithin(prefix, path)) continue;
    mergeInto(cx.grammar.root, out, cloneJson(data));
    marks.set(path, { inactive: true });
  }
  for (const [path, comment] of notes.comments) marks.set(path, { ...marks.get(path), comment });
  const system = out.system;
  if (isObject(system)) {
    delete system.cli;
    if (Object.keys(system).length === 0) delete out.system;
  }
  return { tree: out, marks };
}

/** `deactivate PATH` lines for `| display set`. */
export function deactivateLines(notes: Notes, prefix: string): string[] {
  return [...notes.inactive.keys()].filter((p) => isPathWithin(p, prefix)).map((p) => `deactivate ${pathWords(parsePath(p)).join(' ')}`);
}

function unsupported(cx: CommandContext): number | undefined {
  if (cx.grammar.nodes.has(`${NOTES_PATH}/inactive`)) return undefined;
  return cx.problem(problem('unavailable', "this appliance's schema has no place for inactive configuration or annotations"));
}

async function send(cx: CommandContext, edit: JsonObject): Promise<number> {
  try {
    await cx.backend.request('config.edit', { edit });
    return 0;
  } catch (e) {
    return cx.fail(e, { action: 'set' });
  } finally {
    await cx.changed('candidate');
  }
}

const noteEntry = (list: 'inactive' | 'annotation', entry: JsonObject): JsonObject => ({ system: { cli: { [list]: [entry] } } });

export async function deactivate(cx: CommandContext, args: Args): Promise<number> {
  const refused = unsupported(cx);
  if (refused !== undefined) return refused;
  const t = args.path('path')!;
  const path = dataPath(t.segments);
  if (isPathWithin(NOTES_PATH, path)) return cx.problem(problem('bad-argument', `${path} holds what deactivate keeps: it cannot be deactivated`));
  const notes = await readNotes(cx, 'candidate');
  if (notes.inactive.has(path)) return cx.problem(problem('bad-argument', `${path} is already inactive`));
  const tree = await cx.backend.request<JsonObject>('config.get', { datastore: 'candidate', path });
  if (subtreeAt(tree, t.segments) === undefined) return cx.problem(problem('bad-argument', `statement not found: ${path}`));
  const edit = deleteEdit({ node: t.node, segments: t.segments });
  mergeInto(cx.grammar.root, edit, noteEntry('inactive', { path, data: JSON.stringify(tree) }));
  return send(cx, edit);
}

export async function activate(cx: CommandContext, args: Args): Promise<number> {
  const refused = unsupported(cx);
  if (refused !== undefined) return refused;
  const path = dataPath(args.path('path')!.segments);
  const data = (await readNotes(cx, 'candidate')).inactive.get(path);
  if (!data) return cx.problem(problem('bad-argument', `${path} is not inactive`));
  const edit = cloneJson(data);
  mergeInto(cx.grammar.root, edit, noteEntry('inactive', { path, '@op': 'delete' }));
  return send(cx, edit);
}

/** `annotate PATH "comment"`; an empty comment removes the annotation. */
export async function annotate(cx: CommandContext, args: Args): Promise<number> {
  const refused = unsupported(cx);
  if (refused !== undefined) return refused;
  const path = dataPath(args.path('path')!.segments);
  const comment = args.text('comment') ?? '';
  if (comment === '') {
    if (!(await readNotes(cx, 'candidate')).comments.has(path)) return cx.problem(problem('bad-argument', `${path} has no annotation`));
    return send(cx, noteEntry('annotation', { path, '@op': 'delete' }));
  }
  return send(cx, noteEntry('annotation', { path, comment }));
}
