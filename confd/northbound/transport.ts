/**
 * @module confd/northbound/transport
 * The byte pipe a protocol session runs over: an SSH channel in production, a linked
 * in-memory pair in tests ("no port, no socket"). Sessions see only this interface.
 */
import type { Duplex } from 'node:stream';

export interface Transport {
  /** Sends bytes; returns false when the transport is closed or the peer is slow. */
  send(data: Buffer | string): boolean;
  onData(fn: (chunk: Buffer) => void): void;
  /** Called once, when either side closes. */
  onClose(fn: () => void): void;
  close(): void;
  readonly closed: boolean;
}

/** A Transport over a Node duplex stream (an ssh2 channel). */
export function streamTransport(stream: Duplex): Transport {
  let closed = false;
  const closers: Array<() => void> = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const fn of closers) fn();
  };
  stream.on('close', finish);
  stream.on('end', finish);
  stream.on('error', finish);
  return {
    send: (data) => (closed ? false : stream.write(data)),
    onData: (fn) => { stream.on('data', (c: Buffer | string) => fn(typeof c === 'string' ? Buffer.from(c) : c)); },
    onClose: (fn) => { if (closed) fn(); else closers.push(fn); },
    close: () => {
      if (closed) return;
      // Give queued replies to the peer before the channel goes.
      stream.end();
      finish();
    },
    get closed() { return closed; },
  };
}

/** Two transports wired to each other in memory, for tests. Delivery is asynchronous, in order. */
export function linkedPair(): [Transport, Transport] {
  const make = () => ({ data: [] as Array<(c: Buffer) => void>, close: [] as Array<() => void> });
  const a = make(), b = make();
  let closing = false;
  let closed = false;
  // Closing is queued behind the data already sent, as on a real connection.
  const closeBoth = () => {
    if (closing) return;
    closing = true;
    setImmediate(() => {
      closed = true;
      for (const fn of [...a.close, ...b.close]) fn();
    });
  };
  const side = (self: ReturnType<typeof make>, peer: ReturnType<typeof make>): Transport => ({
    send: (data) => {
      if (closing) return false;
      const chunk = Buffer.from(data);
      setImmediate(() => { if (!closed) for (const fn of peer.data) fn(chunk); });
      return true;
    },
    onData: (fn) => { self.data.push(fn); },
    onClose: (fn) => { self.close.push(fn); },
    close: closeBoth,
    get closed() { return closed; },
  });
  return [side(a, b), side(b, a)];
}
