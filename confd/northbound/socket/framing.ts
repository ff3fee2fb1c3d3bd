/**
 * @module confd/northbound/socket/framing
 * JSON-lines framing for the local socket: one JSON value per line. I/O-free: push bytes,
 * get whole parsed messages; encode a message as one line. A line over the size cap, or one
 * that is not JSON, is a framing error after which the decoder refuses more input.
 * Imports only confd/core.
 */
import { ConfdError } from '../../core/errors.js';

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

export class JsonLinesDecoder {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private failed: ConfdError | null = null;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  push(chunk: Buffer): unknown[] {
    if (this.failed) throw this.failed;
    const out: unknown[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      const line = this.parts.length === 0 ? piece : Buffer.concat([...this.parts, piece]);
      this.parts = [];
      this.partBytes = 0;
      start = nl + 1;
      if (line.length > this.maxLineBytes) this.fail('SOCK_BAD_REQUEST', `a message is over ${this.maxLineBytes} bytes`);
      if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) continue;
      try {
        out.push(JSON.parse(line.toString('utf8')));
      } catch (e) {
        this.fail('SOCK_BAD_REQUEST', `a message is not valid JSON: ${(e as Error).message}`);
      }
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.partBytes += rest.length;
      if (this.partBytes > this.maxLineBytes) this.fail('SOCK_BAD_REQUEST', `a message is over ${this.maxLineBytes} bytes`);
      this.parts.push(Buffer.from(rest));
    }
    return out;
  }

  private fail(code: 'SOCK_BAD_REQUEST', message: string): never {
    this.failed = new ConfdError(code, message);
    throw this.failed;
  }
}

export function encodeJsonLine(message: unknown): string {
  return JSON.stringify(message) + '\n';
}
