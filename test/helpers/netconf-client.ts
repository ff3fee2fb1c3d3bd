/**
 * @module test/helpers/netconf-client
 * A small NETCONF client for tests, over any Transport (usually one end of `linkedPair()`):
 * sends its hello (offering base:1.0 only, or base:1.0 and base:1.1), reads the server's hello
 * (capabilities, session-id), then frames every message for the negotiated version with the
 * project's own framer (RFC 6242) and parses what comes back with the project's XML reader.
 * Replies are matched to requests by message-id; notifications (RFC 5277) are collected apart.
 * Every byte received is kept, for byte-exact assertions on framing.
 *
 * It decides nothing and repairs nothing: whatever the server sends is recorded as it came, and
 * anything it cannot frame or parse is kept in `protocolErrors` for the test to assert on.
 */
import { BASE_10, BASE_11, NOTIFICATION_NS } from '../../confd/northbound/netconf/capabilities.js';
import { NetconfFramer, encodeMessage, type NetconfFraming } from '../../confd/northbound/netconf/framing.js';
import { escapeAttr, parseXml, type XmlLimits } from '../../confd/northbound/netconf/xml-codec.js';
import { NETCONF_BASE_NS, attribute, type XmlElement } from '../../confd/northbound/netconf/xml-element.js';
import type { Transport } from '../../confd/northbound/transport.js';

export interface NetconfClientOptions {
  /** '1.1' offers base:1.0 and base:1.1 (the default); '1.0' offers base:1.0 only. */
  readonly base?: '1.0' | '1.1';
  /**
   * The hello to send instead of the generated one (it is end-of-message framed as given),
   * or null to send no hello at all. The framing decision still follows `base`.
   */
  readonly hello?: string | null;
  /** How long `rpc`, `nextReply` and `nextNotification` wait, in ms (default 5000). */
  readonly timeoutMs?: number;
}

/** Generous limits: the client must be able to read whatever a correct server sends. */
const CLIENT_XML_LIMITS: XmlLimits = { maxBytes: 256 * 1024 * 1024, maxDepth: 256 };

interface Waiter {
  readonly resolve: (el: XmlElement) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The hello a client offering `base` sends. */
export function clientHello(base: '1.0' | '1.1', extraCapabilities: readonly string[] = []): string {
  const caps = [BASE_10, ...(base === '1.1' ? [BASE_11] : []), ...extraCapabilities];
  return `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NETCONF_BASE_NS}"><capabilities>`
    + caps.map((c) => `<capability>${c}</capability>`).join('') + '</capabilities></hello>';
}

export class NetconfClient {
  /** The server's hello, parsed, and exactly as it was framed in (without `]]>]]>`). */
  serverHello: XmlElement | undefined;
  serverHelloText = '';
  /** The server's capabilities, in the order advertised. */
  serverCapabilities: string[] = [];
  /** The session-id of the server hello (NaN when absent or not a number). */
  sessionId = Number.NaN;
  /** Every notification received, in order. */
  readonly notifications: XmlElement[] = [];
  /** Framing or XML errors in what the server sent (a correct server causes none). */
  readonly protocolErrors: Error[] = [];
  /** Resolves when the transport closes, from either side. */
  readonly closed: Promise<void>;

  private readonly transport: Transport;
  private readonly framer = new NetconfFramer();
  private readonly offered11: boolean;
  private readonly timeoutMs: number;
  private readonly chunks: Buffer[] = [];
  private readonly texts = new WeakMap<XmlElement, string>();
  private readonly byId = new Map<string, Waiter>();
  private readonly anyReply: Waiter[] = [];
  private readonly unclaimed: XmlElement[] = [];
  private readonly notificationWaiters: Waiter[] = [];
  private notificationsTaken = 0;
  private helloWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private isClosed = false;
  private nextId = 1;

