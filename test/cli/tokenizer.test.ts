/**
 * The CLI tokenizer: words, quotes and escapes, pipes, separators, offsets, and quoting that
 * reads back unchanged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quoteWord, splitCommands, tokenize } from '../../cli/tokenizer.js';

const texts = (line: string) => tokenize(line).tokens.map((t) => t.text);

describe('tokenizer', () => {
  test('words with their offsets', () => {
    const { tokens } = tokenize('set  system hostname r1');
    assert.deepEqual(tokens.map((t) => [t.kind, t.text, t.start, t.end]), [
      ['word', 'set', 0, 3], ['word', 'system', 5, 11], ['word', 'hostname', 12, 20], ['word', 'r1', 21, 23],
    ]);
  });

  test('double and single quotes, with escapes', () => {
    assert.deepEqual(texts('set d "uplink to \\"core\\"" \'it\\\'s\' "a\\nb"'), ['set', 'd', 'uplink to "core"', "it's", 'a\nb']);
    const { tokens } = tokenize('x "a b"');
    assert.equal(tokens[1]!.quoted, true);
    assert.equal(tokens[1]!.start, 2);
    assert.equal(tokens[1]!.end, 7);
  });

  test('an unterminated quote is reported and its word runs to the end', () => {
    const t = tokenize('set description "half');
    assert.equal(t.openQuote, '"');
    assert.equal(t.tokens[2]!.text, 'half');
    assert.equal(tokenize('a "b"').openQuote, null);
  });

  test('pipes and separators are tokens of their own, unless quoted', () => {
    const { tokens } = tokenize('show|display set;commit\nexit "a|b;c"');
    assert.deepEqual(tokens.map((t) => t.kind), ['word', 'pipe', 'word', 'word', 'separator', 'word', 'separator', 'word', 'word']);
    assert.equal(tokens[8]!.text, 'a|b;c');
    assert.deepEqual(splitCommands(tokens).map((c) => c.map((t) => t.text).join(' ')), ['show | display set', 'commit', 'exit a|b;c']);
  });

  test('the brace format: blocks, statement ends, comments, newlines as spaces', () => {
    const { tokens } = tokenize('interfaces {\n  # a comment\n  interface eth0 { mtu 9000; }\n}', { braces: true });
    assert.deepEqual(tokens.map((t) => (t.kind === 'word' ? t.text : t.kind)),
      ['interfaces', 'open', 'interface', 'eth0', 'open', 'mtu', '9000', 'separator', 'close', 'close']);
  });

  test('quoteWord leaves plain words alone and quotes the rest so they read back', () => {
    assert.equal(quoteWord('eth0'), 'eth0');
    assert.equal(quoteWord('10.0.0.1/24'), '10.0.0.1/24');
    for (const v of ['uplink to core', '', 'a"b', 'semi;colon', 'pipe|x', '[', 'back\\slash', 'tab\there', 'new\nline', 'what?', "it's"]) {
      const q = quoteWord(v);
      assert.notEqual(q, v === '' ? '' : undefined);
      const { tokens, openQuote } = tokenize(`set ${q} end`);
      assert.equal(openQuote, null);
      assert.equal(tokens.length, 3, `'${q}' reads as one word`);
      assert.equal(tokens[1]!.text, v);
    }
  });
});
