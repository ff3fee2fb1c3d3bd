/**
 * @module confd/schema/messages
 * ajv's errors in words an operator understands, each with the exact data path and a code.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { ConfdError, type ErrorCode } from '../core/errors.js';
import { childPath } from '../core/path.js';

const TYPE_WORDS: Record<string, string> = {
  string: 'text', integer: 'a whole number', number: 'a number', boolean: 'true or false',
  object: 'a container of elements', array: 'a list of values',
};

/** ajv errors of one stored node, as ConfdErrors under `nodePath`. `skipRequired` defers mandatory checks. */
export function describeAjvErrors(
  nodePath: string, errors: readonly ErrorObject[], options: { skipRequired?: boolean } = {},
): ConfdError[] {
  const out: ConfdError[] = [];
  for (const e of errors) {
    if (options.skipRequired && e.keyword === 'required') continue;
    // `if`/`anyOf` wrappers repeat what their branches already said.
    if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    out.push(describe(nodePath, e));
  }
  return out;
}

function pointerToPath(nodePath: string, pointer: string): string {
  let p = nodePath;
  if (pointer === '') return p;
  for (const part of pointer.slice(1).split('/')) {
    const name = part.replaceAll('~1', '/').replaceAll('~0', '~');
    // Leaf-list items are addressed by index in ajv; the path names the leaf-list.
    if (/^[0-9]+$/.test(name)) continue;
    p = childPath(p, { name });
  }
  return p;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
}

function describe(nodePath: string, e: ErrorObject): ConfdError {
  const path = pointerToPath(nodePath, e.instancePath);
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const p = e.params as Record<string, unknown>;
  const make = (code: ErrorCode, message: string, at = path) =>
    new ConfdError(code, message, { path: at, details: { rule: e.keyword, ...(e.keyword === 'required' ? {} : { value: e.data }) } });
  switch (e.keyword) {
    case 'type':
      return make('SCHEMA_INVALID_VALUE', `must be ${TYPE_WORDS[String(p.type)] ?? String(p.type)}, not ${show(e.data)}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const lo = parent.minimum, hi = parent.maximum;
      const range = typeof lo === 'number' && typeof hi === 'number'
        ? `between ${lo} and ${hi}`
        : `${String(p.comparison).startsWith('>') ? 'at least' : 'at most'} ${String(p.limit)}`;
      return make('SCHEMA_INVALID_VALUE', `must be ${range}, not ${show(e.data)}`);
    }
    case 'minLength':
      return make('SCHEMA_INVALID_VALUE', `must be at least ${String(p.limit)} characters long`);
    case 'maxLength':
      return make('SCHEMA_INVALID_VALUE', `must be at most ${String(p.limit)} characters long`);
    case 'pattern': {
      const help = parent['x-pattern-help'];
      return make('SCHEMA_INVALID_VALUE', typeof help === 'string'
        ? `${show(e.data)} is not ${help}`
        : `${show(e.data)} does not match the pattern ${String(p.pattern)}`);
    }
    case 'enum':
      return make('SCHEMA_INVALID_VALUE', `must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}; not ${show(e.data)}`);
    case 'const':
      return make('SCHEMA_INVALID_VALUE', `must be ${show(p.allowedValue)}`);
    case 'required':
      return make('SCHEMA_MISSING_ELEMENT', `missing mandatory element '${String(p.missingProperty)}'`,
        childPath(path, { name: String(p.missingProperty) }));
    case 'additionalProperties':
      return make('SCHEMA_UNKNOWN_ELEMENT', `unknown element '${String(p.additionalProperty)}'`,
        childPath(path, { name: String(p.additionalProperty) }));
    case 'maxItems':
      return make('SCHEMA_TOO_MANY_ELEMENTS', `at most ${String(p.limit)} values are allowed`);
    case 'minItems':
      return make('SCHEMA_MISSING_ELEMENT', `at least ${String(p.limit)} values are needed`);
    case 'uniqueItems':
      return make('SCHEMA_INVALID_VALUE', `the same value appears twice (positions ${String(p.j)} and ${String(p.i)})`);
    default:
      return make('SCHEMA_INVALID_VALUE', e.message ?? `breaks the rule '${e.keyword}'`);
  }
}
