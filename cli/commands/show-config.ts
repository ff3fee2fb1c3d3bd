/**
 * @module cli/commands/show-config
 * Showing a configuration (running in operational mode, this session's candidate in
 * configuration mode) at a path, in the format the pipes ask for, and `| compare`: the
 * candidate (or running) against running or a rollback, as the Junos diff.
 */
import { isPathWithin, type JsonObject, type LeafChange } from '../../confd/api/index.js';
import type { CommandContext } from '../context.js';
import { subtreeAt } from '../edit-tree.js';
import { dataPath, type DataSegment, type GNode } from '../grammar.js';
import type { PathTarget } from '../path-parser.js';
import type { Pipes } from '../pipes.js';
import { problem } from '../problem.js';
import { renderBrace } from '../render/brace.js';
import { deactivateLines, readNotes, withNotes } from './notes.js';
import { renderCompare, renderCompareJson, renderCompareSet } from '../render/compare.js';
import { renderJson } from '../render/json.js';
import { renderSet } from '../render/set.js';
import { renderXml } from '../render/xml.js';

export type Datastore = 'running' | 'candidate';

const textOf = (lines: readonly string[]) => (lines.length > 0 ? lines.join('\n') + '\n' : '');

/** What `show` names: the path given, else the edit level. */
function shownTarget(cx: CommandContext, target: PathTarget | undefined): { node: GNode; segments: readonly DataSegment[] } {
  if (target) return target;
  return cx.state.location;
}

async function readConfig(cx: CommandContext, datastore: Datastore, segments: readonly DataSegment[]): Promise<JsonObject> {
  const path = dataPath(segments);
  return cx.backend.request<JsonObject>('config.get', { datastore, ...(path === '/' ? {} : { path }) });
}

export async function showConfig(cx: CommandContext, datastore: Datastore, target: PathTarget | undefined, pipes: Pipes): Promise<number> {
  if (pipes.compare) {
    if (pipes.display === 'xml') return cx.problem(problem('bad-argument', "'| display xml' does not apply to '| compare': use '| display set' or '| display json'"));
    return showCompare(cx, datastore, target, pipes);
  }
  const { node, segments } = shownTarget(cx, target);
  const raw = await readConfig(cx, datastore, segments);
  if (pipes.display === 'json') { cx.out(renderJson(raw)); return 0; }
  if (pipes.display === 'xml') { cx.out(renderXml(cx.grammar.root, raw)); return 0; }
  // The brace and set formats show deactivated parts in place and annotations (cli/commands/notes).
  const path = dataPath(segments);
  const notes = await readNotes(cx, datastore);
  const { tree, marks } = withNotes(cx, raw, notes, path);
  if (pipes.display === 'set') cx.out(renderSet(cx.grammar.root, tree) + textOf(deactivateLines(notes, path)));
  else cx.out(renderBrace(node, subtreeAt(tree, segments), { path, marks }));
  return 0;
}

/** The newest commit number (0 before the first commit). */
export async function lastTxid(cx: CommandContext): Promise<number> {
  const h = await cx.backend.request<Array<{ txid: number }>>('history', { limit: 1 });
  return h[0]?.txid ?? 0;
}

/**
 * `show | compare [rollback N]`: from running (or the configuration N commits back) to the
 * candidate (configuration mode) or running (operational mode), under the path shown.
 */
async function showCompare(cx: CommandContext, to: Datastore, target: PathTarget | undefined, pipes: Pipes): Promise<number> {
  const { segments } = shownTarget(cx, target);
  const rollback = pipes.compare?.rollback;
  let changes: LeafChange[];
  try {
    let from: number | 'running' = 'running';
    if (rollback !== undefined) {
      const last = await lastTxid(cx);
      if (rollback > last) return cx.problem(problem('bad-argument', `rollback ${rollback} does not exist (there are ${last} commits)`));
      from = last - rollback;
    }
    changes = await cx.backend.request<LeafChange[]>('compare', { from, to });
  } catch (e) {
    return cx.fail(e, { action: 'other', ...(rollback !== undefined ? { rollback } : {}) });
  }
  const prefix = dataPath(segments);
  const shown = changes.filter((c) => isPathWithin(c.path, prefix));
  const render = pipes.display === 'set' ? renderCompareSet : pipes.display === 'json' ? renderCompareJson : renderCompare;
  cx.out(render(cx.grammar, shown));
  return 0;
}

/** Whether the candidate differs from running. */
export async function candidateChanged(cx: CommandContext): Promise<boolean> {
  const changes = await cx.backend.request<LeafChange[]>('compare', { from: 'running', to: 'candidate' });
  return changes.length > 0;
}
