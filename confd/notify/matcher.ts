/**
 * @module confd/notify/matcher
 * Which changes concern a subscriber: a change concerns a path prefix when it lies below the
 * prefix, or when it removes or creates a whole entry that holds the prefix (deleting
 * interface eth0 concerns a subscriber of eth0's mtu). Pure.
 */
import type { LeafChange } from '../core/diff.js';
import { isPathWithin } from '../core/path.js';

export function concerns(prefix: string, path: string): boolean {
  return isPathWithin(path, prefix) || isPathWithin(prefix, path);
}

/** The top-level part a path starts in ('' for the root), to skip whole groups quickly. */
export function partOf(path: string): string {
  const end = path.slice(1).search(/[/[]/);
  return end < 0 ? path.slice(1) : path.slice(1, end + 1);
}

export class PathFilter {
  private readonly everything: boolean;
  private readonly parts: ReadonlySet<string>;

  constructor(readonly prefixes: readonly string[]) {
    this.everything = prefixes.some((p) => p === '/');
    this.parts = new Set(prefixes.map(partOf));
  }

  /** Whether any change of a commit touches these prefixes. */
  touches(changes: readonly LeafChange[]): boolean {
    return changes.some((c) => this.matches(c.path));
  }

  select(changes: readonly LeafChange[]): LeafChange[] {
    return this.everything ? [...changes] : changes.filter((c) => this.matches(c.path));
  }

  matches(path: string): boolean {
    if (this.everything) return true;
    // Changes to the root body come as leaf paths, so the part of the path decides quickly.
    if (!this.parts.has(partOf(path))) return false;
    return this.prefixes.some((p) => concerns(p, path));
  }
}
