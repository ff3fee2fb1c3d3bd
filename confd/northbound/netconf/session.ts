/**
 * @module confd/northbound/netconf/session
 * One NETCONF session over a Transport (RFC 6241, RFC 6242): the hello exchange and the
 * framing it selects, then rpcs decoded and answered strictly in order, notifications sent
 * between replies. A bad message gets an rpc-error or a clean close, never a crash, and never
 * affects another session. Decides nothing about configuration: operations go to confd/rpc.
 */
import type { Logger } from 'pino';
import { ConfdError } from '../../core/errors.js';
import type { Session } from '../../txn/session.js';
import type { Transport } from '../transport.js';
import { BASE_10, BASE_11 } from './capabilities.js';
import { NetconfFramer } from './framing.js';
import { findOperation, type OpContext } from './ops/index.js';
import type { NetconfServer } from './server.js';
import { toRpcErrors, writeRpcErrors } from './rpc-error.js';
import { NETCONF_BASE_NS, attribute, type XmlAttribute, type XmlElement } from './xml-element.js';
import { XmlWriter, escapeAttr } from './xml-writer.js';

/** Counters in the spirit of RFC 6022 (ietf-netconf-monitoring). */
export interface SessionCounters {
  inRpcs: number;
  inBadRpcs: number;
  outRpcErrors: number;
  outNotifications: number;
}

export class NetconfSession {
  readonly counters: SessionCounters = { inRpcs: 0, inBadRpcs: 0, outRpcErrors: 0, outNotifications: 0 };
  readonly loginTime = new Date().toISOString();
  private readonly framer: NetconfFramer;
  private helloDone = false;
  private base11 = false;
  private queue: Promise<void> = Promise.resolve();
  private closing = false;
  private helloTimer: NodeJS.Timeout | undefined;
  subscribed = false;
  /** Why the server closed the session (undefined: the peer went away), and who killed it. */
  private closeReason: string | undefined;
  private killedBy: number | undefined;

  constructor(
    private readonly server: NetconfServer,
    readonly session: Session,
    private readonly transport: Transport,
    private readonly log: Logger,
  ) {
    this.framer = new NetconfFramer({ maxMessageBytes: server.limits.maxMessageBytes });
  }

  get id(): number { return this.session.id; }
  get user(): string { return this.session.user; }

  start(): void {
    this.session.onKill = (by) => { this.killedBy = by; this.close('killed'); };
    this.transport.onData((chunk) => this.receive(chunk));
    this.transport.onClose(() => this.finish());
    this.sendHello();
    this.helloTimer = setTimeout(() => {
      if (!this.helloDone) { this.log.info('no hello from the client in time; closing'); this.close('hello timeout'); }
    }, this.server.limits.helloTimeoutMs);
    this.helloTimer.unref();
  }

  private sendHello(): void {
    const w = new XmlWriter();
    w.start('hello', { xmlns: NETCONF_BASE_NS }).start('capabilities');
    for (const c of this.server.capabilities) w.leaf('capability', c);
    w.end().leaf('session-id', String(this.session.id)).end();
    this.write('<?xml version="1.0" encoding="UTF-8"?>' + w.toString());
  }

  private receive(chunk: Buffer): void {
    if (this.closing) return;
    let messages: Buffer[];
    try {
      messages = this.framer.push(chunk);
      if (!this.helloDone && messages.length > 0) {
        const hello = messages[0]!;
        this.handleHello(hello);
        if (this.closing) return;
        messages = [...messages.slice(1), ...(this.base11 ? this.framer.useChunked() : this.framer.useEndOfMessage())];
      }
    } catch (e) {
      this.log.info({ err: (e as Error).message }, 'framing error; closing the session');
      this.server.droppedSessions++;
      this.close('framing error');
      return;
    }
    for (const m of messages) this.queue = this.queue.then(() => this.handleRpc(m));
  }

  private handleHello(message: Buffer): void {
    let el: XmlElement;
    try {
      el = this.server.xml.read(message);
    } catch (e) {
      this.log.info({ err: (e as Error).message }, 'unreadable hello; closing');
      this.server.badHellos++;
      this.close('bad hello');
      return;
    }
    const caps = el.name === 'hello' && el.ns === NETCONF_BASE_NS
      ? (el.children.find((c) => c.name === 'capabilities')?.children ?? []).filter((c) => c.name === 'capability').map((c) => c.text.trim())
      : [];
    // A client hello must not carry a session-id, and must speak a base version we know (RFC 6241 §8.1).
    const hasSessionId = el.children.some((c) => c.name === 'session-id');
    if (el.name !== 'hello' || hasSessionId || (!caps.includes(BASE_10) && !caps.includes(BASE_11))) {
      this.log.info({ caps, hasSessionId }, 'bad client hello; closing');
      this.server.badHellos++;
      this.close('bad hello');
      return;
    }
    this.helloDone = true;
    clearTimeout(this.helloTimer);
    this.base11 = caps.includes(BASE_11);
    this.log.debug({ base11: this.base11 }, 'hello exchanged');
  }

