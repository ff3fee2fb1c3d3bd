/**
 * @module confd/api/subscriber
 * The library daemons use to follow the configuration (docs/subscriptions.md): connect to the
 * appliance's socket, subscribe to path prefixes, validate proposed changes in `onPrepare`
 * (throw to veto, with the reason), apply committed ones in `onChange` (each acknowledged once
 * its handler resolves), and reconnect where it left off.
 */
import type { LeafChange } from '../core/diff.js';
import type { JsonObject } from '../core/tree.js';
import { SocketClient } from '../northbound/socket/client.js';

export interface ChangeEvent {
  readonly txid: number;
  readonly user: string;
  readonly time: string;
  readonly comment: string;
  readonly source: string;
  /** The changes under this subscriber's paths, already validated by the appliance. */
  readonly changes: readonly LeafChange[];
}

export interface SubscriberOptions {
  /** The appliance's socket: <data-dir>/confd.sock. */
  readonly socket: string;
  /** A stable name: reconnecting under it resumes the subscription. */
  readonly name: string;
  readonly paths: readonly string[];
  readonly priority?: number;
  readonly validate?: boolean;
  readonly mandatory?: boolean;
  readonly timeoutMs?: number;
  /** Resume after this txid (every later change is replayed from history). */
  readonly since?: number;
  /** Receive the current configuration of the paths first (onConfig). */
  readonly current?: boolean;
  /** Keep the registration across restarts (default true). */
  readonly persist?: boolean;
  /** Local user the daemon acts as (audit). */
  readonly user?: string;
  onChange(event: ChangeEvent): void | Promise<void>;
  /** Throw (or reject) to veto; the message is the reason shown to the user. */
  onPrepare?(event: ChangeEvent): void | Promise<void>;
  onAbort?(txid: number): void;
  /** The configuration of the paths: on request (current) or when history no longer reaches back (resync). */
  onConfig?(config: JsonObject, txid: number, resync: boolean): void | Promise<void>;
}

export class ConfigSubscriber {
  /** Highest txid whose change was handled and acknowledged (or the config snapshot's). */
  lastTxid: number;
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly client: SocketClient, private readonly o: SubscriberOptions) {
    this.lastTxid = o.since ?? 0;
  }

  static async connect(o: SubscriberOptions): Promise<ConfigSubscriber> {
    const client = await SocketClient.connect(o.socket, o.user ?? 'daemon', o.name);
    const sub = new ConfigSubscriber(client, o);
    client.onRequest = async (method, params) => {
      if (method !== 'prepare') throw new Error(`unknown request ${method}`);
      await o.onPrepare?.(params as unknown as ChangeEvent);
      return {};
    };
    client.onNotification = (n) => sub.receive(n.method, n.params);
    const r = await client.request<{ txid: number; resync: boolean }>('subscribe', {
      name: o.name, paths: o.paths,
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.validate !== undefined ? { validate: o.validate } : {}),
      ...(o.mandatory !== undefined ? { mandatory: o.mandatory } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.since !== undefined ? { since: o.since } : {}),
      ...(o.current !== undefined ? { current: o.current } : {}),
      ...(o.persist !== undefined ? { persist: o.persist } : {}),
    });
    if (o.since === undefined) sub.lastTxid = r.txid;
    return sub;
  }

  private receive(method: string, params: Record<string, unknown>): void {
    // Handled one at a time, in the order the appliance sent them.
    this.queue = this.queue.then(async () => {
      if (method === 'change') {
        const event = params as unknown as ChangeEvent;
        if (event.txid <= this.lastTxid) return; // at-least-once delivery: a replay we already handled
        await this.o.onChange(event);
        this.lastTxid = event.txid;
        await this.client.request('ack', { name: this.o.name, txid: event.txid });
      } else if (method === 'config' || method === 'resync') {
        const txid = params.txid as number;
        await this.o.onConfig?.(params.config as JsonObject, txid, method === 'resync');
        this.lastTxid = txid;
        await this.client.request('ack', { name: this.o.name, txid });
      } else if (method === 'abort') {
        this.o.onAbort?.(params.txid as number);
      }
    }).catch(() => { this.client.close(); });
  }

  /** Resolves when the connection to the appliance ends. */
  get closed(): Promise<void> {
    return this.client.closed;
  }

  close(): void {
    this.client.close();
  }
}
