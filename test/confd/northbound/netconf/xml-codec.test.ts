/**
 * Tests of the XML codec: namespaces, hostile input (DOCTYPE, entities, depth, size), text
 * decoding, and the reply writer. Asserts error codes, never message text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfdError, type ErrorCode } from '../../../../confd/core/errors.js';
import { NETCONF_BASE_NS, attribute, child, type XmlElement } from '../../../../confd/northbound/netconf/xml-element.js';
import {
  XmlWriter, escapeAttr, escapeText, parseXml, writeXml, type XmlLimits,
} from '../../../../confd/northbound/netconf/xml-codec.js';

const LIMITS: XmlLimits = { maxBytes: 1 << 20, maxDepth: 32 };

function parse(xml: string | Uint8Array, limits: XmlLimits = LIMITS): XmlElement {
  return parseXml(xml, limits);
}

function rejects(xml: string | Uint8Array, code: ErrorCode, limits: XmlLimits = LIMITS): void {
  assert.throws(() => parseXml(xml, limits), (e: unknown) => e instanceof ConfdError && e.code === code);
}

function only(el: XmlElement | undefined): XmlElement {
  assert.ok(el);
  return el;
}

test('the default namespace applies to the element and its unprefixed descendants', () => {
  const root = parse(`<rpc xmlns="${NETCONF_BASE_NS}" message-id="7"><get-config><source><running/></source></get-config></rpc>`);
  assert.equal(root.name, 'rpc');
  assert.equal(root.ns, NETCONF_BASE_NS);
  const running = only(child(only(child(only(child(root, 'get-config')), 'source')), 'running'));
  assert.equal(running.ns, NETCONF_BASE_NS);
  assert.equal(attribute(root, '', 'message-id'), '7');
});

test('prefixed names resolve through their declarations; unprefixed attributes have no namespace', () => {
  const root = parse(
    `<nc:rpc xmlns:nc="${NETCONF_BASE_NS}" nc:message-id="1" plain="x"><nc:edit-config/><if:interfaces xmlns:if="urn:appliance:interfaces"/></nc:rpc>`,
  );
  assert.deepEqual([root.name, root.ns], ['rpc', NETCONF_BASE_NS]);
  assert.deepEqual(root.attributes, [
    { ns: NETCONF_BASE_NS, name: 'message-id', value: '1', qname: 'nc:message-id' }, { ns: '', name: 'plain', value: 'x', qname: 'plain' },
  ]);
  // Declarations are kept apart, so a reply can echo them (RFC 6241 §4.2).
  assert.deepEqual(root.declarations?.map((d) => [d.qname, d.value]), [['xmlns:nc', NETCONF_BASE_NS]]);
  assert.deepEqual(root.children.map((c) => [c.name, c.ns]), [['edit-config', NETCONF_BASE_NS], ['interfaces', 'urn:appliance:interfaces']]);
});

test('xmlns declarations are not reported as attributes', () => {
  const root = parse('<a xmlns="urn:x" xmlns:p="urn:p"/>');
  assert.deepEqual(root.attributes, []);
});

test('redeclaration is scoped: an inner default or prefix binding ends with its element', () => {
  const root = parse(
    '<a xmlns="urn:one" xmlns:p="urn:p1"><b xmlns="urn:two" xmlns:p="urn:p2"><c/><p:d/></b><e/><p:f/><g xmlns=""><h/></g></a>',
  );
  const b = only(child(root, 'b'));
  assert.equal(b.ns, 'urn:two');
  assert.equal(only(child(b, 'c')).ns, 'urn:two');
  assert.equal(only(child(b, 'd')).ns, 'urn:p2');
  assert.equal(only(child(root, 'e')).ns, 'urn:one');
  assert.equal(only(child(root, 'f')).ns, 'urn:p1');
  const g = only(child(root, 'g'));
  assert.equal(g.ns, '');
  assert.equal(only(child(g, 'h')).ns, '');
});

test('the xml prefix is predeclared', () => {
  const root = parse('<a xml:lang="en"/>');
  assert.deepEqual(root.attributes, [{ ns: 'http://www.w3.org/XML/1998/namespace', name: 'lang', value: 'en', qname: 'xml:lang' }]);
});

test('an undeclared prefix on an element or attribute is malformed', () => {
  rejects('<p:a/>', 'NC_MALFORMED');
  rejects('<a><p:b/></a>', 'NC_MALFORMED');
  rejects('<a p:x="1"/>', 'NC_MALFORMED');
  // A declaration on a sibling is out of scope.
  rejects('<a><b xmlns:p="urn:p"/><p:c/></a>', 'NC_MALFORMED');
});

test('misused namespace declarations are malformed', () => {
  rejects('<a xmlns:p=""/>', 'NC_MALFORMED');
  rejects('<a xmlns:xml="urn:other"/>', 'NC_MALFORMED');
  rejects('<a xmlns:xmlns="urn:other"/>', 'NC_MALFORMED');
  rejects('<a:b:c xmlns:a="urn:a"/>', 'NC_MALFORMED');
  rejects('<a xmlns:p="urn:x" xmlns:q="urn:x" p:v="1" q:v="2"/>', 'NC_MALFORMED');
});

test('DOCTYPE is refused outright', () => {
  rejects('<!DOCTYPE rpc><rpc/>', 'NC_MALFORMED');
  rejects('<?xml version="1.0"?>\n<!DOCTYPE rpc SYSTEM "file:///etc/passwd"><rpc/>', 'NC_MALFORMED');
});

test('billion laughs is refused fast and never expanded', () => {
  let decl = '<!ENTITY lol "lol">';
  for (let i = 1; i <= 9; i++) decl += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
  const xml = `<?xml version="1.0"?><!DOCTYPE lolz [${decl}]><lolz>&lol9;</lolz>`;
  const started = performance.now();
  rejects(xml, 'NC_MALFORMED');
  assert.ok(performance.now() - started < 50, 'rejection must not depend on expansion');
  // Without the DOCTYPE, an entity declaration anywhere is still refused.
  rejects('<a><!ENTITY x "y"></a>', 'NC_MALFORMED');
});

test('only built-in entities and character references are decoded', () => {
  const root = parse('<a t="&quot;1&quot; &amp; &#x41;&#66;">&lt;b&gt; &amp; &apos;c&apos; &quot;d&quot; &#x263A; &#65;</a>');
  assert.equal(root.text, "<b> & 'c' \"d\" \u263A A");
  assert.equal(attribute(root, '', 't'), '"1" & AB');
  rejects('<a>&nbsp;</a>', 'NC_MALFORMED');
  rejects('<a>&ext;</a>', 'NC_MALFORMED');
  rejects('<a v="&bogus;"/>', 'NC_MALFORMED');
  rejects('<a>&#0;</a>', 'NC_MALFORMED');
  rejects('<a>&#xD800;</a>', 'NC_MALFORMED');
});

test('CDATA is kept verbatim and joins the surrounding text', () => {
  const root = parse('<a>x <![CDATA[<b>&amp;</b>]]> y</a>');
  assert.equal(root.text, 'x <b>&amp;</b> y');
  assert.deepEqual(root.children, []);
});

test('text is kept exactly, except that whitespace-only text is empty', () => {
  const root = parse('<a>\n  <d>  leading and trailing  </d>\n  <e>   </e>\n  <f/>\n  <g>0012</g><h>true</h>\n</a>');
  assert.equal(root.text, '');
  assert.deepEqual(root.children.map((c) => c.text), ['  leading and trailing  ', '', '', '0012', 'true']);
  assert.equal(typeof only(child(root, 'g')).text, 'string');
});

test('line ends are normalised, and character references survive', () => {
  assert.equal(parse('<a>x\r\ny\rz&#13;</a>').text, 'x\ny\nz\r');
  assert.equal(attribute(parse('<a v="1\t2\n3&#10;"/>'), '', 'v'), '1 2 3\n');
});

test('children keep document order, repeated names included', () => {
  const root = parse('<l><i>1</i><j/><i>2</i><i>3</i></l>');
  assert.deepEqual(root.children.map((c) => `${c.name}${c.text}`), ['i1', 'j', 'i2', 'i3']);
});

test('the XML declaration, comments and processing instructions are not content', () => {
  const root = parse('<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a><!-- inner <!x> --><?pi data?><b>1</b><![CDATA[]]></a>\n');
  assert.equal(root.name, 'a');
  assert.deepEqual(root.children.map((c) => c.name), ['b']);
});

test('bytes are decoded as UTF-8; invalid UTF-8 is malformed; a BOM is skipped', () => {
  const root = parse(Buffer.from('\uFEFF<a>caf\u00e9 \u263A</a>', 'utf8'));
  assert.equal(root.text, 'caf\u00e9 \u263A');
  assert.equal(parse('\uFEFF<a/>').name, 'a');
  rejects(Uint8Array.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e]), 'NC_MALFORMED');
});

test('XML that is not well-formed is NC_MALFORMED', () => {
  for (const xml of [
    '', '   ', 'text', '<a>', '<a></b>', '<a><b></a></b>', '<a/><b/>', '<a></a><b></a>', '<a>x</a>junk',
    '<a b></a>', '<a b="1" b="2"/>', '<a b="<"/>', '<a>&</a>', '<a>\u0001</a>', '<a><![CDATA[x</a>', '<1a/>',
    '<a><!-- x</a>', '<constructor/>', '<a><!-- x -- y --></a>', '<a><![CDATy]]></a>', '<a><!ELEMENT a ANY></a>',
    '<?xml versio="1.0"?><a/>', '<?xml version="2"?><a/>', '<?xml version="1.0" encoding="ISO-8859-1"?><a/>',
  ]) {
    rejects(xml, 'NC_MALFORMED');
  }
});

test('depth over the limit is NC_TOO_BIG', () => {
  const nest = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
  assert.equal(parse(nest(5), { maxBytes: 1000, maxDepth: 5 }).name, 'a');
  rejects(nest(6), 'NC_TOO_BIG', { maxBytes: 1000, maxDepth: 5 });
  // Deep enough to break a recursive parser: refused, not a stack overflow.
  rejects(nest(200_000), 'NC_TOO_BIG', { maxBytes: 2_000_000, maxDepth: 64 });
});

test('size over the limit is NC_TOO_BIG, counted in UTF-8 bytes', () => {
  const xml = '<a>' + 'x'.repeat(100) + '</a>';
  assert.equal(parse(xml, { maxBytes: xml.length, maxDepth: 4 }).name, 'a');
  rejects(xml, 'NC_TOO_BIG', { maxBytes: xml.length - 1, maxDepth: 4 });
  rejects(Buffer.from(xml), 'NC_TOO_BIG', { maxBytes: xml.length - 1, maxDepth: 4 });
  const wide = '<a>' + '\u00e9'.repeat(100) + '</a>'; // 107 characters, 207 bytes
  assert.equal(parse(wide, { maxBytes: 207, maxDepth: 4 }).name, 'a');
  rejects(wide, 'NC_TOO_BIG', { maxBytes: 206, maxDepth: 4 });
});

test('element count over the limit is NC_TOO_BIG', () => {
  const xml = '<a>' + '<b/>'.repeat(10) + '</a>';
  assert.equal(parse(xml, { ...LIMITS, maxElements: 11 }).children.length, 10);
  rejects(xml, 'NC_TOO_BIG', { ...LIMITS, maxElements: 10 });
});

test('attributes per element over the limit are NC_TOO_BIG, counted before parsing, bytes or text', () => {
  const attrs = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}='x>'`).join('');
  const ok = `<a${attrs(4)}><!-- "<b x='1'>" --><![CDATA[<c "">]]><b${attrs(4)}/></a>`;
  assert.equal(parse(ok, { ...LIMITS, maxAttributes: 4 }).attributes.length, 4);
  rejects(`<a${attrs(5)}/>`, 'NC_TOO_BIG', { ...LIMITS, maxAttributes: 4 });
  rejects(Buffer.from(`<a><b${attrs(5)}/></a>`), 'NC_TOO_BIG', { ...LIMITS, maxAttributes: 4 });
  // Comments and CDATA hold no elements: they are skipped by the count.
  assert.equal(parse(Buffer.from(ok), { ...LIMITS, maxElements: 2 }).children.length, 1);
  rejects(Buffer.from('<a>' + '<b/>'.repeat(10) + '</a>'), 'NC_TOO_BIG', { ...LIMITS, maxElements: 10 });
});

test('escapeText and escapeAttr make any string safe to write', () => {
  assert.equal(escapeText('a<b>&c]]>\r'), 'a&lt;b&gt;&amp;c]]&gt;&#13;');
  assert.equal(escapeText('plain text'), 'plain text');
  assert.equal(escapeAttr('"x"\t<&>\n'), '&quot;x&quot;&#9;&lt;&amp;&gt;&#10;');
  const nasty = ' a <b> & "c" \'d\' \r\n\t]]> ';
  const root = parse(`<a v="${escapeAttr(nasty)}">${escapeText(nasty)}</a>`);
  assert.equal(root.text, nasty);
  assert.equal(attribute(root, '', 'v'), nasty);
});

test('writeXml writes a parsed tree back with its namespaces and attributes', () => {
  const xml = `<rpc xmlns="${NETCONF_BASE_NS}" message-id="1" xmlns:x="urn:x" x:tag="t&amp;"><edit-config><config>`
    + '<interfaces xmlns="urn:appliance:interfaces"><interface><name>eth0</name><description>a &lt; b</description></interface></interfaces>'
    + '</config></edit-config></rpc>';
  // Prefixes are the writer's own (a0…): compare names, namespaces, values and text, not spellings.
  const meaning = (el: XmlElement): unknown => ({
    name: el.name, ns: el.ns, text: el.text,
    attributes: el.attributes.map((a) => [a.ns, a.name, a.value]), children: el.children.map(meaning),
  });
  const tree = parse(xml);
  const written = writeXml(tree);
  assert.deepEqual(meaning(parse(written)), meaning(tree));
  assert.ok(!written.includes('\n'));
});

test('XmlWriter builds compact replies and checks nesting', () => {
  const xml = new XmlWriter()
    .start('rpc-reply', { xmlns: NETCONF_BASE_NS, 'message-id': '4"2' })
    .start('rpc-error').leaf('error-type', 'application').leaf('error-message', 'a < b').empty('error-info').end()
    .raw('<data/>')
    .end()
    .toString();
  assert.equal(xml, `<rpc-reply xmlns="${NETCONF_BASE_NS}" message-id="4&quot;2"><rpc-error><error-type>application</error-type>`
    + '<error-message>a &lt; b</error-message><error-info/></rpc-error><data/></rpc-reply>');
  assert.equal(attribute(parse(xml), '', 'message-id'), '4"2');
  assert.throws(() => new XmlWriter().start('a').toString(), (e: unknown) => e instanceof ConfdError && e.code === 'INTERNAL');
  assert.throws(() => new XmlWriter().end(), (e: unknown) => e instanceof ConfdError && e.code === 'INTERNAL');
});
