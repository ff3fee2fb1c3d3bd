/**
 * @module test/confd/northbound/netconf/framing
 * Byte-level tests of the RFC 6242 framer: end-of-message and chunked decoding under every split
 * of the input, the hello → chunked switch, each framing error and the size cap, encode/decode
 * round trips, and a seeded fuzz run. In-process, no sockets; imports only the framer and the
 * error registry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_ENCODE_CHUNK_BYTES,
  encodeMessage,
  MAX_CHUNK_SIZE,
  NetconfFramer,
  type NetconfFramerOptions,
  type NetconfFraming,
} from '../../../../confd/northbound/netconf/framing.js';
import { ConfdError, type ErrorCode } from '../../../../confd/core/errors.js';
import { randomInt, seededRandom } from '../../../helpers/random.js';

const DELIMITER = ']]>]]>';
const HELLO =
  '<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>' +
  '<capability>urn:ietf:params:netconf:base:1.1</capability></capabilities></hello>';

function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function texts(messages: readonly Buffer[]): string[] {
  return messages.map((m) => m.toString('latin1'));
}

/** `stream` cut at the given ascending offsets. */
function splitAt(stream: Buffer, offsets: readonly number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const offset of offsets) {
    pieces.push(stream.subarray(start, offset));
    start = offset;
  }
  pieces.push(stream.subarray(start));
  return pieces;
}

function oneByteAtATime(stream: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < stream.length; i++) pieces.push(stream.subarray(i, i + 1));
  return pieces;
}

/** Feeds pieces as a session would: on the hello, choose `framing` at once. Returns all messages. */
function runSession(pieces: Iterable<Uint8Array>, framing: NetconfFraming, options?: NetconfFramerOptions): Buffer[] {
  const framer = new NetconfFramer(options);
  const messages: Buffer[] = [];
  for (const piece of pieces) {
    messages.push(...framer.push(piece));
    if (framer.phase === 'awaiting-decision') {
      messages.push(...(framing === 'chunked' ? framer.useChunked() : framer.useEndOfMessage()));
    }
  }
  assert.equal(framer.bufferedBytes, 0, 'a complete stream leaves nothing buffered');
  return messages;
}

/** A framer that has read a hello and switched to chunked framing. */
function chunkedFramer(options?: NetconfFramerOptions): NetconfFramer {
  const framer = new NetconfFramer(options);
  assert.deepEqual(texts(framer.push(bytes(`<hello/>${DELIMITER}`))), ['<hello/>']);
  assert.deepEqual(framer.useChunked(), []);
  return framer;
}

/** One chunked message written chunk by chunk, exactly as given. */
function chunkedFrame(chunks: readonly string[]): string {
  return chunks.map((c) => `\n#${Buffer.byteLength(c, 'latin1')}\n${c}`).join('') + '\n##\n';
}

function assertFramingError(run: () => unknown, code: ErrorCode): void {
  assert.throws(run, (error: unknown) => error instanceof ConfdError && error.code === code);
}

/** Every later use of a failed framer throws the same code. */
function assertStaysFailed(framer: NetconfFramer, code: ErrorCode): void {
  assert.equal(framer.phase, 'failed');
  assert.equal(framer.bufferedBytes, 0);
  assertFramingError(() => framer.push(bytes('\n#1\na\n##\n')), code);
  assertFramingError(() => framer.push(bytes(`<rpc/>${DELIMITER}`)), code);
  assertFramingError(() => framer.useChunked(), code);
  assertFramingError(() => framer.useEndOfMessage(), code);
}

/** Random bytes biased towards the characters that framing cares about. */
function randomBody(random: () => number, length: number): Buffer {
  const tricky = bytes(']]]>>\n\n##0123456789');
  const body = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    body[i] = random() < 0.6 ? (tricky[randomInt(random, 0, tricky.length - 1)] as number) : randomInt(random, 0, 255);
  }
  return body;
}

