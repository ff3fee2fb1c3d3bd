/**
 * @module confd/schema/yang-types
 * The YANG type of a JSON Schema leaf: strings with length and pattern (ECMAScript patterns
 * rewritten as the XML Schema regular expressions YANG uses), integers as the smallest built-in
 * type holding their range, enumerations, booleans, and the shared definitions ($defs) as
 * typedefs or ietf-inet-types. Exactly the values ajv accepts, no more and no fewer.
 */
import { YangWriter, quoted, singleQuoted } from './yang-writer.js';

type Json = Record<string, unknown>;

/** $defs that are standard types: their pattern is exactly that of the inet type, without zones. */
export const INET_TYPES: Readonly<Record<string, string>> = {
  'ipv4-address': 'inet:ipv4-address-no-zone',
};

const INTEGER_TYPES: readonly [string, bigint, bigint][] = [
  ['uint8', 0n, 255n], ['uint16', 0n, 65535n], ['uint32', 0n, 4294967295n], ['uint64', 0n, 18446744073709551615n],
  ['int8', -128n, 127n], ['int16', -32768n, 32767n], ['int32', -2147483648n, 2147483647n],
  ['int64', -9223372036854775808n, 9223372036854775807n],
];

/** What a module needs besides its own statements, collected while types are written. */
export interface TypeNeeds {
  /** $defs used, by name (written as typedefs). */
  readonly typedefs: Set<string>;
  /** Imports by module name. */
  readonly imports: Set<string>;
}

/** The name of a local `$ref` (#/$defs/NAME), or undefined. */
export function refName(s: Json): string | undefined {
  const ref = s.$ref;
  if (typeof ref !== 'string') return undefined;
  const m = /^#\/\$defs\/([A-Za-z0-9_-]+)$/.exec(ref);
  if (!m) throw new Error(`only #/$defs/NAME references are supported: ${ref}`);
  return m[1];
}

/** Writes the `type` statement of a leaf (or leaf-list item) schema. */
export function writeType(w: YangWriter, s: Json, needs: TypeNeeds): void {
  const ref = refName(s);
  if (ref !== undefined) {
    for (const k of Object.keys(s)) {
      if (k !== '$ref' && k !== 'default' && !k.startsWith('x-')) throw new Error(`$ref ${ref} with sibling '${k}' is not supported`);
    }
    const inet = INET_TYPES[ref];
    if (inet) {
      needs.imports.add('ietf-inet-types');
      w.stmt('type', inet);
    } else {
      needs.typedefs.add(ref);
      w.stmt('type', ref);
    }
    return;
  }
  writeBuiltinType(w, s);
}

/** The type of a schema with no $ref (also the body of a typedef). */
export function writeBuiltinType(w: YangWriter, s: Json): void {
  if (Array.isArray(s.enum)) {
    w.open('type', 'enumeration');
    for (const v of s.enum) {
      if (typeof v !== 'string') throw new Error(`enumerations of strings only: ${JSON.stringify(v)}`);
      w.stmt('enum', quoted(v));
    }
    w.end();
    return;
  }
  switch (s.type) {
    case 'boolean': w.stmt('type', 'boolean'); return;
    case 'integer': integerType(w, s); return;
    case 'string': stringType(w, s); return;
    case 'number': decimalType(w, s); return;
    default: throw new Error(`no YANG type for ${JSON.stringify(s.type)}`);
  }
}

/** The smallest built-in integer type holding minimum..maximum (RFC 7951 writes the 64-bit ones as strings). */
export function integerTypeOf(minimum: number | undefined, maximum: number | undefined): readonly [string, bigint, bigint] {
  const min = minimum === undefined ? undefined : BigInt(minimum);
  const max = maximum === undefined ? undefined : BigInt(maximum);
  // Without bounds a JSON integer is any integer: int64 (what the XML codec can carry).
  const signed = min === undefined || min < 0n;
  const chosen = INTEGER_TYPES.find(([name, lo, hi]) => name.startsWith('int') === signed
    && (min === undefined ? name === 'int64' : min >= lo) && (max === undefined ? name.endsWith('64') : max <= hi));
  if (!chosen) throw new Error(`no integer type holds ${min}..${max}`);
  return chosen;
}

