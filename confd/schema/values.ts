/**
 * @module confd/schema/values
 * Leaf values between their typed JSON form and text (NETCONF XML, CLI arguments, keys in
 * paths). Type checks here; ranges, patterns and enumerations are the validators' job.
 */
import { ConfdError } from '../core/errors.js';
import type { JsonScalar } from '../core/tree.js';
import type { LeafType } from './model.js';

const INTEGER = /^[+-]?[0-9]+$/;
const NUMBER = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

export function parseLeafText(type: LeafType, text: string, path: string): JsonScalar {
  switch (type) {
    case 'string':
      return text;
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw new ConfdError('SCHEMA_INVALID_VALUE', `must be true or false, not '${text}'`, { path });
    case 'integer': {
      const t = text.trim();
      if (!INTEGER.test(t)) throw new ConfdError('SCHEMA_INVALID_VALUE', `must be a whole number, not '${text}'`, { path });
      const n = Number(t);
      if (!Number.isSafeInteger(n)) throw new ConfdError('SCHEMA_INVALID_VALUE', `number '${text}' is too large`, { path });
      return n;
    }
    case 'number': {
      const t = text.trim();
      if (!NUMBER.test(t)) throw new ConfdError('SCHEMA_INVALID_VALUE', `must be a number, not '${text}'`, { path });
      return Number(t);
    }
  }
}

export function formatLeafValue(value: JsonScalar): string {
  return String(value);
}
