/**
 * @module confd/northbound/socket/client
 * A client of the local socket, for tools and daemons: connect, hello, then request/response
 * with promises; notifications go to a callback. Errors come back as ConfdErrors with the
 * server's code, path and issues.
 */
import { connect, type Socket } from 'node:net';
import { ConfdError, type ErrorCode } from '../../core/errors.js';
import { JsonLinesDecoder, encodeJsonLine } from './framing.js';
import type { Notification, WireError } from './protocol.js';

export function errorFromWire(w: WireError): ConfdError {
  return new ConfdError(w.code as ErrorCode, w.message, {
    ...(w.path !== undefined ? { path: w.path } : {}),
    ...(w.details !== undefined ? { details: w.details } : {}),
    ...(w.issues ? { issues: w.issues.map(errorFromWire) } : {}),
  });
}

export class SocketClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private closedError: Error | null = null;
  onNotification: ((n: Notification) => void) | undefined;
  /** The device user the appliance gave this connection (from the kernel's uid, not the name declared). */
  user = '';
  /** Answers requests the appliance makes (prepare); a rejection is sent back as the error. */
  onRequest: ((method: string, params: Record<string, unknown>) => Promise<unknown>) | undefined;

  private constructor(private readonly socket: Socket) {
    const decoder = new JsonLinesDecoder();
    socket.on('data', (chunk) => {
      let messages: unknown[];
      try { messages = decoder.push(chunk); } catch (e) { this.fail(e as Error); return; }
      for (const m of messages) this.receive(m as Record<string, unknown>);
    });
    socket.on('close', () => this.fail(new ConfdError('SOCK_BAD_REQUEST', 'the appliance closed the connection')));
    socket.on('error', (e) => this.fail(e));
  }

  /** `user` is the name declared in hello: the appliance notes it, and uses the kernel's uid instead. */
  static connect(path: string, user: string, client = 'appliance-tool', source?: 'socket' | 'cli' | 'daemon'): Promise<SocketClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        const c = new SocketClient(socket);
        c.request<{ user?: string }>('hello', { user, client, ...(source ? { source } : {}) }).then((r) => { c.user = r.user ?? user; resolve(c); }, reject);
      });
    });
  }

  request<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(encodeJsonLine({ id, method, params }));
    });
  }

  close(): void {
    this.socket.end();
  }

  private receive(m: Record<string, unknown>): void {
    if (m.id === undefined) {
      this.onNotification?.(m as unknown as Notification);
      return;
    }
    if (typeof m.method === 'string') {
      this.answer(m.id as string, m.method, (m.params ?? {}) as Record<string, unknown>);
      return;
    }
    const p = typeof m.id === 'number' ? this.pending.get(m.id) : undefined;
    if (!p) return;
    this.pending.delete(m.id as number);
    if (m.error) p.reject(errorFromWire(m.error as WireError));
    else p.resolve(m.result);
  }

  private answer(id: string, method: string, params: Record<string, unknown>): void {
    const handler = this.onRequest;
    const reply = (msg: Record<string, unknown>) => { if (!this.closedError) this.socket.write(encodeJsonLine({ id, ...msg })); };
    if (!handler) { reply({ error: { code: 'SOCK_BAD_REQUEST', message: `no handler for ${method}` } }); return; }
    handler(method, params).then(
      (result) => reply({ result: result ?? {} }),
      (e: unknown) => reply({ error: e instanceof ConfdError ? e.toJSON() : { code: 'TXN_VETOED', message: e instanceof Error ? e.message : String(e) } }),
    );
  }

  /** Resolves when the connection ends. */
  get closed(): Promise<void> {
    return new Promise((resolve) => { if (this.closedError) resolve(); else this.socket.once('close', () => resolve()); });
  }

  private fail(e: Error): void {
    if (this.closedError) return;
    this.closedError = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
