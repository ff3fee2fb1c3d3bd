/**
 * @module cli/render/table
 * Aligned columns for operational output (sessions, commits, audit records). Pure.
 */

/** Rows under a header, each column as wide as its widest cell; the last column is not padded. */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return all.map(line).join('\n') + '\n';
}

/** An ISO time as `2024-05-01 12:00:00 UTC`. */
export function shortTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}
