/**
 * @module confd/api/faults
 * Named fault points for the upgrade tests: APPLIANCE_FAULT holds comma-separated faults,
 * `kill@POINT` SIGKILLs the process when it reaches POINT (a step of the install pipeline,
 * the boot-state write…), `throw@POINT` makes that point fail with an injected error, and
 * `NAME=VALUE` gives a fault a parameter (slot-full-after=BYTES, slot-kill-after=BYTES,
 * config-copy-kill-after=PAGES). Unset in production; reading it costs nothing when it is.
 */
import { ConfdError } from '../core/errors.js';

function faults(): string[] {
  const v = process.env.APPLIANCE_FAULT;
  return v ? v.split(',').map((x) => x.trim()) : [];
}

export function faultPoint(point: string): void {
  const f = faults();
  if (f.length === 0) return;
  if (f.includes(`kill@${point}`)) process.kill(process.pid, 'SIGKILL');
  if (f.includes(`throw@${point}`)) throw new ConfdError('INTERNAL', `injected fault at ${point}`);
}

/** Whether a fault named `name` (without a point) is set, e.g. `crash-on-start`. */
export function faultSet(name: string): boolean {
  return faults().includes(name);
}

/** The parameter of a fault given as `name=VALUE` (e.g. slot-full-after=200000), if it is set. */
export function faultValue(name: string): string | undefined {
  const prefix = `${name}=`;
  return faults().find((f) => f.startsWith(prefix))?.slice(prefix.length);
}
