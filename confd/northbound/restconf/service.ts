/**
 * @module confd/northbound/restconf/service
 * RESTCONF (RFC 8040) on the appliance's HTTPS listener: the routes it adds to the route table
 * (root discovery, /restconf, data, operations, yang-library-version, event streams), the
 * media types of requests and replies (JSON or XML, by Content-Type and Accept), request
 * bodies read with a size limit before any parsing (413), one confd session per connection
 * and user (source `restconf`, so writes are audited as such), and every failure as
 * ietf-restconf:errors with the status of errors.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ConfdError } from '../../core/errors.js';
import type { JsonValue } from '../../core/tree.js';
import type { StateContext } from '../../monitor/state.js';
import type { Operations } from '../../rpc/operations.js';
import type { Session } from '../../txn/session.js';
import type { HttpReply, HttpRequest, Route } from '../http/server.js';
import { MEDIA, type Body, type Format, type RcReply, type RcRequest, type RcServices } from './context.js';
import { dataResource } from './data.js';
import { errorsJson, errorsXml, toRestconfErrors } from './errors.js';
import { operationsResource } from './rpcs.js';
import { EventStreams, isMonitoringPath, monitoringResource } from './streams.js';
import { parseXmlBody } from './xml-body.js';
import { YANG_PATCH_JSON } from './yang-patch.js';
import { isYangLibraryPath, yangLibraryResource } from './yang-library.js';
import type { YangLibrary } from '../netconf/yang-library.js';

export const YANG_LIBRARY_VERSION = '2019-01-04';
/** Largest request body read (bytes): a whole configuration of 10,000 interfaces fits. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface RestconfOptions {
  readonly ops: Operations;
  readonly state: StateContext;
  readonly log: Logger;
  readonly maxBodyBytes?: number;
  /** The YANG library NETCONF serves, offered as ietf-yang-library data too. */
  readonly library?: YangLibrary;
}

const HOST_META = `<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n  <Link rel="restconf" href="/restconf"/>\n</XRD>\n`;

export class Restconf {
  private readonly svc: RcServices;
  private readonly maxBody: number;
  private readonly sessions = new WeakMap<Socket, Map<string, Session>>();
  private readonly turns = new WeakMap<Session, Promise<unknown>>();
  readonly streams: EventStreams;

  constructor(private readonly o: RestconfOptions) {
    this.svc = { ops: o.ops, schema: o.ops.engine.schema, state: o.state, log: o.log };
    this.maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.streams = new EventStreams(this.svc);
  }

  /** The routes to add to the HTTPS listener's table. */
  routes(): Route[] {
    return [
      { method: 'GET', path: '/.well-known/host-meta', reads: '/', handle: () => ({ status: 200, contentType: 'application/xrd+xml', body: HOST_META }) },
      { method: '*', path: '/restconf', reads: '/', handle: (r) => this.serve(r) },
      { method: '*', path: '/restconf/', reads: '/', handle: (r) => this.serve(r) },
    ];
  }

  close(): void {
    this.streams.close();
  }

  private async serve(r: HttpRequest): Promise<HttpReply> {
    let format: Format = 'json';
    try {
      format = replyFormat(r.raw.headers.accept);
      const session = this.sessionFor(r);
      const req: RcRequest = {
        method: r.method, rest: '', query: r.query, headers: r.raw.headers, session, format,
        body: () => this.readBody(r.raw),
      };
      // One request of a session at a time: a write edits the session's private candidate.
      const reply = await this.inTurn(session, () => this.dispatch(r.path, req));
      return toHttp(reply, format);
    } catch (e) {
      const { status, errors } = toRestconfErrors(e, this.o.log);
      const body = format === 'xml' ? errorsXml(this.svc.schema, errors) : errorsJson(this.svc.schema, errors);
      const allow = e instanceof ConfdError && typeof e.details?.allow === 'string' ? e.details.allow : 'GET, HEAD, OPTIONS';
      const headers: Record<string, string> | undefined = status === 405 ? { allow } : undefined;
      return { status, contentType: MEDIA[format], body, ...(headers ? { headers } : {}) };
    }
  }

  private dispatch(path: string, req: RcRequest): Promise<RcReply> | RcReply {
    const under = (prefix: string) => path === prefix || path.startsWith(prefix + '/');
    const at = (prefix: string): RcRequest => ({ ...req, rest: path.slice(prefix.length) });
    if (under('/restconf/data')) {
      const rest = path.slice('/restconf/data'.length);
      if (isMonitoringPath(rest)) return monitoringResource(this.svc, at('/restconf/data'), this.streams);
      if (isYangLibraryPath(rest)) return yangLibraryResource(this.o.library, at('/restconf/data'));
      return dataResource(this.svc, at('/restconf/data'));
    }
    if (under('/restconf/operations')) return operationsResource(this.svc, at('/restconf/operations'));
    if (under('/restconf/streams')) return this.streams.resource(at('/restconf/streams'));
    if (path === '/restconf/yang-library-version') {
      onlyRead(req);
      return json(req, { 'ietf-restconf:yang-library-version': YANG_LIBRARY_VERSION },
        `<yang-library-version xmlns="urn:ietf:params:xml:ns:yang:ietf-restconf">${YANG_LIBRARY_VERSION}</yang-library-version>`);
    }
    if (path === '/restconf' || path === '/restconf/') {
      onlyRead(req);
      return json(req, { 'ietf-restconf:restconf': { data: {}, operations: {}, 'yang-library-version': YANG_LIBRARY_VERSION } },
        `<restconf xmlns="urn:ietf:params:xml:ns:yang:ietf-restconf"><data/><operations/><yang-library-version>${YANG_LIBRARY_VERSION}</yang-library-version></restconf>`);
    }
    throw new ConfdError('RC_NOT_FOUND', `no RESTCONF resource ${path}`);
  }

