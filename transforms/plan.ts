/**
 * @module transforms/plan
 * Chains steps to carry a configuration between any two schema versions, one version at a
 * time: up through ascending steps, down through descending ones. The functions here work
 * on any list of steps; transforms/index.ts binds them to the steps of this build.
 */
import { ConfdError, cloneJson, type JsonObject } from '../confd/api/index.js';
import type { Loss, TransformStep } from './step.js';

/**
 * The steps from version `from` to version `to`, in the order to apply them: ascending (apply
 * `up`) when from < to, descending (apply `down`) when from > to, none when equal.
 */
export function planSteps(from: number, to: number, steps: readonly TransformStep[]): TransformStep[] {
  for (const v of [from, to]) {
    if (!Number.isInteger(v) || v < 1) {
      throw new ConfdError('SCHEMA_VERSION_UNKNOWN', `schema version ${String(v)} is not a version number (1, 2…)`,
        { details: { from, to } });
    }
  }
  const byFrom = indexSteps(steps);
  const chain: TransformStep[] = [];
  const lo = Math.min(from, to), hi = Math.max(from, to);
  for (let v = lo; v < hi; v++) {
    const step = byFrom.get(v);
    if (!step) {
      const known = [...byFrom.keys()].sort((a, b) => a - b).map((f) => `${f}→${f + 1}`);
      throw new ConfdError('SCHEMA_VERSION_UNKNOWN',
        `cannot migrate configuration from schema version ${from} to ${to}: no transform between versions ${v} and ${v + 1}`
        + ` (known: ${known.length > 0 ? known.join(', ') : 'none'})`, { details: { from, to, missing: v } });
    }
    chain.push(step);
  }
  return from <= to ? chain : chain.reverse();
}

/**
 * `config` of schema version `from`, carried to version `to`. Going down, `losses` lists what
 * could not be carried, step by step (each path in the terms of the newer version of the step
 * that dropped it); going up it is always empty. The input is never changed or shared.
 */
export function migrate(
  config: JsonObject, from: number, to: number, steps: readonly TransformStep[],
): { config: JsonObject; losses: Loss[] } {
  const chain = planSteps(from, to, steps);
  // Each step returns a fresh tree; only an empty chain has to copy.
  if (chain.length === 0) return { config: cloneJson(config), losses: [] };
  let current = config;
  const losses: Loss[] = [];
  for (const step of chain) {
    if (from < to) {
      current = step.up(current);
    } else {
      const result = step.down(current);
      current = result.config;
      losses.push(...result.losses);
    }
  }
  return { config: current, losses };
}

/** Steps by their `from` version, after checking that each joins two adjacent versions, once. */
function indexSteps(steps: readonly TransformStep[]): Map<number, TransformStep> {
  const byFrom = new Map<number, TransformStep>();
  for (const s of steps) {
    if (!Number.isInteger(s.from) || s.from < 1 || s.to !== s.from + 1) {
      throw new ConfdError('INTERNAL', `a transform step must join adjacent versions, not ${s.from} and ${s.to}`);
    }
    if (byFrom.has(s.from)) throw new ConfdError('INTERNAL', `two transform steps from version ${s.from}`);
    byFrom.set(s.from, s);
  }
  return byFrom;
}
