/**
 * @module cli/word-table
 * A frozen, sorted table of the words valid at one place of the grammar (keywords, schema
 * names): exact lookup, unique-prefix abbreviation as Junos accepts it (`sh conf`), prefix
 * completion by binary search, and the nearest words by edit distance for error messages.
 * Built once per grammar node; never changed afterwards. Pure.
 */

export type WordMatch<T> =
  | { readonly kind: 'exact' | 'prefix'; readonly word: string; readonly value: T }
  | { readonly kind: 'ambiguous'; readonly words: readonly string[] }
  | { readonly kind: 'none' };

export class WordTable<T> {
  /** The words in code-unit order. */
  readonly words: readonly string[];
  private readonly values: ReadonlyMap<string, T>;

  constructor(entries: Iterable<readonly [string, T]>) {
    const map = new Map<string, T>(entries);
    this.values = map;
    this.words = Object.freeze([...map.keys()].sort());
    Object.freeze(this);
  }

  get(word: string): T | undefined {
    return this.values.get(word);
  }

  /** The words that begin with `prefix`, in order. */
  startingWith(prefix: string): string[] {
    let lo = 0, hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.words[mid]! < prefix) lo = mid + 1; else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < this.words.length && this.words[i]!.startsWith(prefix); i++) out.push(this.words[i]!);
    return out;
  }

  /** The word `token` names: itself, or the one word it abbreviates. */
  match(token: string): WordMatch<T> {
    const exact = this.values.get(token);
    if (exact !== undefined) return { kind: 'exact', word: token, value: exact };
    if (token === '') return { kind: 'none' };
    const words = this.startingWith(token);
    if (words.length === 1) return { kind: 'prefix', word: words[0]!, value: this.values.get(words[0]!)! };
    if (words.length > 1) return { kind: 'ambiguous', words };
    return { kind: 'none' };
  }

  /** Up to `limit` words closest to `token` (a mistyped word), nearest first. */
  nearest(token: string, limit = 3): string[] {
    const budget = Math.max(2, Math.floor(token.length / 3));
    const scored: Array<[string, number]> = [];
    for (const w of this.words) {
      const d = editDistance(token, w);
      if (d <= budget) scored.push([w, d]);
    }
    scored.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    return scored.slice(0, limit).map(([w]) => w);
  }
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const m = a.length, n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}
