/**
 * @module confd/schema/keywords
 * The extension keywords of the device schemas (documented in schemas/README.md). They carry
 * what JSON Schema cannot say; ajv checks their syntax through each meta-schema, and confd
 * enforces their meaning (keys, references, uniqueness are cross-entry rules ajv cannot see).
 */
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { DataValidationCxt } from 'ajv/dist/types/index.js';

export const EXTENSION_KEYWORDS = {
  /** On an array of objects: a keyed list, with the names of its key leaves in order. */
  'x-key': { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
  /** false on read-only state data: reported by get, refused in configuration. */
  'x-config': { type: 'boolean' },
  /** On a leaf: its value must be the key of an existing entry of the named list. */
  'x-ref': { type: 'string', pattern: '^(/[A-Za-z_][A-Za-z0-9_.-]*)+$' },
  /** On a leaf or leaf-list inside a list entry: no two entries may use the same value. */
  'x-unique': { type: 'boolean' },
  /** One-line help text shown by the CLI. */
  'x-help': { type: 'string' },
  /** Words an operator understands for what a pattern accepts. */
  'x-pattern-help': { type: 'string' },
  /** On a top-level part: its XML namespace for NETCONF. */
  'x-namespace': { type: 'string', minLength: 1 },
  /** On a leaf: a secret (password hash, key); never logged, hidden from viewers. */
  'x-sensitive': { type: 'boolean' },
  /** At the root: the YANG revision date of this version's modules (fixed once released). */
  'x-revision': { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
  /** On an a.b.c.d/len leaf: a network, so the address has no bits set past the length. */
  'x-network': { type: 'boolean' },
  /** On a leaf of a list entry: it may be set only while a sibling leaf has one of these values (`{"protocol": ["tcp"]}`). */
  'x-only-with': { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 } },
} as const;

export type ExtensionKeyword = keyof typeof EXTENSION_KEYWORDS;

interface KeywordError { keyword: string; message: string; params: Record<string, unknown> }
type Check = ((schema: never, data: unknown, parentSchema: unknown, cx?: DataValidationCxt) => boolean) & { errors?: KeywordError[] };

const fail = (check: Check, keyword: string, message: string): false => {
  check.errors = [{ keyword, message, params: {} }];
  return false;
};

/** The network of `a.b.c.d/len` when host bits are set, else undefined. */
export function hostBitsNetwork(prefix: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(prefix);
  if (!m) return undefined;
  const address = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
  const len = Number(m[5]);
  const size = 2 ** (32 - len);
  const network = Math.floor(address / size) * size;
  if (network === address) return undefined;
  return `${[24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join('.')}/${len}`;
}

const network: Check = (schema: boolean, data: unknown) => {
  if (schema !== true || typeof data !== 'string') return true;
  const net = hostBitsNetwork(data);
  return net === undefined || fail(network, 'x-network', `'${data}' has host bits set: the network is ${net}`);
};

const onlyWith: Check = (schema: Record<string, string[]>, _data: unknown, _parent: unknown, cx?: DataValidationCxt) => {
  const sibling = cx?.parentData as Record<string, unknown> | undefined;
  for (const [leaf, values] of Object.entries(schema)) {
    const v = sibling?.[leaf];
    if (v === undefined || values.includes(String(v))) continue;
    return fail(onlyWith, 'x-only-with', `${String(cx?.parentDataProperty)} applies only when ${leaf} is ${values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}` : values[0]}, not ${String(v)}`);
  }
  return true;
};

const CHECKS: Partial<Record<ExtensionKeyword, Check>> = { 'x-network': network, 'x-only-with': onlyWith };

export function registerExtensionKeywords(ajv: Ajv2020): void {
  for (const [keyword, metaSchema] of Object.entries(EXTENSION_KEYWORDS)) {
    const validate = CHECKS[keyword as ExtensionKeyword];
    ajv.addKeyword({ keyword, metaSchema, ...(validate ? { validate: validate as never, errors: true } : {}) });
  }
}
