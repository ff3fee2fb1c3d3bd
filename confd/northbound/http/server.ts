/**
 * @module confd/northbound/http/server
 * The appliance's one HTTPS listener (`appliance start --http-port P`, default 8443, 0 off):
 * a route table (method + path → handler, and what access the route needs), HTTP basic
 * authentication against the device's users, and a plain-text error for everything else.
 * `/metrics` is the first route; RESTCONF and the status page add theirs to the same table.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { BasicAuth, Principal } from './auth.js';
import { listenTcp } from '../tcp-listen.js';

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly principal: Principal;
  readonly raw: IncomingMessage;
}

export interface HttpReply {
  readonly status: number; readonly contentType: string; readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** A reply that goes on after its headers (an event stream): called with the response once they are written. */
  readonly stream?: (res: ServerResponse) => void;
}

export interface Route {
  /** '*': every method (the handler answers 405 itself). */
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | '*';
  /** An exact path, or a prefix ending in '/' (a subtree: '/restconf/'); '/' alone is the root only. */
  readonly path: string;
  /** The data path the user must be allowed to read (checked with the device's access rules). */
  readonly reads: string;
  /** No basic authentication: the handler checks its own (the status page's session cookie); principal.user is ''. */
  readonly public?: boolean;
  handle(req: HttpRequest): Promise<HttpReply> | HttpReply;
}

export interface HttpServerOptions {
  readonly key: Buffer;
  readonly cert: Buffer;
  readonly routes: readonly Route[];
  readonly auth: BasicAuth;
  readonly log: Logger;
}

const text = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, body, headers });

export class HttpServer {
  /** One HTTPS server per address listened on, all with this route table. */
  private readonly servers: Server[] = [];

  constructor(private readonly o: HttpServerOptions) {}

  private createServer(): Server {
    // Bounded in time: the headers within 10 s, a whole request within 60 s (an event stream's reply may last).
    const server = createServer({ key: this.o.key, cert: this.o.cert, headersTimeout: 10_000, requestTimeout: 60_000, maxHeaderSize: 16_384 },
      (req, res) => { void this.serve(req, res); });
    server.on('connection', (socket) => (socket as Socket).setNoDelay(true));
    server.on('tlsClientError', (e) => this.o.log.debug({ err: e.message }, 'TLS handshake failed'));
    return server;
  }

  private route(method: string, path: string): Route | 'wrong-method' | undefined {
    const matching = this.o.routes.filter((r) => r.path === path || (r.path.length > 1 && r.path.endsWith('/') && path.startsWith(r.path)));
    return matching.find((r) => r.method === method || r.method === '*') ?? (matching.length > 0 ? 'wrong-method' : undefined);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://appliance');
    const method = req.method ?? 'GET';
    let reply: { status: number; body: string | Buffer; headers: Record<string, string>; stream?: HttpReply['stream'] };
    try {
      let route = this.route(method, url.pathname);
      if (route === 'wrong-method' && method === 'HEAD') route = this.route('GET', url.pathname);
      if (route === undefined) reply = text(404, 'not found\n');
      else if (route === 'wrong-method') reply = text(405, 'method not allowed\n');
      else {
        const address = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`;
        const who = route.public ? { user: '', address } : await this.o.auth.check(req.headers.authorization, address, route.reads);
        if (who === 'unauthenticated') reply = text(401, 'authentication required\n', { 'www-authenticate': 'Basic realm="appliance", charset="UTF-8"' });
        else if (who === 'throttled') reply = text(429, 'too many failed logins; try later\n');
        else if (who === 'forbidden') reply = text(403, 'access denied\n');
        else {
          const r = await route.handle({ method, path: url.pathname, query: url.searchParams, principal: who, raw: req });
          reply = { status: r.status, body: r.body, headers: { 'content-type': r.contentType, ...r.headers }, ...(r.stream ? { stream: r.stream } : {}) };
        }
      }
    } catch (e) {
      this.o.log.error({ err: e, path: url.pathname }, 'an HTTP request failed');
      reply = text(500, 'internal error\n');
    }
    res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...reply.headers });
    if (reply.stream && method !== 'HEAD') { reply.stream(res); return; }
    res.end(method === 'HEAD' ? undefined : reply.body);
  }

  /**
   * Listens on every address (the SSH listener's, `--listen`), on one port: the first address
   * binds `port` (0: any free one), the others the port it got. One HTTPS server per address
   * (a server that listens itself keeps Node's own request timeouts and connection tracking).
   */
  async listen(port: number, hosts: readonly string[]): Promise<AddressInfo[]> {
    const bound: AddressInfo[] = [];
    try {
      for (const host of hosts) {
        const server = this.createServer();
        this.servers.push(server);
        bound.push(await listenTcp(server, bound[0]?.port ?? port, host));
      }
    } catch (e) {
      await this.close();
      throw e;
    }
    return bound;
  }

  /** Stops listening and ends every connection at once (a keep-alive client must not hold the stop). */
  async close(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((server) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })));
  }
}
