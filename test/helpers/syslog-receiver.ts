/**
 * Test helpers: a real TCP syslog collector on loopback that splits RFC 6587 octet-counted
 * frames and parses each RFC 5424 message (header fields, structured data, message).
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface SyslogMessage {
  readonly raw: string;
  readonly pri: number;
  readonly version: number;
  readonly timestamp: string;
  readonly hostname: string;
  readonly appName: string;
  readonly procid: string;
  readonly msgid: string;
  /** SD-ID → param name → value (unescaped). */
  readonly sd: Record<string, Record<string, string>>;
  readonly msg: string;
}

/** Parses one RFC 5424 message; throws on anything that is not one. */
export function parseSyslog(raw: string): SyslogMessage {
  const m = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(raw);
  if (!m) throw new Error(`not an RFC 5424 header: ${raw.slice(0, 80)}`);
  let i = m[0].length;
  const sd: Record<string, Record<string, string>> = {};
  if (raw[i] === '-') i++;
  else {
    while (raw[i] === '[') {
      const id = /^\[([^ \]=]+)/.exec(raw.slice(i))!;
      i += id[0].length;
      const params: Record<string, string> = {};
      while (raw[i] === ' ') {
        const name = /^ ([^ =\]"]+)="/.exec(raw.slice(i));
        if (!name) throw new Error(`bad SD-PARAM at ${i}: ${raw.slice(i, i + 40)}`);
        i += name[0].length;
        let v = '';
        while (raw[i] !== '"') {
          if (raw[i] === '\\' && '"\\]'.includes(raw[i + 1]!)) i++;
          if (i >= raw.length) throw new Error('unterminated PARAM-VALUE');
          v += raw[i++];
        }
        i++;
        params[name[1]!] = v;
      }
      if (raw[i] !== ']') throw new Error(`SD-ELEMENT not closed at ${i}`);
      i++;
      sd[id[1]!] = params;
    }
  }
  const msg = raw[i] === ' ' ? raw.slice(i + 1) : '';
  return { raw, pri: Number(m[1]), version: Number(m[2]), timestamp: m[3]!, hostname: m[4]!, appName: m[5]!, procid: m[6]!, msgid: m[7]!, sd, msg };
}

export class SyslogReceiver {
  readonly messages: SyslogMessage[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private waiters: Array<() => void> = [];
  port = 0;

  async listen(port = 0): Promise<number> {
    const server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', () => resolve()); });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  private accept(s: Socket): void {
    this.sockets.add(s);
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) break;
        const len = Number(buf.subarray(0, sp).toString('ascii'));
        if (!Number.isInteger(len) || len <= 0) throw new Error(`bad octet count: ${buf.subarray(0, sp).toString()}`);
        if (buf.length < sp + 1 + len) break;
        this.messages.push(parseSyslog(buf.subarray(sp + 1, sp + 1 + len).toString('utf8')));
        buf = buf.subarray(sp + 1 + len);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
  }

  /** Resolves once `pred` holds for the messages received, or rejects after `timeoutMs`. */
  async waitFor(pred: (m: readonly SyslogMessage[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${this.messages.length}: ${this.messages.map((m) => m.msgid).join(' ')}`);
      await new Promise<void>((resolve) => { const t = setTimeout(resolve, Math.min(left, 200)); this.waiters.push(() => { clearTimeout(t); resolve(); }); });
    }
  }

  /** Stops listening and cuts every connection (a collector going down). */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}
