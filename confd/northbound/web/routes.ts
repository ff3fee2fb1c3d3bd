/**
 * @module confd/northbound/web/routes
 * The status page on the HTTPS listener: `/` (the page), `/ui/<asset>` (its script and styles,
 * and uPlot from node_modules), `/ui/login` and `/ui/logout`, and the JSON endpoints under
 * `/ui/api/`. Authentication is a session cookie (`__Host-`, Secure, HttpOnly,
 * SameSite=Strict) from the login form, whose password check is the HTTP listener's (same
 * users, same login throttle); every POST must carry the session's CSRF token (the login form:
 * a token bound to a pre-login cookie) and, when the browser sends one, a same-origin Origin.
 * Every answer carries a Content-Security-Policy without inline scripts, HSTS and nosniff.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { ConfdError, hideInternal } from '../../core/errors.js';
import type { JsonValue } from '../../core/tree.js';
import type { Operations } from '../../rpc/operations.js';
import type { HostInfo } from '../socket/methods.js';
import type { BasicAuth } from '../http/auth.js';
import type { HttpReply, HttpRequest, Route } from '../http/server.js';
import { sameSecret, WebSessions, type WebSession } from './sessions.js';
import { StatusApi } from './status-api.js';

export const SESSION_COOKIE = '__Host-appliance-session';
export const LOGIN_COOKIE = '__Host-appliance-login';
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'strict-transport-security': 'max-age=31536000',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
/** Largest request body accepted (a login or an acknowledgement is far smaller). */
export const MAX_BODY_BYTES = 16 * 1024;
const MAX_ACK_IDS = 1000;

export interface StatusPageOptions {
  readonly ops: Operations;
  readonly host: HostInfo;
  readonly auth: BasicAuth;
  /** The folder of the page's own files (index.html, app.js, style.css). */
  readonly webRoot: string;
  readonly log: Logger;
  readonly idleMs?: number;
}

const cookie = (name: string, value: string, clear = false) =>
  `${name}=${value}; Secure; HttpOnly; SameSite=Strict; Path=/${clear ? '; Max-Age=0' : ''}`;

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

type Reply = HttpReply & { headers: Record<string, string> };

const json = (status: number, value: JsonValue, headers: Record<string, string> = {}): Reply =>
  ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value), headers: { ...SECURITY_HEADERS, ...headers } });
const problem = (status: number, code: string, message: string) => json(status, { error: { code, message } });

