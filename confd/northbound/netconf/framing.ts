/**
 * @module confd/northbound/netconf/framing
 * RFC 6242 message framing for NETCONF over SSH: base:1.0 end-of-message framing (§4.3, messages
 * end with `]]>]]>`) and base:1.1 chunked framing (§4.2, `\n#<size>\n<data>`… then `\n##\n`).
 * Bytes in, whole messages out, and messages in, frames out. I/O-free: no sockets, no streams,
 * no timers, no XML. It imports only the error registry (`confd/core/errors`); the session layer
 * owns the channel and decides when to switch framing.
 *
 * The decoder is a state machine in the manner of vscode-jsonrpc's message reader: `push` walks
 * the new bytes once, keeps the unfinished message as a list of slices, and joins them once when
 * the message is complete, so neither large messages nor tiny deliveries cost quadratic time.
 */
import { ConfdError } from '../../core/errors.js';

/** `end-of-message` is base:1.0 framing, `chunked` is base:1.1 framing. */
export type NetconfFraming = 'end-of-message' | 'chunked';

/**
 * Where the framer is in a session's life:
 * - `hello`: reading the peer's hello, always end-of-message framed;
 * - `awaiting-decision`: the hello was returned; bytes are held until the caller calls
 *   `useChunked()` or `useEndOfMessage()`;
 * - `end-of-message` / `chunked`: decided, reading rpcs;
 * - `failed`: a framing error was thrown; the framer accepts nothing more.
 */
export type FramerPhase = 'hello' | 'awaiting-decision' | NetconfFraming | 'failed';

export interface NetconfFramerOptions {
  /**
   * Largest message body accepted from the peer, in bytes. A longer message, a chunk header
   * that would take the body past it, or end-of-message data that has grown past it without a
   * delimiter, is an `NC_TOO_BIG` error. Defaults to DEFAULT_MAX_MESSAGE_BYTES.
   */
  readonly maxMessageBytes?: number;
  /** Largest chunk `encode` writes in chunked mode. Defaults to DEFAULT_ENCODE_CHUNK_BYTES. */
  readonly encodeChunkBytes?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/**
 * 64 KiB chunks: the per-chunk header costs under 0.02 %, and a peer that reads chunk by chunk
 * never has to hold more than this to make progress.
 */
export const DEFAULT_ENCODE_CHUNK_BYTES = 64 * 1024;
/** RFC 6242 §4.2: chunk-size is 1..4294967295. */
export const MAX_CHUNK_SIZE = 4294967295;

const END_OF_MESSAGE = Buffer.from(']]>]]>', 'latin1');
const NO_BYTES = Buffer.alloc(0);
const LF = 0x0a;
const HASH = 0x23;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Chunked-decoder states; each names the byte it expects next. */
const enum Chunked {
  /** The `\n` that opens a chunk header or the end-of-chunks marker. */
  HeaderLf,
  /** The `#` after that `\n`. */
  HeaderHash,
  /** A first size digit 1-9, or the second `#` of end-of-chunks. */
  SizeFirstDigit,
  /** More size digits, or the `\n` that ends the header. */
  SizeDigits,
  /** Chunk data: `chunkRemaining` raw bytes, whatever they contain. */
  Data,
  /** The final `\n` of `\n##\n`. */
  EndLf,
}

/**
 * Decodes a NETCONF byte stream into messages and encodes messages into frames.
 *
 * Ownership: `push` does not copy its input. It keeps slices of the pushed chunk until the
 * message they belong to is complete, and a returned message may be a view into a pushed chunk,
 * so a caller must not modify a chunk after pushing it (Node stream and ssh2 channel `data`
 * buffers are never reused, so passing them straight through is safe). Treat returned messages
 * as read-only.
 *
 * Hello → chunked contract: the framer starts in end-of-message framing. `push` returns the
 * first message (the peer's hello) on its own and then holds every further byte, including the
 * rest of the chunk the hello arrived in, without parsing it. The caller reads the hello and
 * calls `useChunked()` (both hellos advertise base:1.1) or `useEndOfMessage()`; that call parses
 * the held bytes in the chosen framing and returns the messages they complete, so an rpc that
 * arrived in the same chunk as the hello is neither lost nor misparsed; the usual limits apply
 * to those bytes when they are parsed. Decide right after the hello, before the next push: bytes
 * pushed while the decision is pending are held raw, and more than `maxMessageBytes` held in
 * all is an `NC_TOO_BIG` error.
 *
 * Errors: a framing error throws a ConfdError with code `NC_MALFORMED` or `NC_TOO_BIG` from
 * `push` (or from the decision call, when the held bytes are malformed). Messages completed
 * earlier in the same call are discarded with it: the session is closed on a framing error, so
 * they would get no reply anyway. From then on `push` and the decision calls throw the same code;
 * `encode` still works, so the session can send a last reply before it closes.
 *
 * Strictness: chunked framing accepts nothing between `\n##\n` and the next `\n#` (not even
 * whitespace), sizes without leading zeros, and at least one chunk per message, as RFC 6242
 * §4.2 requires. End-of-message framing ends a message at the first `]]>]]>`; an empty message
 * is returned as an empty buffer for the codec to reject.
 */
export class NetconfFramer {
  readonly maxMessageBytes: number;
  readonly encodeChunkBytes: number;