/** Random ascending cut points inside a stream of `length` bytes. */
function randomOffsets(random: () => number, length: number): number[] {
  const count = randomInt(random, 0, Math.min(length, 40));
  const offsets = new Set<number>();
  for (let i = 0; i < count; i++) offsets.add(randomInt(random, 0, length));
  return [...offsets].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// End-of-message framing (base:1.0)

const EOM_MESSAGES = ['<rpc message-id="1"><get/></rpc>', '<rpc>]]>]</rpc>]', 'x]]>]]', ''];
// The second message ends in "]" just before the delimiter ("]]]>]]>"), the third ends in a
// delimiter prefix: both check that the message ends at the first "]]>]]>" and no earlier.
const EOM_STREAM = bytes([HELLO, ...EOM_MESSAGES].map((m) => m + DELIMITER).join(''));

test('end-of-message: a two-message stream decodes identically when split at every byte offset', () => {
  const stream = bytes(`${HELLO}${DELIMITER}<rpc message-id="101"><get-config/></rpc>${DELIMITER}`);
  for (let offset = 0; offset <= stream.length; offset++) {
    assert.deepEqual(texts(runSession(splitAt(stream, [offset]), 'end-of-message')), [HELLO, '<rpc message-id="101"><get-config/></rpc>'], `split at ${offset}`);
  }
});

test('end-of-message: delimiter look-alikes decode identically under every pair of split points', () => {
  const expected = [HELLO, ...EOM_MESSAGES];
  // A reference split: String.split finds occurrences left to right, i.e. the first one each time.
  assert.deepEqual(EOM_STREAM.toString('latin1').split(DELIMITER).slice(0, -1), expected);
  for (let first = 0; first <= EOM_STREAM.length; first++) {
    for (let second = first; second <= EOM_STREAM.length; second += 3) {
      assert.deepEqual(texts(runSession(splitAt(EOM_STREAM, [first, second]), 'end-of-message')), expected, `split at ${first}, ${second}`);
    }
  }
});

test('end-of-message: one byte at a time', () => {
  const big = 'y'.repeat(70_000);
  const stream = Buffer.concat([EOM_STREAM, bytes(big + DELIMITER)]);
  assert.deepEqual(texts(runSession(oneByteAtATime(stream), 'end-of-message')), [HELLO, ...EOM_MESSAGES, big]);
});

test('end-of-message: many messages in one chunk, and a partial message kept for the next push', () => {
  const framer = new NetconfFramer();
  const rpcs = Array.from({ length: 10_000 }, (_, i) => `<rpc message-id="${i}"><get/></rpc>`);
  const first = framer.push(bytes(HELLO + DELIMITER));
  assert.deepEqual(texts(first), [HELLO]);
  framer.useEndOfMessage();
  const stream = rpcs.map((r) => r + DELIMITER).join('') + '<rpc message-id="last"';
  assert.deepEqual(texts(framer.push(bytes(stream))), rpcs);
  assert.equal(framer.bufferedBytes, '<rpc message-id="last"'.length);
  assert.deepEqual(texts(framer.push(bytes(`/>${DELIMITER}`))), ['<rpc message-id="last"/>']);
  assert.equal(framer.bufferedBytes, 0);
});

test('end-of-message: accepts Uint8Array views at an offset into a larger buffer', () => {
  const backing = new Uint8Array(100).fill(0x5a);
  const frame = bytes(`<hello/>${DELIMITER}`);
  backing.set(frame, 10);
  const framer = new NetconfFramer();
  assert.deepEqual(texts(framer.push(backing.subarray(10, 10 + frame.length))), ['<hello/>']);
});

// ---------------------------------------------------------------------------------------------
// Chunked framing (base:1.1)

const CHUNKED_MESSAGES: readonly (readonly string[])[] = [
  ['<rpc message-id="1">', DELIMITER, '\n#', '<get/></rpc>'],
  ['\n##\n'],
  ['z'],
  ['<rpc message-id="4">' + 'a'.repeat(123), '\n#12\n', `</rpc>${DELIMITER}\n##`],
];
const CHUNKED_EXPECTED = CHUNKED_MESSAGES.map((chunks) => chunks.join(''));
const CHUNKED_STREAM = bytes(HELLO + DELIMITER + CHUNKED_MESSAGES.map(chunkedFrame).join(''));

test('chunked: messages with several chunks decode identically when split at every byte offset', () => {
  for (let offset = 0; offset <= CHUNKED_STREAM.length; offset++) {
    assert.deepEqual(texts(runSession(splitAt(CHUNKED_STREAM, [offset]), 'chunked')), [HELLO, ...CHUNKED_EXPECTED], `split at ${offset}`);
  }
});

test('chunked: every pair of split points (headers split between "\\n" and "#", inside digits, inside "\\n##\\n")', () => {
  const expected = [HELLO, ...CHUNKED_EXPECTED];
  for (let first = 0; first <= CHUNKED_STREAM.length; first++) {
    for (let second = first; second <= CHUNKED_STREAM.length; second++) {
      assert.deepEqual(texts(runSession(splitAt(CHUNKED_STREAM, [first, second]), 'chunked')), expected, `split at ${first}, ${second}`);
    }
  }
});

test('chunked: one byte at a time, including a message over 64 KiB with multi-digit chunk sizes', () => {
  const big = randomBody(seededRandom(7), 70_000);
  const stream = Buffer.concat([CHUNKED_STREAM, encodeMessage(big, 'chunked', 30_000)]);
  const messages = runSession(oneByteAtATime(stream), 'chunked');
  assert.deepEqual(texts(messages.slice(0, -1)), [HELLO, ...CHUNKED_EXPECTED]);
  assert.ok(big.equals(messages.at(-1) ?? Buffer.alloc(0)));
});

test('chunked: many messages in one chunk; a header-only push buffers nothing but the state', () => {
  const framer = chunkedFramer();
  const rpcs = Array.from({ length: 10_000 }, (_, i) => `<rpc message-id="${i}"/>`);
  assert.deepEqual(texts(framer.push(Buffer.concat(rpcs.map((r) => encodeMessage(r, 'chunked'))))), rpcs);
  assert.deepEqual(framer.push(bytes('\n#5\n')), []);
  assert.equal(framer.bufferedBytes, 0);
  assert.deepEqual(framer.push(bytes('ab')), []);
  assert.equal(framer.bufferedBytes, 2);
  assert.deepEqual(texts(framer.push(bytes('cde\n##\n'))), ['abcde']);
});

test('chunked: the largest legal chunk size is accepted as a header', () => {
  const framer = chunkedFramer({ maxMessageBytes: 2 ** 33 });
  assert.deepEqual(framer.push(bytes(`\n#${MAX_CHUNK_SIZE}\nabc`)), []);
  assert.equal(framer.phase, 'chunked');
  assert.equal(framer.bufferedBytes, 3);
});

// ---------------------------------------------------------------------------------------------
// The hello and the framing decision

test('hello then chunked rpcs in the same chunk: push returns only the hello, useChunked the rest', () => {
  const framer = new NetconfFramer();
  assert.equal(framer.phase, 'hello');
  assert.equal(framer.framing, 'end-of-message');
  const rpc1 = '<rpc message-id="1"><get/></rpc>';
  const rpc2 = '<rpc message-id="2"><get-config/></rpc>';
  const frame2 = encodeMessage(rpc2, 'chunked', 7);
  const firstPush = Buffer.concat([bytes(HELLO + DELIMITER), encodeMessage(rpc1, 'chunked', 10), frame2.subarray(0, 9)]);

  assert.deepEqual(texts(framer.push(firstPush)), [HELLO]);
  assert.equal(framer.phase, 'awaiting-decision');
  assert.equal(framer.framing, 'end-of-message', 'our own hello still goes out end-of-message framed');
  // Bytes arriving before the decision are held, not parsed.
  assert.deepEqual(framer.push(frame2.subarray(9, 20)), []);

  assert.deepEqual(texts(framer.useChunked()), [rpc1]);
  assert.equal(framer.phase, 'chunked');
  assert.equal(framer.framing, 'chunked');
  assert.deepEqual(texts(framer.push(frame2.subarray(20))), [rpc2]);
  assert.equal(framer.bufferedBytes, 0);
  assert.equal(framer.encode('<ok/>').toString('latin1'), '\n#5\n<ok/>\n##\n');
});

test('hello then end-of-message rpcs in the same chunk: useEndOfMessage returns them', () => {
  const framer = new NetconfFramer();
  assert.deepEqual(texts(framer.push(bytes(`${HELLO}${DELIMITER}<rpc a="1"/>${DELIMITER}<rpc a="2"/>${DELIMITER}<rpc`))), [HELLO]);
  assert.deepEqual(texts(framer.useEndOfMessage()), ['<rpc a="1"/>', '<rpc a="2"/>']);
  assert.equal(framer.phase, 'end-of-message');
  assert.deepEqual(texts(framer.push(bytes(` a="3"/>${DELIMITER}`))), ['<rpc a="3"/>']);
  assert.equal(framer.encode('<ok/>').toString('latin1'), `<ok/>${DELIMITER}`);
});

test('the hello switch is found at every split offset of a hello + chunked stream', () => {
  // runSession decides as soon as push returns the hello; the rest may already be held.
  for (let offset = 0; offset <= CHUNKED_STREAM.length; offset++) {
    const framer = new NetconfFramer();
    const [head, tail] = splitAt(CHUNKED_STREAM, [offset]) as [Buffer, Buffer];
    const messages = [...framer.push(head)];
    if (framer.phase === 'awaiting-decision') messages.push(...framer.useChunked());
    messages.push(...framer.push(tail));
    if (framer.phase === 'awaiting-decision') messages.push(...framer.useChunked());
    assert.deepEqual(texts(messages), [HELLO, ...CHUNKED_EXPECTED], `split at ${offset}`);
  }
});

test('the framing can be chosen only once, and only after the hello', () => {
  const framer = new NetconfFramer();
  assertFramingError(() => framer.useChunked(), 'INTERNAL');
  assert.equal(framer.phase, 'hello', 'a misuse does not poison the framer');
  framer.push(bytes(`<hello/>${DELIMITER}`));
  framer.useChunked();
  assertFramingError(() => framer.useChunked(), 'INTERNAL');
  assertFramingError(() => framer.useEndOfMessage(), 'INTERNAL');
  assert.deepEqual(texts(framer.push(bytes('\n#2\nok\n##\n'))), ['ok']);
});

test('held bytes that are not valid chunked framing fail in useChunked', () => {
  const framer = new NetconfFramer();
  framer.push(bytes(`<hello/>${DELIMITER}<rpc/>${DELIMITER}`));
  assertFramingError(() => framer.useChunked(), 'NC_MALFORMED');
  assertStaysFailed(framer, 'NC_MALFORMED');
});

// ---------------------------------------------------------------------------------------------
// Framing errors

const CHUNKED_ERRORS: readonly { readonly name: string; readonly stream: string; readonly code: ErrorCode }[] = [
  { name: 'bad character in the size', stream: '\n#1a\nb\n##\n', code: 'NC_MALFORMED' },
  { name: 'letter as the size', stream: '\n#x\n', code: 'NC_MALFORMED' },
  { name: 'space before the size', stream: '\n# 5\nabcde\n##\n', code: 'NC_MALFORMED' },
  { name: 'negative size', stream: '\n#-1\n', code: 'NC_MALFORMED' },
  { name: 'leading zero', stream: '\n#05\nabcde\n##\n', code: 'NC_MALFORMED' },
  { name: 'zero size', stream: '\n#0\n\n##\n', code: 'NC_MALFORMED' },
  { name: 'zero size between chunks', stream: '\n#1\na\n#0\n\n#1\nb\n##\n', code: 'NC_MALFORMED' },
  { name: 'size 4294967296', stream: '\n#4294967296\n', code: 'NC_MALFORMED' },
  { name: 'size of twenty digits', stream: '\n#99999999999999999999\n', code: 'NC_MALFORMED' },
  { name: 'missing size digits', stream: '\n#\nabc\n##\n', code: 'NC_MALFORMED' },
  { name: 'garbage between chunks', stream: '\n#3\nabcX\n#3\ndef\n##\n', code: 'NC_MALFORMED' },
  { name: 'whitespace between messages', stream: '\n#1\na\n##\n\n\n#1\nb\n##\n', code: 'NC_MALFORMED' },
  { name: 'missing "\\n" before "#" at message start', stream: '#3\nabc\n##\n', code: 'NC_MALFORMED' },
  { name: 'missing "\\n" before "#" between chunks', stream: '\n#3\nabc#3\ndef\n##\n', code: 'NC_MALFORMED' },
  { name: 'missing "\\n" before "##"', stream: '\n#3\nabc##\n', code: 'NC_MALFORMED' },
  { name: 'end-of-chunks with no chunk', stream: '\n##\n', code: 'NC_MALFORMED' },
  { name: 'end-of-chunks not closed by "\\n"', stream: '\n#1\na\n##x', code: 'NC_MALFORMED' },
  { name: 'end-of-message framing after the switch', stream: `<rpc/>${DELIMITER}`, code: 'NC_MALFORMED' },
  { name: 'chunk header over the cap', stream: '\n#65\n', code: 'NC_TOO_BIG' },
  { name: 'chunks summing over the cap', stream: '\n#40\n' + 'a'.repeat(40) + '\n#25\n', code: 'NC_TOO_BIG' },
];

for (const { name, stream, code } of CHUNKED_ERRORS) {
  test(`chunked error (${name}) throws ${code} at every split offset and the framer stays failed`, () => {
    const frame = bytes(stream);
    for (let offset = 0; offset <= frame.length; offset++) {
      const framer = chunkedFramer({ maxMessageBytes: 64 });
      const [head, tail] = splitAt(frame, [offset]) as [Buffer, Buffer];
      assertFramingError(() => {
        framer.push(head);
        framer.push(tail);
      }, code);
      assertStaysFailed(framer, code);
    }
  });
}

test('chunked: a message of exactly maxMessageBytes is accepted, one byte more is NC_TOO_BIG', () => {
  const framer = chunkedFramer({ maxMessageBytes: 10 });
  assert.deepEqual(texts(framer.push(bytes('\n#6\nabcdef\n#4\nghij\n##\n'))), ['abcdefghij']);
  // The header alone is refused, before any of the data arrives.
  assertFramingError(() => framer.push(bytes('\n#11\n')), 'NC_TOO_BIG');
  assertStaysFailed(framer, 'NC_TOO_BIG');
  // The session may still send a last reply, in the framing it had chosen.
  assert.equal(framer.framing, 'chunked');
  assert.equal(framer.encode('<bye/>').toString('latin1'), '\n#6\n<bye/>\n##\n');
});

test('end-of-message: a message of exactly maxMessageBytes is accepted at every split offset', () => {
  const stream = bytes(`<hello/>${DELIMITER}abcdefghij${DELIMITER}`);
  for (let offset = 0; offset <= stream.length; offset++) {
    assert.deepEqual(texts(runSession(splitAt(stream, [offset]), 'end-of-message', { maxMessageBytes: 10 })), ['<hello/>', 'abcdefghij']);
  }
});

test('end-of-message: an oversize message is NC_TOO_BIG, with or without its delimiter', () => {
  const withDelimiter = new NetconfFramer({ maxMessageBytes: 10 });
  assertFramingError(() => withDelimiter.push(bytes(`abcdefghijk${DELIMITER}`)), 'NC_TOO_BIG');
  assertStaysFailed(withDelimiter, 'NC_TOO_BIG');

  // Without a delimiter the buffer is bounded: up to 5 bytes past the cap may be a delimiter's
  // start, the sixth cannot.
  const growing = new NetconfFramer({ maxMessageBytes: 10 });
  assert.deepEqual(growing.push(bytes('abcdefghij]]>]]')), []);
  assert.equal(growing.bufferedBytes, 15);
  assert.deepEqual(texts(growing.push(bytes('>'))), ['abcdefghij']);
  growing.useEndOfMessage();
  assert.deepEqual(growing.push(bytes('0123456789')), []);
  assert.deepEqual(growing.push(bytes('xxxxx')), []);
  assertFramingError(() => growing.push(bytes('y')), 'NC_TOO_BIG');
  assertStaysFailed(growing, 'NC_TOO_BIG');

  const oneByteAtATime = new NetconfFramer({ maxMessageBytes: 1000 });
  assertFramingError(() => {
    for (let i = 0; i < 2000; i++) oneByteAtATime.push(bytes(']'));
  }, 'NC_TOO_BIG');
});

test('bytes held while awaiting the decision are capped too', () => {
  // The rest of the hello's own chunk is held as is and meets the usual limit once parsed.
  const sameChunk = new NetconfFramer({ maxMessageBytes: 100 });
  assert.deepEqual(texts(sameChunk.push(bytes(`<hello/>${DELIMITER}${'a'.repeat(200)}`))), ['<hello/>']);
  assert.equal(sameChunk.bufferedBytes, 200);
  assertFramingError(() => sameChunk.useEndOfMessage(), 'NC_TOO_BIG');
  assertStaysFailed(sameChunk, 'NC_TOO_BIG');

  // Pushing while the decision is pending is bounded by the limit.

  const laterChunks = new NetconfFramer({ maxMessageBytes: 100 });
  assert.deepEqual(texts(laterChunks.push(bytes(`<hello/>${DELIMITER}${'a'.repeat(60)}`))), ['<hello/>']);
  assert.deepEqual(laterChunks.push(bytes('b'.repeat(40))), []);
  assertFramingError(() => laterChunks.push(bytes('c')), 'NC_TOO_BIG');
  assertStaysFailed(laterChunks, 'NC_TOO_BIG');
});

test('invalid options are refused', () => {
  assertFramingError(() => new NetconfFramer({ maxMessageBytes: 0 }), 'INTERNAL');
  assertFramingError(() => new NetconfFramer({ maxMessageBytes: 1.5 }), 'INTERNAL');
  assertFramingError(() => new NetconfFramer({ encodeChunkBytes: MAX_CHUNK_SIZE + 1 }), 'INTERNAL');
  assertFramingError(() => encodeMessage('a', 'chunked', 0), 'INTERNAL');
});

// ---------------------------------------------------------------------------------------------
// Encoding and round trips

test('encode writes exact frames in both framings', () => {
  assert.equal(encodeMessage('abc', 'end-of-message').toString('latin1'), `abc${DELIMITER}`);
  assert.equal(encodeMessage('', 'end-of-message').toString('latin1'), DELIMITER);
  assert.equal(encodeMessage('abc', 'chunked').toString('latin1'), '\n#3\nabc\n##\n');
  assert.equal(encodeMessage('abcde', 'chunked', 2).toString('latin1'), '\n#2\nab\n#2\ncd\n#1\ne\n##\n');
  assert.equal(encodeMessage('abcd', 'chunked', 2).toString('latin1'), '\n#2\nab\n#2\ncd\n##\n');
  // Sizes count UTF-8 bytes, not characters.
  assert.equal(encodeMessage('é', 'chunked').toString('latin1'), '\n#2\n\xc3\xa9\n##\n');
  assert.equal(encodeMessage(new Uint8Array([1, 2, 3]), 'chunked').toString('latin1'), '\n#3\n\x01\x02\x03\n##\n');
  // Chunked data may hold anything, delimiters included.
  assert.equal(encodeMessage(DELIMITER, 'chunked').toString('latin1'), `\n#6\n${DELIMITER}\n##\n`);
});

test('encode refuses what the peer could not decode', () => {
  assertFramingError(() => encodeMessage('', 'chunked'), 'INTERNAL');
  assertFramingError(() => encodeMessage(`<a>${DELIMITER}</a>`, 'end-of-message'), 'INTERNAL');
  // "]]>" at the end would form "]]>]]>" with the first half of the delimiter.
  assertFramingError(() => encodeMessage('<a/>]]>', 'end-of-message'), 'INTERNAL');
  assert.equal(encodeMessage('<a/>]]', 'end-of-message').toString('latin1'), `<a/>]]${DELIMITER}`);
});

test('the framer encodes in its current framing with its chunk size', () => {
  const framer = new NetconfFramer({ encodeChunkBytes: 3 });
  assert.equal(framer.encode('<hello/>').toString('latin1'), `<hello/>${DELIMITER}`);
  framer.push(bytes(`<hello/>${DELIMITER}`));
  framer.useChunked();
  assert.equal(framer.encode('abcd').toString('latin1'), '\n#3\nabc\n#1\nd\n##\n');
  assert.equal(new NetconfFramer().encodeChunkBytes, DEFAULT_ENCODE_CHUNK_BYTES);
});

test('round trips of small messages in both framings', () => {
  const messages = ['x', ' ', '\n', '\n##\n', '#', ']]>]]', '<rpc/>', 'é€'];
  for (const framing of ['end-of-message', 'chunked'] as const) {
    const stream = Buffer.concat([encodeMessage(HELLO, 'end-of-message'), ...messages.map((m) => encodeMessage(m, framing, 2))]);
    const decoded = runSession(oneByteAtATime(stream), framing);
    assert.deepEqual(decoded.map((m) => m.toString('utf8')), [HELLO, ...messages], framing);
  }
});

test('round trips of 1 MB messages in both framings, whole and in uneven pieces', () => {
  const random = seededRandom(1);
  const binary = randomBody(random, 1024 * 1024);
  const text = bytes('<data>' + 'interface eth0 mtu 1500 '.repeat(43_690) + '</data>');
  for (const [framing, body] of [['chunked', binary], ['end-of-message', text]] as const) {
    const stream = Buffer.concat([encodeMessage(HELLO, 'end-of-message'), encodeMessage(body, framing), encodeMessage(body, framing)]);
    for (const pieces of [[stream], splitAt(stream, randomOffsets(random, stream.length)), splitAt(stream, Array.from({ length: 1000 }, (_, i) => i * 2099))]) {
      const decoded = runSession(pieces, framing);
      assert.equal(decoded.length, 3, framing);
      assert.ok(body.equals(decoded[1] ?? Buffer.alloc(0)), `${framing}: first copy`);
      assert.ok(body.equals(decoded[2] ?? Buffer.alloc(0)), `${framing}: second copy`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Fuzz: deterministic seeds, random messages, chunkings and split points

test('fuzz: random messages, chunk sizes and splits decode to the originals', () => {
  const random = seededRandom(20240601);
  for (let round = 0; round < 400; round++) {
    const framing: NetconfFraming = round % 2 === 0 ? 'chunked' : 'end-of-message';
    const messages: Buffer[] = [];
    const frames: Buffer[] = [encodeMessage(HELLO, 'end-of-message')];
    const count = randomInt(random, 1, 6);
    while (messages.length < count) {
      const length = random() < 0.1 ? randomInt(random, 1, 5000) : randomInt(random, framing === 'chunked' ? 1 : 0, 80);
      const body = randomBody(random, length);
      const chunkBytes = random() < 0.5 ? randomInt(random, 1, 12) : randomInt(random, 1, 6000);
      let frame: Buffer;
      try {
        frame = encodeMessage(body, framing, chunkBytes);
      } catch (error) {
        // End-of-message framing cannot carry a body holding the delimiter; draw another.
        assert.ok(error instanceof ConfdError && error.code === 'INTERNAL' && framing === 'end-of-message');
        continue;
      }
      messages.push(body);
      frames.push(frame);
    }
    const stream = Buffer.concat(frames);
    const decoded = runSession(splitAt(stream, randomOffsets(random, stream.length)), framing);
    assert.equal(decoded.length, messages.length + 1, `round ${round}`);
    messages.forEach((body, i) => assert.ok(body.equals(decoded[i + 1] ?? Buffer.alloc(0)), `round ${round}, message ${i}`));
  }
});

test('fuzz: a corrupted chunked stream yields exactly what RFC 6242 reads in it, or a clean framing error, however it is split', () => {
  const random = seededRandom(99);
  const outcomes = { error: 0, messages: 0, pending: 0 };
  for (let round = 0; round < 300; round++) {
    const frames = Array.from({ length: randomInt(random, 1, 4) }, () => encodeMessage(randomBody(random, randomInt(random, 1, 60)), 'chunked', randomInt(random, 1, 20)));
    const stream = Buffer.concat(frames);
    // Flip, drop or insert a few bytes.
    let corrupted = Buffer.from(stream);
    for (let edits = randomInt(random, 1, 3); edits > 0; edits--) {
      const at = randomInt(random, 0, corrupted.length - 1);
      const kind = randomInt(random, 0, 2);
      if (kind === 0) corrupted[at] = randomBody(random, 1)[0] as number;
      else if (kind === 1) corrupted = Buffer.concat([corrupted.subarray(0, at), corrupted.subarray(at + 1)]);
      else corrupted = Buffer.concat([corrupted.subarray(0, at), randomBody(random, 1), corrupted.subarray(at)]);
    }
    const expected = readChunked(corrupted, 200);
    outcomes[expected.code !== undefined ? 'error' : expected.pending ? 'pending' : 'messages']++;
    for (const pieces of [oneByteAtATime(corrupted), splitAt(corrupted, randomOffsets(random, corrupted.length)), [corrupted]]) {
      const got = decodeOrFail(chunkedFramer({ maxMessageBytes: 200 }), pieces);
      assert.equal(got.code, expected.code, `round ${round}`);
      if (got.code === undefined) {
        assert.deepEqual(got.messages, expected.messages, `round ${round}: exactly the messages the stream holds`);
      } else {
        // A push that fails discards what it completed, so a coarser split may return fewer messages.
        assert.deepEqual(got.messages, expected.messages.slice(0, got.messages.length), `round ${round}`);
      }
    }
  }
  // The corruptions reach every outcome: refused, still decoding, and a message left unfinished.
  assert.ok(outcomes.error > 100 && outcomes.messages > 0 && outcomes.pending > 0, JSON.stringify(outcomes));
});

/**
 * RFC 6242 §4.2 chunked framing read with regular expressions over the whole stream, apart
 * from the framer's state machine: the complete messages, the framing error at the first
 * byte that breaks the grammar (a message above `limit` bytes: NC_TOO_BIG), or an unfinished
 * message at the end (`pending`).
 */
function readChunked(stream: Buffer, limit: number): { messages: string[]; code: ErrorCode | undefined; pending: boolean } {
  const text = stream.toString('latin1');
  const messages: string[] = [];
  let body = '';
  let pos = 0;
  const header = /\n#([1-9][0-9]*)\n/y;
  const end = /\n##\n/y;
  for (;;) {
    if (pos === text.length) return { messages, code: undefined, pending: body !== '' };
    header.lastIndex = pos;
    end.lastIndex = pos;
    const h = header.exec(text);
    if (h) {
      const size = Number(h[1]);
      if (size > 4294967295) return { messages, code: 'NC_MALFORMED', pending: false };
      if (body.length + size > limit) return { messages, code: 'NC_TOO_BIG', pending: false };
      const data = text.slice(header.lastIndex, header.lastIndex + size);
      body += data;
      pos = header.lastIndex + data.length;
      if (data.length < size) return { messages, code: undefined, pending: true };
    } else if (end.exec(text)) {
      if (body === '') return { messages, code: 'NC_MALFORMED', pending: false };
      messages.push(body);
      body = '';
      pos = end.lastIndex;
    } else {
      // Neither a header nor the end marker: an error, unless the stream ends in a prefix of one.
      const rest = text.slice(pos);
      const prefix = /^\n(#([1-9][0-9]*|#)?)?$/.exec(rest);
      return prefix && Number(prefix[2] ?? 0) <= 4294967295 ? { messages, code: undefined, pending: true } : { messages, code: 'NC_MALFORMED', pending: false };
    }
  }
}

function decodeOrFail(framer: NetconfFramer, pieces: readonly Buffer[]): { messages: string[]; code: ErrorCode | undefined } {
  const messages: string[] = [];
  try {
    for (const piece of pieces) messages.push(...texts(framer.push(piece)));
  } catch (error) {
    assert.ok(error instanceof ConfdError, 'only ConfdError escapes the framer');
    return { messages, code: error.code };
  }
  return { messages, code: undefined };
}
