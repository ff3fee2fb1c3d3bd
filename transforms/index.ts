/**
 * @module transforms
 * Configuration transforms between the schema versions of the device model, for the upgrade
 * manager (up on install, down on rollback). One module per version step with pure `up` and
 * `down`, the registry of this build's steps, and a planner that chains them. Imports only
 * confd/api: the upgrade manager runs this code outside confd.
 */
import type { JsonObject } from '../confd/api/index.js';
import * as plan from './plan.js';
import type { Loss, TransformStep } from './step.js';
import { v1ToV2 } from './v1-to-v2.js';

export type { Loss, TransformStep } from './step.js';
export { v1ToV2 } from './v1-to-v2.js';

/** Every step this build knows, one per pair of adjacent schema versions. */
export const TRANSFORM_STEPS: readonly TransformStep[] = Object.freeze([v1ToV2]);

/** The steps from schema version `from` to `to` (see plan.ts); throws SCHEMA_VERSION_UNKNOWN when none lead there. */
export function planSteps(from: number, to: number, steps: readonly TransformStep[] = TRANSFORM_STEPS): TransformStep[] {
  return plan.planSteps(from, to, steps);
}

/** `config` of schema version `from` carried to `to`, with what going down could not carry. */
export function migrate(
  config: JsonObject, from: number, to: number, steps: readonly TransformStep[] = TRANSFORM_STEPS,
): { config: JsonObject; losses: Loss[] } {
  return plan.migrate(config, from, to, steps);
}