  private constructor(transport: Transport, options: NetconfClientOptions) {
    this.transport = transport;
    this.offered11 = (options.base ?? '1.1') === '1.1';
    this.timeoutMs = options.timeoutMs ?? 5000;
    let closedResolve!: () => void;
    this.closed = new Promise<void>((resolve) => { closedResolve = resolve; });
    transport.onData((chunk) => this.onData(chunk));
    transport.onClose(() => {
      this.isClosed = true;
      const err = new Error('the NETCONF session closed');
      this.helloWaiter?.reject(err);
      this.helloWaiter = undefined;
      for (const w of [...this.byId.values(), ...this.anyReply, ...this.notificationWaiters]) { clearTimeout(w.timer); w.reject(err); }
      this.byId.clear();
      this.anyReply.length = 0;
      this.notificationWaiters.length = 0;
      closedResolve();
    });
  }

  /**
   * Sends the client hello (unless `hello` is null) and resolves once the server hello has been
   * read. Rejects if the transport closes first or no hello comes within the timeout.
   */
  static async connect(transport: Transport, options: NetconfClientOptions = {}): Promise<NetconfClient> {
    const client = new NetconfClient(transport, options);
    const hello = options.hello === undefined ? clientHello(options.base ?? '1.1') : options.hello;
    const got = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no server hello in time')), client.timeoutMs);
      client.helloWaiter = {
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
    if (hello !== null) transport.send(encodeMessage(hello, 'end-of-message'));
    await got;
    return client;
  }

  /** The framing the client uses now: end-of-message until both hellos offered base:1.1. */
  get framing(): NetconfFraming {
    return this.framer.framing;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Every byte received so far, from the first (the server hello) on. */
  receivedBytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** The message text (framing removed) an element of a reply or notification was parsed from. */
  textOf(el: XmlElement): string {
    const t = this.texts.get(el);
    if (t === undefined) throw new Error('not a message received by this client');
    return t;
  }

  /** Sends bytes as they are, without framing. */
  raw(bytes: Buffer | string): void {
    this.transport.send(bytes);
  }

  /** Frames `message` for the negotiated version and sends it. */
  send(message: string): void {
    this.transport.send(this.framer.encode(message));
  }

  /** The framed form of `message` in the negotiated framing (to build pipelined writes). */
  frame(message: string): Buffer {
    return this.framer.encode(message);
  }

  /** Wraps `body` in an <rpc> with a fresh message-id; returns the id and the message. */
  build(body: string, attributes: Readonly<Record<string, string>> = {}): { id: string; xml: string } {
    const id = attributes['message-id'] ?? String(this.nextId++);
    let open = `<rpc xmlns="${NETCONF_BASE_NS}" message-id="${escapeAttr(id)}"`;
    for (const [k, v] of Object.entries(attributes)) if (k !== 'message-id') open += ` ${k}="${escapeAttr(v)}"`;
    return { id, xml: `${open}>${body}</rpc>` };
  }

  /**
   * Sends one operation (`body`, e.g. `<get/>`) in an <rpc> with a fresh message-id (or the
   * `message-id` given in `attributes`) and resolves with the <rpc-reply> carrying that id.
   */
  rpc(body: string, attributes: Readonly<Record<string, string>> = {}): Promise<XmlElement> {
    const { id, xml } = this.build(body, attributes);
    const reply = this.waitReply(id);
    this.send(xml);
    return reply;
  }

  /** Resolves with the <rpc-reply> whose message-id is `id` (arrived already, or to come). */
  waitReply(id: string): Promise<XmlElement> {
    const at = this.unclaimed.findIndex((r) => attribute(r, '', 'message-id') === id);
    if (at >= 0) return Promise.resolve(this.unclaimed.splice(at, 1)[0]!);
    if (this.isClosed) return Promise.reject(new Error('the NETCONF session is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.byId.delete(id); reject(new Error(`no rpc-reply with message-id ${id} in time`)); }, this.timeoutMs);
      this.byId.set(id, { resolve, reject, timer });
    });
  }

  /** Resolves with the next <rpc-reply> (or other non-notification message) not claimed by id. */
  nextReply(): Promise<XmlElement> {
    const first = this.unclaimed.shift();
    if (first) return Promise.resolve(first);
    if (this.isClosed) return Promise.reject(new Error('the NETCONF session is closed'));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        resolve, reject,
        timer: setTimeout(() => { this.anyReply.splice(this.anyReply.indexOf(w), 1); reject(new Error('no rpc-reply in time')); }, this.timeoutMs),
      };
      this.anyReply.push(w);
    });
  }

