/**
 * @module upgrade/control/server
 * The boot loader's control socket (<data-dir>/boot.sock, JSON lines as the appliance's own
 * socket): software commands from the tools, and relayed from the CLI and NETCONF by the
 * management daemon. It keeps working while the daemon restarts, so a client can stay
 * attached to an install from start to end.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { ConfdError, JsonLinesDecoder, closeUnix, encodeJsonLine, listenUnix } from '../../confd/api/index.js';

export interface ControlRequest {
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** Sends a notification to this client (progress while following a job). */
  notify(method: string, params: Record<string, unknown>): void;
  /** Resolves when the client goes away. */
  readonly closed: Promise<void>;
}

export type ControlHandler = (req: ControlRequest) => Promise<unknown>;

export class ControlServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly path: string, private readonly handler: ControlHandler, private readonly log: Logger) {
    this.server = createServer((s) => this.accept(s));
  }

  listen(): Promise<void> {
    return listenUnix(this.server, this.path);
  }

  close(): Promise<void> {
    return closeUnix(this.server, this.path, this.sockets);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const decoder = new JsonLinesDecoder();
    const closed = new Promise<void>((resolve) => socket.once('close', () => { this.sockets.delete(socket); resolve(); }));
    const send = (m: unknown) => { if (!socket.destroyed) socket.write(encodeJsonLine(m)); };
    let chain: Promise<void> = Promise.resolve();
    socket.on('data', (chunk) => {
      let messages: unknown[];
      try { messages = decoder.push(chunk); } catch { socket.destroy(); return; }
      for (const m of messages) {
        const r = m as { id?: unknown; method?: unknown; params?: unknown };
        if ((typeof r.id !== 'number' && typeof r.id !== 'string') || typeof r.method !== 'string') continue;
        const id = r.id;
        const params = (typeof r.params === 'object' && r.params !== null ? r.params : {}) as Record<string, unknown>;
        chain = chain.then(async () => {
          try {
            const result = r.method === 'hello' ? {} : await this.handler({
              method: r.method as string, params, closed, notify: (method, p) => send({ method, params: p }),
            });
            send({ id, result: result ?? {} });
          } catch (e) {
            if (!(e instanceof ConfdError)) this.log.error({ err: e }, 'control request failed');
            send({ id, error: e instanceof ConfdError ? e.toJSON() : { code: 'INTERNAL', message: 'internal error' } });
          }
        });
      }
    });
    socket.on('error', () => socket.destroy());
  }
}
