/**
 * @module test/security/flood-child
 * The attacker of the message-shape tests, in its own process so that building and encrypting
 * its message does not stall the test's measurements: `node flood-child.js PORT SHAPE COUNT`
 * logs in as admin, sends one rpc of SHAPE (`attributes` or `elements`) with COUNT of them,
 * then a single-leaf read, and prints one JSON line: reply time, error-tag, attributes echoed.
 */
import { NETCONF_BASE_NS } from '../../confd/northbound/netconf/xml-element.js';
import { connectNetconf } from './ssh-netconf.js';

const [port, shape, count] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];

function message(): string {
  if (shape === 'attributes') {
    const parts: string[] = [];
    for (let i = 0; i < count; i++) parts.push(` a${i}="x"`);
    return `<rpc message-id="1" xmlns="${NETCONF_BASE_NS}"${parts.join('')}><get-config><source><running/></source></get-config></rpc>`;
  }
  return `<rpc message-id="1" xmlns="${NETCONF_BASE_NS}"><get>${'<a/>'.repeat(count)}</get></rpc>`;
}

const s = await connectNetconf(port, 'admin', process.env.APPLIANCE_ADMIN_PASSWORD, 60_000);
const xml = message();
const t0 = performance.now();
s.nc.send(xml);
const reply = await s.nc.nextReply();
const replyMs = performance.now() - t0;
const errorTag = reply.children.find((c) => c.name === 'rpc-error')?.children.find((c) => c.name === 'error-tag')?.text;
const after = await s.nc.rpc('<get-config><source><running/></source></get-config>');
process.stdout.write(JSON.stringify({ replyMs, errorTag, echoed: reply.attributes.length, stillWorks: after.children[0]?.name === 'data' }) + '\n');
s.close();
