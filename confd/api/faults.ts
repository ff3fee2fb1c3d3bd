/**
 * @module confd/api/faults
 * Named fault points for the upgrade tests: APPLIANCE_FAULT holds comma-separated faults,
 * `kill@POINT` SIGKILLs the process when it reaches POINT (a step of the install pipeline,
 * the boot-state write…), `throw@POINT` makes that point fail with an injected error,
 * `enospc@POINT` and `eio@POINT` make it fail as a full disk or a failing disk does (an
 * errno error with code ENOSPC or EIO), `wait@POINT=FILE` holds an asynchronous point until
 * FILE exists (so that a test can fill a real disk at that instant), and `NAME=VALUE` gives a
 * fault a parameter (slot-full-after=BYTES, slot-kill-after=BYTES,
 * config-copy-kill-after=PAGES). A point fault may end in `#N` to fire only at the Nth time the process
 * reaches that point (1-based). Unset in production; reading it costs nothing when it is.
 */
import { existsSync } from 'node:fs';
import { ConfdError } from '../core/errors.js';

function faults(): string[] {
  const v = process.env.APPLIANCE_FAULT;
  return v ? v.split(',').map((x) => x.trim()) : [];
}

// How often each point was reached in this process (for `#N`): test scaffolding, inert when
// APPLIANCE_FAULT is unset.
const reached = new Map<string, number>();

/** Whether `kind@point` (or `kind@point#N` at its Nth hit) is set; `hit` is this hit's number. */
function fires(f: readonly string[], kind: string, point: string, hit: number): boolean {
  return f.includes(`${kind}@${point}`) || f.includes(`${kind}@${point}#${hit}`);
}

/** An error as Node's fs functions throw it, with its errno code. */
export function errnoError(code: 'ENOSPC' | 'EIO', point: string): NodeJS.ErrnoException {
  const text = code === 'ENOSPC' ? 'no space left on device' : 'i/o error';
  return Object.assign(new Error(`${code}: ${text}, write (injected fault at ${point})`), { code, errno: code === 'ENOSPC' ? -28 : -5, syscall: 'write' });
}

export function faultPoint(point: string): void {
  const f = faults();
  if (f.length === 0) return;
  const hit = (reached.get(point) ?? 0) + 1;
  reached.set(point, hit);
  if (fires(f, 'kill', point, hit)) process.kill(process.pid, 'SIGKILL');
  if (fires(f, 'throw', point, hit)) throw new ConfdError('INTERNAL', `injected fault at ${point}`);
  if (fires(f, 'enospc', point, hit)) throw errnoError('ENOSPC', point);
  if (fires(f, 'eio', point, hit)) throw errnoError('EIO', point);
}

/** An asynchronous point: `wait@POINT=FILE` holds it until FILE exists (bounded: 60 s). */
export async function faultWait(point: string): Promise<void> {
  const file = faultValue(`wait@${point}`);
  if (file === undefined) return;
  const until = Date.now() + 60_000;
  while (!existsSync(file) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
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
