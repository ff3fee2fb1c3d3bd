/**
 * @module confd/schema/keywords
 * The extension keywords of the device schemas (documented in schemas/README.md). They carry
 * what JSON Schema cannot say; ajv checks their syntax through each meta-schema, and confd
 * enforces their meaning (keys, references, uniqueness are cross-entry rules ajv cannot see).
 */
import type { Ajv2020 } from 'ajv/dist/2020.js';

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
} as const;

export type ExtensionKeyword = keyof typeof EXTENSION_KEYWORDS;

export function registerExtensionKeywords(ajv: Ajv2020): void {
  for (const [keyword, metaSchema] of Object.entries(EXTENSION_KEYWORDS)) {
    ajv.addKeyword({ keyword, metaSchema });
  }
}
