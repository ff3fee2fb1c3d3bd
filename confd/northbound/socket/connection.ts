/**
 * @module confd/northbound/socket/connection
 * One client of the local socket: JSON-lines in and out, requests answered in order, and
 * requests from the server to the client (prepare) with their replies matched by id. It is
 * the SubscriberLink the change bus talks to.
 */
import type { Socket } from 'node:net';
import { ConfdError } from '../../core/errors.js';
import type { SubscriberLink } from '../../notify/bus.js';
import { errorFromWire } from './client.js';
import { encodeJsonLine } from './framing.js';
import type { WireError } from './protocol.js';

export class SocketConnection implements SubscriberLink {
  private nextRequest = 1;
  private readonly pending = new Map<string, { resolve(v: unknown): void; reject(e: unknown): void; timer: NodeJS.Timeout }>();

  constructor(private readonly socket: Socket) {
    socket.on('close', () => {
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new ConfdError('TXN_VETOED', 'the subscriber disconnected'));
      }
      this.pending.clear();
    });
  }

  get closed(): boolean { return this.socket.destroyed; }

  /** Writes one message; false when the socket is backed up. */
  send(message: unknown): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(encodeJsonLine(message));
  }

  notify(method: string, params: Record<string, unknown>): boolean {
    return this.send({ method, params });
  }

  whenDrained(): Promise<void> {
    if (this.socket.destroyed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { this.socket.off('drain', done); this.socket.off('close', done); resolve(); };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    if (this.socket.destroyed) return Promise.reject(new ConfdError('TXN_VETOED', 'the subscriber is disconnected'));
    const id = `s${this.nextRequest++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ConfdError('TXN_VETOED', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send({ id, method, params });
    });
  }

  /** A reply from the client to one of our requests; false if `message` is not one. */
  takeReply(message: Record<string, unknown>): boolean {
    if (typeof message.id !== 'string' || message.method !== undefined) return false;
    const p = this.pending.get(message.id);
    if (!p) return true;
    this.pending.delete(message.id);
    clearTimeout(p.timer);
    if (message.error) p.reject(errorFromWire(message.error as WireError));
    else p.resolve(message.result);
    return true;
  }

  close(): void {
    this.socket.end();
  }

  onClose(fn: () => void): void {
    if (this.socket.destroyed) fn();
    else this.socket.once('close', fn);
  }
}
