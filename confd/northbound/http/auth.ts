/**
 * @module confd/northbound/http/auth
 * HTTP basic authentication against the device's users (scrypt hashes, as for SSH), with
 * the login rate limiter of the SSH listener (one count of failures per address and account
 * for both) and failed-login audit records, and the access check of a route (the
 * user's group must be allowed to read its path). A successful check is remembered for a
 * minute per credentials (a scrape every few seconds, or a RESTCONF client's every request,
 * must not cost an scrypt each), and forgotten when a commit changes the users or access rules.
 */
import { createHash } from 'node:crypto';
import { AccessControl } from '../../auth/access.js';
import { isPathWithin } from '../../core/path.js';
import { DUMMY_HASH, verifyPassword } from '../../auth/passwords.js';
import { LoginThrottle } from '../../auth/login-throttle.js';
import { configuredRules, findUser } from '../../auth/users.js';
import type { ConfigEngine } from '../../txn/engine.js';

export interface Principal { readonly user: string; readonly address: string }
export type AuthOutcome = Principal | 'unauthenticated' | 'forbidden' | 'throttled';

const REMEMBER_MS = 60_000;

export class BasicAuth {
  private readonly remembered = new Map<string, { user: string; until: number; generation: number }>();
  private generation = 0;

  /** `throttle`: the SSH listener's, so that guesses over SSH and HTTPS count together (a fresh one in tests). */
  constructor(private readonly engine: ConfigEngine, private readonly throttle = new LoginThrottle()) {
    engine.addParticipant({
      name: 'http-auth',
      committed: (e) => {
        if (e.leafChanges().some((c) => isPathWithin(c.path, '/system/users') || isPathWithin(c.path, '/system/access'))) this.generation++;
      },
    });
  }

  /**
   * Checks a user's password through the login throttle (counted before it is checked, as for
   * SSH: concurrent guesses cannot all be checked), auditing a failure or refusal. Basic
   * authentication and the status page's login form share it, so they share the throttle.
   */
  async login(user: string, password: string, address: string, method: 'basic' | 'form'): Promise<'ok' | 'unauthenticated' | 'throttled'> {
    const ip = address.slice(0, address.lastIndexOf(':'));
    const actor = { id: 0, user: user.slice(0, 64), source: 'http', address };
    const verdict = this.throttle.begin(ip, user);
    if (!verdict.allowed) {
      this.engine.auditBestEffort(actor, 'login-rate-limited', user.slice(0, 64), 'denied', { method });
      return 'throttled';
    }
    if (verdict.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, verdict.delayMs));
    const record = findUser(this.engine, user);
    const ok = await verifyPassword(password, record?.passwordHash ?? DUMMY_HASH) && record !== undefined;
    this.throttle.settle(verdict.ticket, ok);
    if (!ok) {
      this.engine.auditBestEffort(actor, 'login-failed', user.slice(0, 64), 'denied', { method });
      return 'unauthenticated';
    }
    return 'ok';
  }

  async check(header: string | undefined, address: string, reads: string): Promise<AuthOutcome> {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (!m) return 'unauthenticated';
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return 'unauthenticated';
    const user = decoded.slice(0, colon), password = decoded.slice(colon + 1);
    const key = createHash('sha256').update(decoded).digest('base64');
    const known = this.remembered.get(key);
    const ok = known !== undefined && known.until > Date.now() && known.generation === this.generation;
    if (!ok) {
      const verdict = await this.login(user, password, address, 'basic');
      if (verdict !== 'ok') return verdict;
      if (this.remembered.size > 1000) this.remembered.clear();
      this.remembered.set(key, { user, until: Date.now() + REMEMBER_MS, generation: this.generation });
    }
    const record = findUser(this.engine, user);
    const access = new AccessControl(user, record?.role ?? null, configuredRules(this.engine));
    return access.allowed('read', reads) ? { user, address } : 'forbidden';
  }
}
