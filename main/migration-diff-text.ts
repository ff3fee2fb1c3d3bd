/**
 * @module main/migration-diff-text
 * The text form of a dry run's configuration diff, as `show | compare` shows one: a
 * `[edit …]` header per level, `-` lines with the old values and `+` lines with the new ones,
 * a created or deleted list entry as its key and leaves, then the settings that cannot be
 * carried, marked so that they stand out. Pure: lines in, lines out.
 */
import { isObject, parsePath, type JsonValue, type LeafChange, type PathSegment } from '../confd/api/index.js';

export interface MigrationDiff {
  readonly changes: readonly LeafChange[];
  readonly losses: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
}

function word(v: JsonValue | undefined): string {
  if (typeof v === 'string') return /^[^\s"{};[\]]+$/.test(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[ ${v.map(word).join(' ')} ]`;
  if (isObject(v)) return `{ ${Object.entries(v).map(([k, x]) => `${k} ${word(x)};`).join(' ')} }`;
  return JSON.stringify(v);
}

function header(segments: readonly PathSegment[]): string {
  const words = ['edit'];
  for (const s of segments) {
    words.push(s.name);
    for (const [, v] of s.keys ?? []) words.push(word(v));
  }
  return `[${words.join(' ')}]`;
}

/** `name value`, or for a list entry `name KEY… { other leaves }`. */
function statement(last: PathSegment, v: JsonValue | undefined): string {
  if (last.keys && isObject(v)) {
    const keyNames = new Set(last.keys.map(([k]) => k));
    const rest = Object.fromEntries(Object.entries(v).filter(([k]) => !keyNames.has(k)));
    const keys = last.keys.map(([, k]) => word(k)).join(' ');
    return Object.keys(rest).length > 0 ? `${last.name} ${keys} ${word(rest)}` : `${last.name} ${keys}`;
  }
  return `${last.name} ${word(v)}`;
}

export function renderMigrationDiff(d: MigrationDiff): string[] {
  const out: string[] = [];
  const byLevel = new Map<string, { segments: PathSegment[]; lines: string[] }>();
  for (const c of d.changes) {
    const segments = parsePath(c.path);
    const last = segments.at(-1);
    if (!last) continue;
    const parent = segments.slice(0, -1);
    const key = header(parent);
    let level = byLevel.get(key);
    if (!level) { level = { segments: parent, lines: [] }; byLevel.set(key, level); }
    if (c.op !== 'create') level.lines.push(`-   ${statement(last, c.old)}`);
    if (c.op !== 'delete') level.lines.push(`+   ${statement(last, c.new)}`);
  }
  for (const [h, level] of byLevel) out.push(h, ...level.lines);
  if (d.losses.length > 0) {
    out.push(`!!! ${d.losses.length} setting${d.losses.length === 1 ? '' : 's'} cannot be carried (LOST):`);
    for (const l of d.losses) out.push(`!!!   ${l.path}: ${l.reason}`);
  }
  return out;
}
