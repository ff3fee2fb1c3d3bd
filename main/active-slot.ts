/**
 * @module main/active-slot
 * Which database a tool opens when the appliance is stopped: the primary slot's, at that slot's
 * schema version (or, on a data directory the boot loader never set up, the single database).
 */
import { readBootState } from '../upgrade/boot/state.js';
import { deviceLayout } from '../upgrade/layout.js';

export function activeSlot(root: string): { slot?: string; schemaVersion?: number } {
  const state = readBootState(deviceLayout(root).bootState);
  if (!state) return {};
  const v = state.slots[state.primary].schemaVersion;
  return { slot: state.primary, ...(v !== null ? { schemaVersion: v } : {}) };
}