function integerType(w: YangWriter, s: Json): void {
  const min = typeof s.minimum === 'number' ? BigInt(s.minimum) : undefined;
  const max = typeof s.maximum === 'number' ? BigInt(s.maximum) : undefined;
  const [name, lo, hi] = integerTypeOf(typeof s.minimum === 'number' ? s.minimum : undefined, typeof s.maximum === 'number' ? s.maximum : undefined);
  const from = min === undefined || min === lo ? 'min' : String(min);
  const to = max === undefined || max === hi ? 'max' : String(max);
  if (from === 'min' && to === 'max') { w.stmt('type', name); return; }
  w.open('type', name).stmt('range', quoted(`${from}..${to}`)).end();
}

/** JSON numbers with a fraction: decimal64 with 6 fraction digits (ratios, percentages, rates). */
const DECIMAL_FRACTION_DIGITS = 6;

function decimalType(w: YangWriter, s: Json): void {
  const from = typeof s.minimum === 'number' ? String(s.minimum) : 'min';
  const to = typeof s.maximum === 'number' ? String(s.maximum) : 'max';
  w.open('type', 'decimal64').stmt('fraction-digits', String(DECIMAL_FRACTION_DIGITS));
  if (from !== 'min' || to !== 'max') w.stmt('range', quoted(`${from}..${to}`));
  w.end();
}

function stringType(w: YangWriter, s: Json): void {
  const minLength = typeof s.minLength === 'number' ? s.minLength : undefined;
  const maxLength = typeof s.maxLength === 'number' ? s.maxLength : undefined;
  const pattern = typeof s.pattern === 'string' ? s.pattern : undefined;
  if (minLength === undefined && maxLength === undefined && pattern === undefined) { w.stmt('type', 'string'); return; }
  w.open('type', 'string');
  if (minLength !== undefined || maxLength !== undefined) w.stmt('length', quoted(`${minLength ?? 0}..${maxLength ?? 'max'}`));
  if (pattern !== undefined) {
    const help = typeof s['x-pattern-help'] === 'string' ? s['x-pattern-help'] : undefined;
    if (help) w.open('pattern', singleQuoted(xsdPattern(pattern))).stmt('error-message', quoted(`must be ${help}`)).end();
    else w.stmt('pattern', singleQuoted(xsdPattern(pattern)));
  }
  w.end();
}

/**
 * An ECMAScript pattern (as ajv runs it: unanchored, unicode) as an XML Schema regular
 * expression (RFC 7950 §9.4.5: implicitly anchored at both ends). Refuses what has no exact
 * equivalent rather than translating it loosely.
 */
export function xsdPattern(js: string): string {
  if (/\(\?|\\[dDwWsSbBk0-9]/.test(js)) throw new Error(`pattern uses a construct with no XSD equivalent: ${js}`);
  let body = js;
  const start = body.startsWith('^');
  if (start) body = body.slice(1);
  const end = body.endsWith('$') && !body.endsWith('\\$');
  if (end) body = body.slice(0, -1);
  if (hasTopLevelAlternation(body)) {
    if (!start || !end) throw new Error(`a top-level alternation must be anchored at both ends: ${js}`);
    body = `(${body})`;
  }
  if (/(^|[^\\])\$|(^|[^\\[])\^/.test(body)) throw new Error(`pattern has an anchor inside: ${js}`);
  // XSD has no anchors: '$' and '/' are plain characters and must not be escaped.
  body = body.replaceAll('\\$', '$').replaceAll('\\/', '/');
  return `${start ? '' : '.*'}${body}${end ? '' : '.*'}`;
}

function hasTopLevelAlternation(p: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}