  /** Resolves with the next notification not yet taken by this method. */
  nextNotification(timeoutMs = this.timeoutMs): Promise<XmlElement> {
    const n = this.notifications[this.notificationsTaken];
    if (n) { this.notificationsTaken++; return Promise.resolve(n); }
    if (this.isClosed) return Promise.reject(new Error('the NETCONF session is closed'));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        resolve, reject,
        timer: setTimeout(() => {
          this.notificationWaiters.splice(this.notificationWaiters.indexOf(w), 1);
          reject(new Error('no notification in time'));
        }, timeoutMs),
      };
      this.notificationWaiters.push(w);
    });
  }

  /** Closes the transport (as a dropped connection would), and waits until it is closed. */
  async close(): Promise<void> {
    this.transport.close();
    await this.closed;
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    let messages: Buffer[];
    try {
      messages = this.framer.push(chunk);
    } catch (e) {
      this.protocolErrors.push(e as Error);
      return;
    }
    this.process(messages);
  }

  private process(messages: readonly Buffer[]): void {
    for (const m of messages) {
      if (this.serverHello === undefined) {
        this.readHello(m);
        let held: Buffer[];
        try {
          const both11 = this.offered11 && this.serverCapabilities.includes(BASE_11);
          held = both11 ? this.framer.useChunked() : this.framer.useEndOfMessage();
        } catch (e) {
          this.protocolErrors.push(e as Error);
          return;
        }
        this.process(held);
        continue;
      }
      let el: XmlElement;
      const text = m.toString('utf8');
      try {
        el = parseXml(m, CLIENT_XML_LIMITS);
      } catch (e) {
        this.protocolErrors.push(e as Error);
        continue;
      }
      this.texts.set(el, text);
      if (el.name === 'notification' && el.ns === NOTIFICATION_NS) {
        this.notifications.push(el);
        const w = this.notificationWaiters.shift();
        if (w) { clearTimeout(w.timer); this.notificationsTaken++; w.resolve(el); }
        continue;
      }
      const id = attribute(el, '', 'message-id');
      const byId = id === undefined ? undefined : this.byId.get(id);
      if (byId && id !== undefined) {
        this.byId.delete(id);
        clearTimeout(byId.timer);
        byId.resolve(el);
        continue;
      }
      const any = this.anyReply.shift();
      if (any) { clearTimeout(any.timer); any.resolve(el); continue; }
      this.unclaimed.push(el);
    }
  }

  private readHello(m: Buffer): void {
    this.serverHelloText = m.toString('utf8');
    let el: XmlElement;
    try {
      el = parseXml(m, CLIENT_XML_LIMITS);
    } catch (e) {
      this.protocolErrors.push(e as Error);
      el = { name: '', ns: '', attributes: [], children: [], text: '' };
    }
    this.serverHello = el;
    this.texts.set(el, this.serverHelloText);
    const caps = el.children.find((c) => c.name === 'capabilities' && c.ns === NETCONF_BASE_NS);
    this.serverCapabilities = (caps?.children ?? []).filter((c) => c.name === 'capability' && c.ns === NETCONF_BASE_NS).map((c) => c.text.trim());
    const sid = el.children.find((c) => c.name === 'session-id' && c.ns === NETCONF_BASE_NS)?.text.trim();
    this.sessionId = sid !== undefined && /^[0-9]+$/.test(sid) ? Number(sid) : Number.NaN;
    this.helloWaiter?.resolve();
    this.helloWaiter = undefined;
  }
}
