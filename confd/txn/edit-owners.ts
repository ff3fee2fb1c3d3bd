/**
 * @module confd/txn/edit-owners
 * Who changed what in the shared candidate: for each changed node, the sessions (and their
 * users) that edited it since the last commit or discard. It lets a session leave without
 * touching others' work, and lets a discard say whose changes it throws away. Pure
 * bookkeeping; the engine calls it under its queue.
 */

export interface EditOwner {
  readonly session: number;
  readonly user: string;
  /** Changed nodes of the shared candidate this session edited (still pending). */
  readonly nodes: number;
}

export class EditOwners {
  /** Node path → session id → user. */
  private readonly byPath = new Map<string, Map<number, string>>();

  record(session: { readonly id: number; readonly user: string }, paths: Iterable<string>): void {
    for (const path of paths) {
      let who = this.byPath.get(path);
      if (!who) this.byPath.set(path, who = new Map());
      who.set(session.id, session.user);
    }
  }

  /** The sessions with pending changes among `pending` (the candidate's changed paths), by session id. */
  owners(pending: ReadonlyMap<string, unknown>): EditOwner[] {
    const count = new Map<number, { user: string; nodes: number }>();
    for (const [path, who] of this.byPath) {
      if (!pending.has(path)) continue;
      for (const [id, user] of who) {
        const c = count.get(id) ?? { user, nodes: 0 };
        c.nodes++;
        count.set(id, c);
      }
    }
    return [...count].sort(([a], [b]) => a - b).map(([session, c]) => ({ session, user: c.user, nodes: c.nodes }));
  }

  clear(): void {
    this.byPath.clear();
  }
}

/** `alice (session 3, 2 nodes), bob (session 5, 1 node)`, for messages. */
export function describeOwners(owners: readonly EditOwner[]): string {
  return owners.map((o) => `${o.user} (session ${o.session}, ${o.nodes} node${o.nodes === 1 ? '' : 's'})`).join(', ');
}
