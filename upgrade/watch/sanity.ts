/**
 * @module upgrade/watch/sanity
 * The operator's sanity checks (`/system/software/sanity-check NAME`, schema version 2): a
 * configuration path that must exist (and, with `match`, hold that value), a supervised
 * daemon that must be running, a TCP port on the loopback that must accept. Each check runs
 * its conditions within its timeout (2000 ms when not set). Run after every switch during
 * the watch, and on request (`software sanity-check`). What they read comes in through
 * `SanityDeps`, so that this module knows no socket of the appliance.
 */
import { connect } from 'node:net';
import { isObject, parsePath, type JsonObject, type JsonValue } from '../../confd/api/index.js';

export interface SanityCheck {
  readonly name: string;
  readonly 'get-path'?: string;
  readonly match?: string;
  readonly daemon?: string;
  readonly port?: number;
  readonly 'timeout-ms'?: number;
}

export interface SanityResult { readonly name: string; readonly ok: boolean; readonly detail: string }

export interface SanityDeps {
  /** The running configuration. */
  config(): Promise<JsonObject>;
  /** The supervised daemons and their status. */
  daemons(): Promise<ReadonlyArray<{ readonly name: string; readonly status: string }>>;
}

export const DEFAULT_TIMEOUT_MS = 2000;

/** The value at `path` in `tree` (list entries found by their keys), or undefined. */
export function valueAt(tree: JsonObject, path: string): JsonValue | undefined {
  let at: JsonValue | undefined = tree;
  for (const seg of parsePath(path)) {
    if (!isObject(at)) return undefined;
    at = at[seg.name];
    if (seg.keys) {
      if (!Array.isArray(at)) return undefined;
      at = at.find((e) => isObject(e) && seg.keys!.every(([k, v]) => String(e[k]) === v));
    }
  }
  return at;
}

function portAccepts(port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = (problem: string | null) => { s.destroy(); resolve(problem); };
    s.setTimeout(timeoutMs, () => done(`port ${port} did not accept within ${timeoutMs} ms`));
    s.once('connect', () => done(null));
    s.once('error', (e) => done(`port ${port} does not accept (${(e as NodeJS.ErrnoException).code ?? e.message})`));
  });
}

async function conditions(c: SanityCheck, deps: SanityDeps, timeoutMs: number): Promise<string | null> {
  if (c['get-path'] !== undefined) {
    const v = valueAt(await deps.config(), c['get-path']);
    if (v === undefined || v === null) return `${c['get-path']} does not exist`;
    if (c.match !== undefined && (isObject(v) || Array.isArray(v) ? JSON.stringify(v) : String(v)) !== c.match) {
      return `${c['get-path']} is ${JSON.stringify(v)}, not ${JSON.stringify(c.match)}`;
    }
  }
  if (c.daemon !== undefined) {
    const d = (await deps.daemons()).find((x) => x.name === c.daemon);
    if (!d) return `daemon ${c.daemon} is not supervised`;
    if (d.status !== 'running') return `daemon ${c.daemon} is ${d.status}`;
  }
  if (c.port !== undefined) return portAccepts(c.port, timeoutMs);
  return null;
}

export async function runSanityCheck(c: SanityCheck, deps: SanityDeps): Promise<SanityResult> {
  const timeoutMs = c['timeout-ms'] ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => { timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs); });
  try {
    const problem = await Promise.race([conditions(c, deps, timeoutMs).catch((e: unknown) => (e as Error).message), timeout]);
    return { name: c.name, ok: problem === null, detail: problem ?? 'ok' };
  } finally {
    clearTimeout(timer);
  }
}

export function runSanityChecks(checks: readonly SanityCheck[], deps: SanityDeps): Promise<SanityResult[]> {
  return Promise.all(checks.map((c) => runSanityCheck(c, deps)));
}