/** Reads a JSON object body of at most MAX_BODY_BYTES (refused before reading when the length says more). */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | Reply> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return problem(415, 'unsupported-media-type', 'send application/json');
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return problem(413, 'too-large', `the body is limited to ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) { req.destroy(); return problem(413, 'too-large', `the body is limited to ${MAX_BODY_BYTES} bytes`); }
    chunks.push(chunk as Buffer);
  }
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* answered below */ }
  return problem(400, 'bad-request', 'the body must be a JSON object');
}

const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && 'status' in v && 'contentType' in v;

/** A cross-site POST: the browser said where it came from, and it is not this host. */
function foreignOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

export class StatusPage {
  readonly sessions: WebSessions;
  private readonly api: StatusApi;
  private readonly assets = new Map<string, { type: string; body: Buffer }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly o: StatusPageOptions) {
    this.sessions = new WebSessions({ ops: o.ops, ...(o.idleMs !== undefined ? { idleMs: o.idleMs } : {}) });
    this.api = new StatusApi({ ops: o.ops, host: o.host });
    let uplot = join(o.webRoot, 'missing-uplot.js');
    try { uplot = createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'); } catch { /* logged below as missing */ }
    const files: Array<[string, string, string]> = [
      ['/', join(o.webRoot, 'index.html'), 'text/html; charset=utf-8'],
      ['/ui/app.js', join(o.webRoot, 'app.js'), 'text/javascript; charset=utf-8'],
      ['/ui/charts.js', join(o.webRoot, 'charts.js'), 'text/javascript; charset=utf-8'],
      ['/ui/style.css', join(o.webRoot, 'style.css'), 'text/css; charset=utf-8'],
      ['/ui/uplot.js', uplot, 'text/javascript; charset=utf-8'],
      ['/ui/uplot.css', join(uplot, '..', 'uPlot.min.css'), 'text/css; charset=utf-8'],
    ];
    // A build without the page's files still serves everything else (the page answers 404).
    for (const [path, file, type] of files) {
      try {
        this.assets.set(path, { type, body: readFileSync(file) });
      } catch (e) {
        o.log.error({ err: e, file }, 'a file of the status page is missing; the page is not served');
      }
    }
    this.sweeper = setInterval(() => { void this.sessions.sweep().catch((e: unknown) => o.log.error({ err: e }, 'ending idle web sessions failed')); }, 60_000).unref();
  }

  routes(): Route[] {
    const base = { reads: '/', public: true } as const;
    return [
      { ...base, method: 'GET', path: '/', handle: (r) => this.get(r) },
      { ...base, method: 'GET', path: '/ui/', handle: (r) => this.get(r) },
      { ...base, method: 'POST', path: '/ui/', handle: (r) => this.post(r) },
    ];
  }

  /** The request's session; a refresh the page makes by itself (`x-refresh: 1`) does not keep it from going idle. */
  private async session(req: HttpRequest): Promise<WebSession | undefined> {
    return this.sessions.find(cookies(req.raw).get(SESSION_COOKIE), req.raw.headers['x-refresh'] !== '1');
  }

  private async get(req: HttpRequest): Promise<Reply> {
    const asset = this.assets.get(req.path);
    if (asset) return { status: 200, contentType: asset.type, body: asset.body, headers: { ...SECURITY_HEADERS } };
    if (req.path === '/ui/api/session') return this.whoami(req);
    if (!req.path.startsWith('/ui/api/')) return problem(404, 'not-found', 'no such page');
    const ws = await this.session(req);
    if (!ws) return problem(401, 'unauthenticated', 'log in first');
    return this.guarded(async () => {
      const q = req.query;
      switch (req.path) {
        case '/ui/api/overview': return this.api.overview(ws);
        case '/ui/api/commits': return this.api.commits(ws, boundedInt(q.get('limit') ?? '20', 1, 100, 'limit'));
        case '/ui/api/commit-diff': return this.api.diff(ws, boundedInt(q.get('txid') ?? '', 1, Number.MAX_SAFE_INTEGER, 'txid'));
        case '/ui/api/charts': return this.api.charts(ws, q.get('range') ?? '1h', (q.get('interface') ?? '').slice(0, 64));
        default: return null;
      }
    });
  }

  /** Who is logged in, with the CSRF token; else a pre-login cookie and the login form's token. */
  private async whoami(req: HttpRequest): Promise<Reply> {
    const ws = await this.session(req);
    if (ws) {
      return json(200, { loggedIn: true, user: ws.user, role: this.api.role(ws), csrf: ws.csrf, canAcknowledge: this.api.canAcknowledge(ws) });
    }
    const { nonce, csrf } = this.sessions.loginNonce();
    return json(200, { loggedIn: false, csrf }, { 'set-cookie': cookie(LOGIN_COOKIE, nonce) });
  }

  private async post(req: HttpRequest): Promise<Reply> {
    if (foreignOrigin(req.raw)) return problem(403, 'bad-origin', 'cross-site requests are refused');
    const token = String(req.raw.headers['x-csrf-token'] ?? '');
    if (req.path === '/ui/login') return this.login(req, token);
    const ws = await this.session(req);
    if (!ws) return problem(401, 'unauthenticated', 'log in first');
    if (!sameSecret(token, ws.csrf)) return problem(403, 'bad-csrf-token', 'the request lacks the session\'s CSRF token');
    if (req.path === '/ui/logout') {
      await this.sessions.end(cookies(req.raw).get(SESSION_COOKIE)!);
      return json(200, { loggedOut: true }, { 'set-cookie': cookie(SESSION_COOKIE, '', true) });
    }
    if (req.path !== '/ui/api/alarms/acknowledge') return problem(404, 'not-found', 'no such operation');
    const body = await readJson(req.raw);
    if (isReply(body)) return body;
    const ids = body.ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_ACK_IDS || !ids.every((i) => typeof i === 'string' && i.length > 0 && i.length <= 512)) {
      return problem(400, 'bad-request', `ids is a list of 1 to ${MAX_ACK_IDS} alarm ids`);
    }
    return this.guarded(() => this.api.acknowledge(ws, ids as string[]));
  }

  private async login(req: HttpRequest, token: string): Promise<Reply> {
    const nonce = cookies(req.raw).get(LOGIN_COOKIE);
    if (!nonce || !sameSecret(token, this.sessions.loginCsrf(nonce))) return problem(403, 'bad-csrf-token', 'reload the page and log in again');
    const body = await readJson(req.raw);
    if (isReply(body)) return body;
    const { user, password } = body;
    if (typeof user !== 'string' || typeof password !== 'string' || user.length === 0 || user.length > 64 || password.length > 1024) {
      return problem(400, 'bad-request', 'user (1 to 64 characters) and password are required');
    }
    const verdict = await this.o.auth.login(user, password, req.principal.address, 'form');
    if (verdict === 'throttled') return problem(429, 'throttled', 'too many failed logins; try later');
    if (verdict !== 'ok') return problem(401, 'bad-login', 'wrong user name or password');
    const { token: t } = await this.sessions.create(user, req.principal.address);
    this.o.log.info({ user, address: req.principal.address }, 'status page login');
    return json(200, { loggedIn: true }, { 'set-cookie': cookie(SESSION_COOKIE, t) });
  }

  private async guarded(fn: () => Promise<JsonValue | null>): Promise<Reply> {
    try {
      const v = await fn();
      return v === null ? problem(404, 'not-found', 'no such endpoint') : json(200, v);
    } catch (e) {
      const err = hideInternal(e, this.o.log, 'answering the status page');
      const status = err.code === 'ACCESS_DENIED' ? 403 : err.code === 'INTERNAL' ? 500
        : /^(TXN_BAD_ARGUMENT|SOCK_BAD_REQUEST|SCHEMA_)/.test(err.code) ? 400 : 409;
      return problem(status, err.code, err.message);
    }
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return this.sessions.closeAll();
  }
}

function boundedInt(v: string, min: number, max: number, name: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) throw new ConfdError('TXN_BAD_ARGUMENT', `${name} is a whole number from ${min} to ${max}`);
  return n;
}
