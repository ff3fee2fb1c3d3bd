/**
 * @module confd/core/path
 * Data paths in the one canonical text form used everywhere (errors, history, audit, the
 * socket protocol): /interfaces/interface[name='eth0']/mtu. Keys are quoted with ' (or " when
 * the value holds a '); a value holding both quotes doubles the '. Pure: no Node APIs.
 */
import { ConfdError } from './errors.js';

export interface PathSegment {
  readonly name: string;
  /** Key leaf name → key value (as text), in the list's key order. */
  readonly keys?: ReadonlyArray<readonly [string, string]>;
}

export function quoteKey(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  return `'${value.replaceAll("'", "''")}'`;
}

export function formatSegment(seg: PathSegment): string {
  let s = seg.name;
  if (seg.keys) for (const [k, v] of seg.keys) s += `[${k}=${quoteKey(v)}]`;
  return s;
}

export function formatPath(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return '/';
  let s = '';
  for (const seg of segments) s += '/' + formatSegment(seg);
  return s;
}

/** Appends one segment to an already formatted path. */
export function childPath(parent: string, seg: PathSegment): string {
  return (parent === '/' ? '' : parent) + '/' + formatSegment(seg);
}

// '*' is a segment of its own in access rules (any name); the schema resolves no element by it.
const NAME = /[A-Za-z_][A-Za-z0-9_.:-]*|\*/y;

export function parsePath(text: string): PathSegment[] {
  const bad = (why: string): never => {
    throw new ConfdError('SCHEMA_BAD_PATH', `bad path '${text}': ${why}`, { path: text });
  };
  if (text === '/' || text === '') return [];
  if (text[0] !== '/') bad('a path starts with /');
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '/') bad(`expected / at offset ${i}`);
    i++;
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (!m) bad(`expected a name at offset ${i}`);
    const name = m![0];
    i += name.length;
    const keys: Array<[string, string]> = [];
    while (text[i] === '[') {
      i++;
      NAME.lastIndex = i;
      const k = NAME.exec(text);
      if (!k) bad(`expected a key name at offset ${i}`);
      i += k![0].length;
      if (text[i] !== '=') bad(`expected = at offset ${i}`);
      i++;
      const q = text[i];
      if (q !== "'" && q !== '"') bad(`expected a quoted key value at offset ${i}`);
      i++;
      let value = '';
      for (;;) {
        const end = text.indexOf(q!, i);
        if (end < 0) bad('unterminated key value');
        value += text.slice(i, end);
        i = end + 1;
        if (q === "'" && text[i] === "'") { value += "'"; i++; continue; }
        break;
      }
      if (text[i] !== ']') bad(`expected ] at offset ${i}`);
      i++;
      keys.push([k![0], value]);
    }
    segments.push(keys.length > 0 ? { name, keys } : { name });
  }
  return segments;
}

/** True when `path` equals `prefix` or lies below it. */
export function isPathWithin(path: string, prefix: string): boolean {
  if (prefix === '/' || prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  const next = path[prefix.length];
  return next === undefined || next === '/' || next === '[';
}