  private inTurn<T>(s: Session, fn: () => Promise<T> | T): Promise<T> {
    const prior = this.turns.get(s) ?? Promise.resolve();
    const run = prior.then(fn, fn);
    this.turns.set(s, run.catch(() => undefined));
    return run;
  }

  /** The confd session of this connection for this user: opened on its first request, closed with the connection. */
  private sessionFor(r: HttpRequest): Session {
    const socket = r.raw.socket;
    let byUser = this.sessions.get(socket);
    if (!byUser) {
      const created = new Map<string, Session>();
      byUser = created;
      this.sessions.set(socket, created);
      socket.once('close', () => { for (const s of created.values()) void this.o.ops.closeSession(s, 'connection closed'); });
    }
    let s = byUser.get(r.principal.user);
    if (!s || s.closed) {
      s = this.o.ops.openSession({ user: r.principal.user, source: 'restconf', address: r.principal.address });
      byUser.set(r.principal.user, s);
    }
    return s;
  }

  /** Reads the body within the limit (Content-Length checked first), then parses it by Content-Type. */
  private async readBody(raw: IncomingMessage): Promise<Body | undefined> {
    const declared = Number(raw.headers['content-length'] ?? NaN);
    if (declared > this.maxBody) throw discard(raw, this.maxBody);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxBody) throw discard(raw, this.maxBody);
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return undefined;
    const type = (raw.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === MEDIA.json || type === 'application/json' || type === YANG_PATCH_JSON) {
      try {
        return { kind: 'json', value: JSON.parse(text) as JsonValue };
      } catch (e) {
        throw new ConfdError('RC_MALFORMED', `the body is not JSON: ${(e as Error).message}`);
      }
    }
    if (type === MEDIA.xml || type === 'application/xml') return { kind: 'xml', root: parseXmlBody(text, this.maxBody) };
    throw new ConfdError('RC_UNSUPPORTED_MEDIA', `a body of type '${type || 'none'}': send ${MEDIA.json} or ${MEDIA.xml}`);
  }
}

/** Bytes of an oversized body read and dropped so that the 413 reaches the client (closing on unread data resets the connection). */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

/** Refuses an oversized body unparsed: the rest is read and dropped (up to a bound, then the connection ends). */
function discard(raw: IncomingMessage, limit: number): ConfdError {
  let dropped = 0;
  raw.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > MAX_DISCARD_BYTES) raw.socket.destroy();
  });
  raw.resume();
  return new ConfdError('RC_TOO_BIG', `the request body is over the limit of ${limit} bytes`);
}

function onlyRead(req: RcRequest): void {
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
    throw new ConfdError('RC_METHOD_NOT_ALLOWED', `${req.method} is not a method of this resource (GET, HEAD, OPTIONS)`);
  }
}

function json(req: RcRequest, value: JsonValue, xml: string): RcReply {
  if (req.method === 'OPTIONS') return { status: 200, headers: { allow: 'GET, HEAD, OPTIONS' } };
  return { status: 200, format: req.format, body: req.format === 'xml' ? xml + '\n' : JSON.stringify(value, null, 2) + '\n' };
}

function toHttp(r: RcReply, format: Format): HttpReply {
  return {
    status: r.status, contentType: r.contentType ?? MEDIA[r.format ?? format], body: r.body ?? '',
    ...(r.headers ? { headers: r.headers } : {}), ...(r.stream ? { stream: r.stream } : {}),
  };
}

/**
 * The reply's media type from Accept: XML when an XML type ranks above the JSON ones, JSON
 * otherwise (also with no Accept, or any type); RC_NOT_ACCEPTABLE when neither is accepted.
 */
export function replyFormat(accept: string | undefined): Format {
  if (accept === undefined || accept.trim() === '') return 'json';
  let best: { format: Format; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const qp = params.find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!(q > 0)) continue;
    const format: Format | undefined = type === MEDIA.json || type === 'application/json' || type === '*/*' || type === 'application/*' || type === 'text/event-stream' ? 'json'
      : type === MEDIA.xml || type === 'application/xml' ? 'xml' : undefined;
    if (format && (!best || q > best.q)) best = { format, q };
  }
  if (!best) throw new ConfdError('RC_NOT_ACCEPTABLE', `none of the accepted types (${accept}) is offered: ${MEDIA.json}, ${MEDIA.xml}`);
  return best.format;
}
