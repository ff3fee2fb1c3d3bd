/**
 * @module cli/commands/leave
 * Leaving configuration mode and throwing changes away, without ever losing someone else's
 * work unasked. The shared candidate belongs to everyone editing it: `exit` leaves it as it
 * is (asking first only about one's own uncommitted changes, as Junos); `exit discard` and
 * `rollback 0` name whose changes they throw away and, on an interactive terminal, ask first.
 * A private candidate or an exclusive lock ends with the mode, so leaving them with changes
 * takes `exit discard`.
 */
import type { CommandContext } from '../context.js';
import { topOf, upFrom } from '../grammar.js';
import { problem } from '../problem.js';
import { candidateChanged } from './show-config.js';

/** A session with uncommitted changes in this session's candidate (the appliance's `configure.owners`). */
export interface Owner { session: number; user: string; nodes: number; self: boolean; active: boolean }

const nodes = (n: number) => `${n} changed node${n === 1 ? '' : 's'}`;

/** `alice (session 3, 2 changed nodes, logged out)` for each owner. */
export function ownerList(owners: readonly Owner[]): string {
  return owners.map((o) => `${o.self ? 'yours' : o.user} (session ${o.session}, ${nodes(o.nodes)}${o.active ? '' : ', logged out'})`).join(', ');
}

async function ownersOf(cx: CommandContext): Promise<Owner[]> {
  return cx.backend.request<Owner[]>('configure.owners');
}

/** Leaves configuration mode (the appliance drops a private candidate and an exclusive lock). */
export async function leave(cx: CommandContext): Promise<number> {
  await cx.backend.request('configure.exit');
  cx.state.mode = 'operational';
  cx.state.editing = null;
  cx.state.location = topOf(cx.grammar);
  cx.out('Exiting configuration mode\n');
  return 0;
}

/**
 * Asks before discarding the candidate when it holds changes of other sessions; true when
 * the discard may go ahead. Says whose changes go either way.
 */
export async function consentToDiscard(cx: CommandContext, what: string): Promise<boolean> {
  if (cx.state.editing === 'private') return true;
  const owners = await ownersOf(cx);
  const others = owners.filter((o) => !o.self);
  if (others.length === 0) return true;
  cx.out(`${what} throws away the uncommitted changes of ${ownerList(owners)}\n`);
  if (!(await cx.confirm('Discard them? [yes,no] (no) ', false))) {
    cx.out(`Nothing discarded\n`);
    return false;
  }
  return true;
}

export async function exit(cx: CommandContext, how: string | undefined): Promise<number> {
  if (how === undefined && cx.state.location.segments.length > 0) {
    cx.state.location = upFrom(cx.grammar, cx.state.location);
    return 0;
  }
  if (how === 'discard') {
    if (!(await consentToDiscard(cx, "'exit discard'"))) return 0;
    // A private candidate goes with configure.exit; a shared or exclusive one is discarded first.
    if (cx.state.editing !== 'private') await cx.backend.request('discard');
    await cx.changed('candidate');
    return leave(cx);
  }
  if (cx.state.editing === 'shared') {
    // The shared candidate stays as it is: leaving never discards anyone's change.
    const mine = (await ownersOf(cx)).find((o) => o.self);
    if (mine) {
      cx.out('The configuration has been changed but not committed\n');
      if (!(await cx.confirm('Exit with uncommitted changes? [yes,no] (yes) ', true))) return 0;
      cx.out(`Your ${nodes(mine.nodes)} stay in the shared candidate\n`);
    }
    return leave(cx);
  }
  let changed = false;
  try {
    changed = await candidateChanged(cx);
  } catch {
    // If the comparison is refused, nothing is lost by leaving: the appliance keeps the candidate.
  }
  if (changed) {
    cx.out('The configuration has been changed but not committed\n');
    const where = cx.state.editing === 'private' ? 'the private candidate goes' : 'the exclusive lock ends';
    return cx.problem(problem('bad-argument', `uncommitted changes, lost when ${where}: commit them, or leave with 'exit discard'`));
  }
  return leave(cx);
}
