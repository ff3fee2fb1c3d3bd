/**
 * @module transforms/step
 * One step between two adjacent schema versions of the device model. Both directions are
 * pure functions over a whole configuration tree in its materialized JSON form (containers
 * as objects, lists as arrays of entries holding their keys, leaf-lists as arrays): exactly
 * what the engine's getConfig('running') returns and what its load() accepts.
 *
 * - `up` carries everything: a newer version can express all that the older one could.
 * - `down` carries what the older version can express and reports the rest as losses,
 *   each naming the data path (in the newer version's terms) of what was dropped or changed.
 *
 * Neither mutates its input, and the result never shares objects with it.
 */
import type { JsonObject } from '../confd/api/index.js';

export interface Loss {
  /** Data path, in the newer version, of what down could not carry: /system/ntp/server[address='10.0.0.1']/prefer. */
  readonly path: string;
  /** What happened to it, in words for the technician who must confirm the downgrade. */
  readonly reason: string;
}

export interface TransformStep {
  readonly from: number;
  /** Always from + 1. */
  readonly to: number;
  /** A valid configuration of version `from` → the same configuration in version `to`. */
  up(config: JsonObject): JsonObject;
  /** A valid configuration of version `to` → version `from`, with what it could not carry. */
  down(config: JsonObject): { config: JsonObject; losses: Loss[] };
}