  private currentPhase: FramerPhase = 'hello';
  /** Kept apart from the phase so that `encode` keeps the session's framing after a failure. */
  private chosenFraming: NetconfFraming = 'end-of-message';
  private failure: ConfdError | undefined;

  /** Bytes pushed while awaiting the framing decision, not yet parsed. */
  private held: Buffer[] = [];
  private heldBytes = 0;

  /** End-of-message framing: the unfinished message, none of which holds a whole delimiter. */
  private eomSlices: Buffer[] = [];
  private eomBytes = 0;
  /** The last (up to 5) bytes of the unfinished message, to find a delimiter split across pushes. */
  private eomTail: Buffer = NO_BYTES;

  /** Chunked framing: decoder state, the chunk being read, and the message body so far. */
  private chunkedState = Chunked.HeaderLf;
  private chunkSize = 0;
  private chunkRemaining = 0;
  private bodySlices: Buffer[] = [];
  private bodyBytes = 0;

  constructor(options: NetconfFramerOptions = {}) {
    this.maxMessageBytes = positiveInteger('maxMessageBytes', options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    this.encodeChunkBytes = chunkSizeOption(options.encodeChunkBytes ?? DEFAULT_ENCODE_CHUNK_BYTES);
  }

  get phase(): FramerPhase {
    return this.currentPhase;
  }

  /** The framing `encode` uses now: end-of-message until `useChunked()` is called. */
  get framing(): NetconfFraming {
    return this.chosenFraming;
  }

  /** Bytes held for an unfinished message or an undecided framing (diagnostics and tests). */
  get bufferedBytes(): number {
    return this.heldBytes + this.eomBytes + this.bodyBytes;
  }

  /**
   * Appends `chunk` and returns every message it completes, in order, as body bytes without
   * framing. While reading the hello, returns at most the hello (see the class comment).
   * Throws ConfdError `NC_MALFORMED` / `NC_TOO_BIG` on a framing error.
   */
  push(chunk: Buffer | Uint8Array): Buffer[] {
    this.throwIfFailed();
    const bytes = asBuffer(chunk);
    if (bytes.length === 0) return [];
    if (this.currentPhase === 'awaiting-decision') {
      this.hold(bytes);
      if (this.heldBytes > this.maxMessageBytes) {
        const error = tooBig(`${this.heldBytes} bytes arrived before the NETCONF framing was chosen after the hello`, this.maxMessageBytes);
        this.fail(error);
        throw error;
      }
      return [];
    }
    const messages: Buffer[] = [];
    this.consumeGuarded(bytes, messages);
    return messages;
  }

  /**
   * Switches to base:1.1 chunked framing, for both decoding and `encode`, after the hello.
   * Returns the messages completed by bytes held since the hello. Only valid in phase
   * `awaiting-decision`.
   */
  useChunked(): Buffer[] {
    return this.decide('chunked');
  }

  /** Stays in base:1.0 end-of-message framing after the hello; otherwise as `useChunked()`. */
  useEndOfMessage(): Buffer[] {
    return this.decide('end-of-message');
  }

  /** Frames `message` in the current framing (see `framing`). */
  encode(message: string | Uint8Array): Buffer {
    return encodeMessage(message, this.framing, this.encodeChunkBytes);
  }

  private decide(framing: NetconfFraming): Buffer[] {
    this.throwIfFailed();
    if (this.currentPhase !== 'awaiting-decision') {
      throw new ConfdError('INTERNAL', `the NETCONF framing can be chosen only once, right after the hello (phase is ${this.currentPhase})`);
    }
    this.currentPhase = framing;
    this.chosenFraming = framing;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    const messages: Buffer[] = [];
    for (const bytes of held) this.consumeGuarded(bytes, messages);
    return messages;
  }

  private consumeGuarded(bytes: Buffer, messages: Buffer[]): void {
    try {
      if (this.currentPhase === 'chunked') this.consumeChunked(bytes, messages);
      else this.consumeEndOfMessage(bytes, messages);
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  private hold(bytes: Buffer): void {
    this.held.push(bytes);
    this.heldBytes += bytes.length;
  }

  private consumeEndOfMessage(bytes: Buffer, messages: Buffer[]): void {
    let pos = 0;
    while (pos < bytes.length) {
      // The first delimiter is either one that started in the unfinished message (only its
      // last 5 bytes can hold such a start) or the first one wholly inside the new bytes.
      let messageBytes = -1;
      let next = -1;
      if (this.eomTail.length > 0) {
        const probe = Buffer.concat([this.eomTail, bytes.subarray(pos, pos + END_OF_MESSAGE.length - 1)]);
        const at = probe.indexOf(END_OF_MESSAGE);
        if (at !== -1) {
          messageBytes = this.eomBytes - (this.eomTail.length - at);
          next = pos + at + END_OF_MESSAGE.length - this.eomTail.length;
        }
      }
      const slices = this.eomSlices;
      if (next === -1) {
        const at = bytes.indexOf(END_OF_MESSAGE, pos);
        if (at === -1) {
          this.appendEndOfMessage(bytes.subarray(pos));
          return;
        }
        messageBytes = this.eomBytes + (at - pos);
        next = at + END_OF_MESSAGE.length;
        slices.push(bytes.subarray(pos, at));
      }
      if (messageBytes > this.maxMessageBytes) throw tooBig(`a ${messageBytes}-byte message`, this.maxMessageBytes);
      const only = slices[0];
      // Buffer.concat truncates to messageBytes, dropping a delimiter start held in the slices.
      const message = slices.length === 1 && only !== undefined ? only.subarray(0, messageBytes) : Buffer.concat(slices, messageBytes);
      this.eomSlices = [];
      this.eomBytes = 0;
      this.eomTail = NO_BYTES;
      messages.push(message);
      pos = next;
      if (this.currentPhase === 'hello') {
        this.currentPhase = 'awaiting-decision';
        if (pos < bytes.length) this.hold(bytes.subarray(pos));
        return;
      }
    }
  }

  private appendEndOfMessage(piece: Buffer): void {
    this.eomSlices.push(piece);
    this.eomBytes += piece.length;
    const keep = END_OF_MESSAGE.length - 1;
    this.eomTail = piece.length >= keep ? piece.subarray(piece.length - keep) : Buffer.concat([this.eomTail, piece]).subarray(-keep);
    // Up to 5 trailing bytes may still turn out to be the start of the delimiter.
    if (this.eomBytes > this.maxMessageBytes + keep) {
      throw tooBig(`${this.eomBytes} bytes without an end-of-message delimiter`, this.maxMessageBytes);
    }
  }

  private consumeChunked(bytes: Buffer, messages: Buffer[]): void {
    let pos = 0;
    const end = bytes.length;
    while (pos < end) {
      if (this.chunkedState === Chunked.Data) {
        const take = Math.min(this.chunkRemaining, end - pos);
        this.bodySlices.push(bytes.subarray(pos, pos + take));
        this.bodyBytes += take;
        this.chunkRemaining -= take;
        pos += take;
        if (this.chunkRemaining === 0) this.chunkedState = Chunked.HeaderLf;
        continue;
      }
      const byte = bytes[pos] as number;
      pos += 1;
      switch (this.chunkedState) {
        case Chunked.HeaderLf:
          if (byte !== LF) throw malformed(`expected "\\n" to open a chunk header, got ${describeByte(byte)}`);
          this.chunkedState = Chunked.HeaderHash;
          break;
        case Chunked.HeaderHash:
          if (byte !== HASH) throw malformed(`expected "#" after "\\n" in a chunk header, got ${describeByte(byte)}`);
          this.chunkedState = Chunked.SizeFirstDigit;
          break;
        case Chunked.SizeFirstDigit:
          if (byte === HASH) {
            if (this.bodyBytes === 0) throw malformed('end-of-chunks before any chunk: a chunked message needs at least one chunk');
            this.chunkedState = Chunked.EndLf;
          } else if (byte > DIGIT_0 && byte <= DIGIT_9) {
            this.chunkSize = byte - DIGIT_0;
            this.chunkedState = Chunked.SizeDigits;
          } else if (byte === DIGIT_0) {
            throw malformed('a chunk size that is zero or has a leading zero');
          } else if (byte === LF) {
            throw malformed('a chunk header without a size');
          } else {
            throw malformed(`expected a chunk size digit 1-9 or "#", got ${describeByte(byte)}`);
          }
          break;
        case Chunked.SizeDigits:
          if (byte >= DIGIT_0 && byte <= DIGIT_9) {
            // Checked digit by digit, so the value stays far below 2^53.
            this.chunkSize = this.chunkSize * 10 + (byte - DIGIT_0);
            if (this.chunkSize > MAX_CHUNK_SIZE) throw malformed(`a chunk size above ${MAX_CHUNK_SIZE}`);
          } else if (byte === LF) {
            // Refuse before the data arrives rather than after buffering it.
            if (this.bodyBytes + this.chunkSize > this.maxMessageBytes) {
              throw tooBig(`a chunk of ${this.chunkSize} bytes after ${this.bodyBytes} bytes of message`, this.maxMessageBytes);
            }
            this.chunkRemaining = this.chunkSize;
            this.chunkedState = Chunked.Data;
          } else {
            throw malformed(`expected a chunk size digit or "\\n", got ${describeByte(byte)}`);
          }
          break;
        case Chunked.EndLf: {
          if (byte !== LF) throw malformed(`expected "\\n" to close end-of-chunks, got ${describeByte(byte)}`);
          const slices = this.bodySlices;
          const only = slices[0];
          messages.push(slices.length === 1 && only !== undefined ? only : Buffer.concat(slices, this.bodyBytes));
          this.bodySlices = [];
          this.bodyBytes = 0;
          this.chunkedState = Chunked.HeaderLf;
          break;
        }
      }
    }
  }

  private fail(error: unknown): void {
    this.failure = error instanceof ConfdError ? error : new ConfdError('INTERNAL', 'NETCONF framing failed unexpectedly', { cause: error });
    this.currentPhase = 'failed';
    // Let the buffered bytes go: nothing will read them.
    this.held = [];
    this.heldBytes = 0;
    this.eomSlices = [];
    this.eomBytes = 0;
    this.bodySlices = [];
    this.bodyBytes = 0;
  }

  private throwIfFailed(): void {
    const failure = this.failure;
    if (failure !== undefined) {
      throw new ConfdError(failure.code, `NETCONF framing already failed: ${failure.message}`, { cause: failure });
    }
  }
}

/**
 * Frames one message: end-of-message appends `]]>]]>`; chunked writes chunks of at most
 * `chunkBytes` bytes, then `\n##\n`. The frame is built in one allocation.
 *
 * Refuses (ConfdError `INTERNAL`, since it is a bug in what we send) an end-of-message body
 * that the peer would cut short (one containing `]]>]]>` or ending in `]]>`; well-formed XML
 * does neither outside comments and processing instructions) and an empty chunked body, which
 * base:1.1 cannot express (a message has at least one chunk of at least one byte).
 */
export function encodeMessage(message: string | Uint8Array, framing: NetconfFraming, chunkBytes: number = DEFAULT_ENCODE_CHUNK_BYTES): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : asBuffer(message);
  if (framing === 'end-of-message') {
    const frame = Buffer.concat([body, END_OF_MESSAGE], body.length + END_OF_MESSAGE.length);
    // The peer ends the message at the first delimiter: one inside the body, or one that a body
    // ending in "]]>" forms with the delimiter's own first half, would cut it short.
    if (frame.indexOf(END_OF_MESSAGE) !== body.length) {
      throw new ConfdError('INTERNAL', 'a message containing "]]>]]>" or ending in "]]>" cannot be end-of-message framed');
    }
    return frame;
  }
  const size = chunkSizeOption(chunkBytes);
  if (body.length === 0) throw new ConfdError('INTERNAL', 'an empty message cannot be chunk framed');
  const fullChunks = Math.floor(body.length / size);
  const lastChunk = body.length % size;
  const headerBytes = (chunk: number): number => 3 + String(chunk).length; // "\n#" + digits + "\n"
  const total = fullChunks * headerBytes(size) + (lastChunk > 0 ? headerBytes(lastChunk) : 0) + body.length + 4;
  const frame = Buffer.allocUnsafe(total);
  let out = 0;
  for (let start = 0; start < body.length; start += size) {
    const stop = Math.min(start + size, body.length);
    out += frame.write(`\n#${stop - start}\n`, out, 'latin1');
    out += body.copy(frame, out, start, stop);
  }
  frame.write('\n##\n', out, 'latin1');
  return frame;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfdError('INTERNAL', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function chunkSizeOption(value: number): number {
  positiveInteger('encodeChunkBytes', value);
  if (value > MAX_CHUNK_SIZE) throw new ConfdError('INTERNAL', `encodeChunkBytes must be at most ${MAX_CHUNK_SIZE}, got ${value}`);
  return value;
}

function malformed(message: string): ConfdError {
  return new ConfdError('NC_MALFORMED', `NETCONF framing: ${message}`);
}

function tooBig(what: string, limit: number): ConfdError {
  return new ConfdError('NC_TOO_BIG', `NETCONF framing: ${what} exceeds the ${limit}-byte message limit`, { details: { limit } });
}

function describeByte(byte: number): string {
  return byte >= 0x21 && byte <= 0x7e ? `"${String.fromCharCode(byte)}"` : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}
