/**
 * @module confd/ssh/admission
 * Which TCP connections the SSH listener takes, before a byte of SSH is read, in the manner of
 * OpenSSH: a cap on open connections per source address, and MaxStartups' random early drop of
 * unauthenticated connections (from `start` on, `rate` percent are dropped, rising linearly to
 * every one at `full`). Pure bookkeeping; the random source is injected.
 */
import { isObject, type JsonObject } from '../core/tree.js';

export interface SshLimits {
  /** Seconds from TCP accept to successful authentication. */
  readonly loginGraceTime: number;
  readonly maxAuthTries: number;
  readonly maxConnectionsPerSource: number;
  readonly maxStartups: { readonly start: number; readonly rate: number; readonly full: number };
  /** Seconds without traffic before an authenticated connection is closed; 0 is never. */
  readonly netconfIdleTimeout: number;
  readonly cliIdleTimeout: number;
}

/** The defaults, which are also /system/services' schema defaults. */
export const DEFAULT_SSH_LIMITS: SshLimits = {
  loginGraceTime: 30, maxAuthTries: 6, maxConnectionsPerSource: 32, maxStartups: { start: 10, rate: 30, full: 100 },
  netconfIdleTimeout: 0, cliIdleTimeout: 900,
};

export type Refusal = 'per-source' | 'max-startups';

export class Admission {
  private readonly perSource = new Map<string, number>();
  private unauthenticated = 0;

  constructor(private readonly random: () => number = Math.random) {}

  /** Admits a new connection from `source`, or says why not; an admitted one is unauthenticated. */
  admit(source: string, limits: SshLimits): Refusal | null {
    const open = this.perSource.get(source) ?? 0;
    if (open >= limits.maxConnectionsPerSource) return 'per-source';
    const { start, rate, full } = limits.maxStartups;
    if (this.unauthenticated >= full) return 'max-startups';
    if (this.unauthenticated >= start) {
      const p = rate / 100 + ((100 - rate) / 100) * ((this.unauthenticated - start) / Math.max(1, full - start));
      if (this.random() < p) return 'max-startups';
    }
    this.perSource.set(source, open + 1);
    this.unauthenticated++;
    return null;
  }

  /** The admitted connection authenticated. Call at most once per connection. */
  authenticated(): void {
    this.unauthenticated--;
  }

  /** The admitted connection closed; `wasAuthenticated` says whether authenticated() was called. */
  closed(source: string, wasAuthenticated: boolean): void {
    if (!wasAuthenticated) this.unauthenticated--;
    const open = (this.perSource.get(source) ?? 1) - 1;
    if (open <= 0) this.perSource.delete(source);
    else this.perSource.set(source, open);
  }
}

/** /system/services of the running configuration, as SshLimits (defaults where unset). */
export function sshLimitsOf(services: unknown): SshLimits {
  const s = asObject(services);
  const ssh = asObject(s.ssh), startups = asObject(ssh['max-startups']);
  const d = DEFAULT_SSH_LIMITS;
  return {
    loginGraceTime: num(ssh['login-grace-time'], d.loginGraceTime),
    maxAuthTries: num(ssh['max-auth-tries'], d.maxAuthTries),
    maxConnectionsPerSource: num(ssh['max-connections-per-source'], d.maxConnectionsPerSource),
    maxStartups: {
      start: num(startups.start, d.maxStartups.start), rate: num(startups.rate, d.maxStartups.rate), full: num(startups.full, d.maxStartups.full),
    },
    netconfIdleTimeout: num(asObject(s.netconf)['idle-timeout'], d.netconfIdleTimeout),
    cliIdleTimeout: num(asObject(s.cli)['idle-timeout'], d.cliIdleTimeout),
  };
}

function asObject(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
