/**
 * The one terminal-escaping function of the CLI and the tools.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeTerminal } from '../../../confd/core/terminal.js';

test('C0 but TAB and LF, DEL, C1 and bidi controls become \\uXXXX; printable text is untouched', () => {
  assert.equal(escapeTerminal('\u001b]0;pwned\u0007\u001b[2J\r\n\t'), '\\u001b]0;pwned\\u0007\\u001b[2J\\u000d\n\t');
  assert.equal(escapeTerminal('a\u007fb\u009bc\u202ed\u2066e\u200ff\u061c'), 'a\\u007fb\\u009bc\\u202ed\\u2066e\\u200ff\\u061c');
  const plain = 'interfaces { interface eth0 { description "café — ok ✓"; } }\n';
  assert.equal(escapeTerminal(plain), plain);
  assert.equal(JSON.parse(escapeTerminal(JSON.stringify({ d: 'x\u009by' }))).d, 'x\u009by');
});