  private async handleRpc(message: Buffer): Promise<void> {
    if (this.closing) return;
    this.count('inRpcs');
    this.session.stats.rpcs++;
    let rpc: XmlElement;
    try {
      rpc = this.server.xml.read(message);
    } catch (e) {
      this.count('inBadRpcs');
      this.replyErrors(undefined, e);
      return;
    }
    const attrs = echoedAttributes(rpc);
    if (rpc.name !== 'rpc' || rpc.ns !== NETCONF_BASE_NS) {
      this.count('inBadRpcs');
      this.replyErrors(attrs, new ConfdError('NC_MALFORMED', `expected <rpc> in ${NETCONF_BASE_NS}, got <${rpc.name}>`,
        { details: { element: rpc.name } }));
      return;
    }
    if (attribute(rpc, '', 'message-id') === undefined) {
      this.count('inBadRpcs');
      this.replyErrors(attrs, new ConfdError('NC_MISSING_ATTRIBUTE', 'the rpc has no message-id',
        { details: { attribute: 'message-id', element: 'rpc' } }));
      return;
    }
    const op = rpc.children[0];
    if (!op || rpc.children.length > 1) {
      this.count('inBadRpcs');
      this.replyErrors(attrs, new ConfdError(op ? 'NC_BAD_ELEMENT' : 'NC_MISSING_ELEMENT',
        op ? 'an rpc holds exactly one operation' : 'the rpc names no operation', { details: { element: op ? rpc.children[1]!.name : 'rpc' } }));
      return;
    }
    const handler = findOperation(op);
    if (!handler) {
      this.count('inBadRpcs');
      this.replyErrors(attrs, new ConfdError('NC_UNKNOWN_OPERATION', `operation '${op.name}' is not supported`, { details: { element: op.name } }));
      return;
    }
    const ctx: OpContext = { ops: this.server.ops, session: this.session, schema: this.server.schema, netconf: this, server: this.server, rpc };
    try {
      const body = await handler(ctx, op);
      this.server.countRpc(op.name, true);
      this.reply(attrs, body ?? '<ok/>');
      if (op.name === 'close-session' && op.ns === NETCONF_BASE_NS) this.close('close-session');
    } catch (e) {
      this.server.countRpc(op.name, false);
      this.replyErrors(attrs, e);
    }
  }

  private reply(attrs: readonly XmlAttribute[] | undefined, body: string): void {
    let open = `<rpc-reply xmlns="${NETCONF_BASE_NS}"`;
    for (const a of attrs ?? []) open += ` ${a.qname}="${escapeAttr(a.value)}"`;
    this.write(open + '>' + body + '</rpc-reply>');
  }

  private replyErrors(attrs: readonly XmlAttribute[] | undefined, e: unknown): void {
    this.session.stats.errors++;
    const errors = toRpcErrors(e, this.log, this.base11);
    this.count('outRpcErrors', errors.length);
    const w = new XmlWriter();
    writeRpcErrors(w, errors, this.server.schema);
    this.reply(attrs, w.toString());
  }

  /** Sends a notification (RFC 5277) between replies. */
  sendNotification(xml: string): void {
    if (this.closing || !this.helloDone) return;
    this.count('outNotifications');
    this.write(xml);
  }

  /** Counts for this session and for the server since it started (RFC 6022 statistics never go down). */
  private count(counter: keyof SessionCounters, n = 1): void {
    this.counters[counter] += n;
    this.server.totals[counter] += n;
  }

  private write(xml: string): void {
    if (this.transport.closed) return;
    this.transport.send(this.framer.encode(xml));
  }

  close(reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.closeReason = reason;
    this.log.debug({ reason }, 'closing NETCONF session');
    this.transport.close();
  }

  private finish(): void {
    this.closing = true;
    clearTimeout(this.helloTimer);
    this.server.sessionEnded(this, this.closeReason, this.killedBy);
  }
}

/** At most this many attributes of an <rpc>, and this many bytes of them, come back on its reply. */
export const MAX_ECHOED_ATTRIBUTES = 16;
export const MAX_ECHOED_BYTES = 4096;

/**
 * The attributes of <rpc> that come back on <rpc-reply> (RFC 6241 §4.1, xmlns declarations
 * included; our own default namespace is written by reply()): message-id always, the others in
 * document order while they fit in MAX_ECHOED_ATTRIBUTES and MAX_ECHOED_BYTES, so one request
 * cannot make the reply grow with it.
 */
function echoedAttributes(rpc: XmlElement): XmlAttribute[] {
  const all = [...(rpc.declarations ?? []).filter((d) => d.qname !== 'xmlns'), ...rpc.attributes];
  const id = all.find((a) => a.ns === '' && a.name === 'message-id');
  const out: XmlAttribute[] = id ? [id] : [];
  let bytes = id ? id.qname.length + id.value.length : 0;
  for (const a of all) {
    if (a === id) continue;
    bytes += a.qname.length + a.value.length;
    if (out.length >= MAX_ECHOED_ATTRIBUTES || bytes > MAX_ECHOED_BYTES) break;
    out.push(a);
  }
  return out;
}
