/**
 * @module confd/rpc/selector-from-path
 * The Selector that reads one data path: its ancestors as containment, its list entries by
 * key, and everything below the node it names.
 */
import { parsePath } from '../core/path.js';
import type { DeviceSchema } from '../schema/model.js';
import { resolveDataPath } from '../schema/resolve.js';
import type { Selector } from './selector.js';

export function selectorFromPath(schema: DeviceSchema, path: string): Selector | undefined {
  const canonical = resolveDataPath(schema, path).canonical;
  const segments = parsePath(canonical);
  if (segments.length === 0) return undefined;
  let selector: Selector = {};
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i]!;
    if (seg.keys) {
      const { keyValues } = resolveDataPath(schema, segments.slice(0, i + 1));
      selector = { ...selector, match: keyValues! };
    }
    selector = { children: new Map([[seg.name, selector]]) };
  }
  return selector;
}
