/**
 * Five editors at once, in a seeded random order (the seed is printed; set TEST_SEED to
 * replay): three CLI sessions (shared `configure`, `configure private`, `configure
 * exclusive` attempts, through the CLI's own session over the socket method table) and two
 * NETCONF sessions on the wire (an ssh2 client logged in with a password to the appliance's
 * SSH listener on loopback, the `netconf` subsystem, edit-config and commit on the shared
 * candidate), editing overlapping and disjoint leaves and committing for a bounded number of
 * rounds. Every write has a unique value, and the test keeps a ledger:
 * afterwards every committed write is in running unless a later committed write replaced
 * it, every other write was reported to its author (a refused set, a failed commit) or told
 * by name when discarded, and no pending write vanished from its candidate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliSession, type Backend } from '../../../cli/index.js';
import { hashPassword } from '../../../confd/auth/passwords.js';
import { SCHEMAS_DIR } from '../../../confd/main/app-paths.js';
import { NetconfServer } from '../../../confd/northbound/netconf/server.js';
import { MethodTable } from '../../../confd/northbound/socket/methods.js';
import { publishedModules } from '../../../confd/schema/yang-files.js';
import { SshServer } from '../../../confd/ssh/server.js';
import ssh2 from 'ssh2';
import { join } from 'node:path';
import { NETCONF_BASE_NS, type XmlElement } from '../../../confd/northbound/netconf/xml-element.js';
import { kids } from '../../helpers/netconf-rig.js';
import { PASSWORD, connectNetconf, type SshNetconf } from '../../security/ssh-netconf.js';
import { Operations } from '../../../confd/rpc/operations.js';
import type { Session } from '../../../confd/txn/session.js';
import { openTestDevice, quietLogger } from '../../helpers/device.js';
import { ifPath, settleEngine } from '../../helpers/engine-fixtures.js';
import { randomInt, seededRandom } from '../../helpers/random.js';

type State = 'pending' | 'committed' | 'reported' | 'told' | 'superseded';
interface Write { readonly author: string; readonly iface: string; readonly value: string; readonly shared: boolean; state: State; seq?: number }

const ROUNDS = 120;
const SHARED_LEAVES = ['eth0', 'eth1', 'eth2'];

/** The error-messages of an <rpc-reply> (none for <ok/>), and whether one has the error-tag `tag`. */
function replyProblems(reply: XmlElement): { messages: string[]; tags: string[] } {
  const errors = kids(reply, 'rpc-error', NETCONF_BASE_NS);
  const text = (e: XmlElement, n: string) => kids(e, n, NETCONF_BASE_NS)[0]?.text.trim() ?? '';
  return { messages: errors.map((e) => text(e, 'error-message')), tags: errors.map((e) => text(e, 'error-tag')) };
}

test('three CLI and two NETCONF (SSH) editors in random order: no committed change lost, no pending change vanished untold', { timeout: 240_000 }, async () => {
  const seed = Number(process.env.TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`concurrent-editing seed ${seed} (TEST_SEED=${seed} replays it)`);
  const random = seededRandom(seed);
  const device = await openTestDevice();
  const engine = device.engine;
  const ops = new Operations(engine, quietLogger);
  const methods = new MethodTable();
  const users = { shared: 'ann', private: 'pia', exclusive: 'eve', nc1: 'nick', nc2: 'nora' };
  const all = Object.values(users);
  const setup = ops.openSession({ user: 'setup', source: 'socket', address: 'local' });
  const hash = await hashPassword(PASSWORD);
  await ops.editConfig(setup, { system: { users: { user: all.map((name) => ({ name, role: 'admin', 'password-hash': hash })) } } });
  await ops.editConfig(setup, { interfaces: { interface: [...SHARED_LEAVES, ...all.map((u) => `if-${u}`)].map((name) => ({ name, description: 'initial' })) } });
  await ops.commit(setup);

  const sessions = new Map<string, Session>();
  const cli = new Map<string, { run(line: string): Promise<{ status: number; out: string }>; session: CliSession }>();
  for (const user of [users.shared, users.private, users.exclusive]) {
    const s = ops.openSession({ user, source: 'cli', address: 'local' });
    sessions.set(user, s);
    const backend: Backend = { request: async <T>(m: string, p: Record<string, unknown> = {}) => (await methods.call({ ops, session: s }, m, p)) as T };
    let out = '';
    const session = await CliSession.open({ backend, user, output: { write: (t: string) => { out += t; } } });
    cli.set(user, { session, run: async (line) => { out = ''; const r = await session.execute(line); return { status: r.status, out }; } });
  }
  // The appliance's SSH listener with NETCONF on loopback, on this engine; the two NETCONF editors log in over it.
  const netconfServer = new NetconfServer({
    ops, log: quietLogger, state: { engine, softwareVersion: 'test', sysClassNet: join(device.dir, 'no-sys-class-net') },
    modules: publishedModules(SCHEMAS_DIR, engine.schema.version),
  });
  const ssh = new SshServer({ hostKey: ssh2.utils.generateKeyPairSync('ed25519').private, engine, netconf: netconfServer, log: quietLogger });
  const [bound] = await ssh.listen(0, ['127.0.0.1']);
  const nc = new Map<string, SshNetconf>();
  for (const user of [users.nc1, users.nc2]) nc.set(user, await connectNetconf(bound!.port, user, PASSWORD, 30_000));

  const ledger: Write[] = [];
  let seq = 0;
  let round = 0;
  const pendingOf = (pred: (w: Write) => boolean) => ledger.filter((w) => w.state === 'pending' && pred(w));
  const desc = (iface: string, view: 'running' | 'candidate', s?: Session) =>
    (engine.view(view, s).get(ifPath(iface))?.body.description as string | undefined);

  function noteSet(author: string, iface: string, value: string, shared: boolean): void {
    for (const w of pendingOf((w) => w.iface === iface && w.shared === shared && (shared || w.author === author))) w.state = 'superseded';
    ledger.push({ author, iface, value, shared, state: 'pending' });
  }
  function noteCommitted(shared: boolean, author: string): void {
    seq++;
    const batch = pendingOf((w) => w.shared === shared && (shared || w.author === author));
    for (const w of batch) { w.state = 'committed'; w.seq = seq; }
    // Right after the commit, what it carried is in running.
    for (const w of batch) assert.equal(desc(w.iface, 'running'), w.value, `seed ${seed} round ${round}: ${w.author}'s ${w.iface}=${w.value} committed but not in running`);
  }
  /** After a shared conflict, the shared CLI session discards with `rollback 0`, which names every author. */
  async function resolveShared(): Promise<void> {
    const ann = cli.get(users.shared)!;
    if (ann.session.state.mode !== 'configuration') {
      const r = await ann.run('configure');
      if (r.status !== 0) return;
    }
    const owners = new Set(pendingOf((w) => w.shared).map((w) => w.author));
    const r = await ann.run('rollback 0');
    assert.equal(r.status, 0, r.out);
    for (const who of owners) {
      if (who !== users.shared) assert.match(r.out, new RegExp(`changes of .*\\b${who} \\(session`), `seed ${seed}: the discard names ${who}`);
    }
    for (const w of pendingOf((w) => w.shared)) w.state = 'told';
  }
  const pick = <T>(xs: readonly T[]): T => xs[randomInt(random, 0, xs.length - 1)]!;
  const leafFor = (user: string) => (random() < 0.6 ? pick(SHARED_LEAVES) : `if-${user}`);

  async function cliStep(user: string): Promise<void> {
    const c = cli.get(user)!;
    const shared = user !== users.private;
    if (c.session.state.mode !== 'configuration') {
      const how = user === users.shared ? 'configure' : user === users.private ? 'configure private' : 'configure exclusive';
      const r = await c.run(how);
      if (r.status !== 0) { assert.match(r.out, /error: configuration database (locked by session \d+ \(\w+|modified)/); return; }
    }
    const edits = user === users.exclusive ? 2 : 1;
    for (let i = 0; i < edits; i++) {
      const iface = leafFor(user);
      const value = `${user}-${round}-${i}`;
      const r = await c.run(`set interfaces interface ${iface} description ${value}`);
      if (r.status === 0) noteSet(user, iface, value, shared);
      else ledger.push({ author: user, iface, value, shared, state: 'reported' });
    }
    if (user === users.exclusive || random() < 0.4) {
      const r = await c.run('commit');
      if (r.status === 0) noteCommitted(shared, user);
      else if (/conflict/.test(r.out)) {
        if (shared) await resolveShared();
        else {
          for (const w of pendingOf((w) => !w.shared)) w.state = 'reported';
          assert.equal((await c.run('exit discard')).status, 0);
        }
      }
    }
    // The exclusive editor holds the lock for one round at most; a private one leaves now and then.
    // (A private editor whose commit conflicted has left already.)
    if ((user === users.exclusive || (user === users.private && random() < 0.3)) && c.session.state.mode === 'configuration') {
      if (user === users.private) for (const w of pendingOf((w) => !w.shared)) w.state = 'told';
      const r = await c.run('exit discard');
      assert.equal(r.status, 0, r.out);
      if (user === users.exclusive) for (const w of pendingOf((w) => w.shared)) w.state = 'told';
    }
  }

  async function netconfStep(user: string): Promise<void> {
    const c = nc.get(user)!.nc;
    const iface = leafFor(user);
    const value = `${user}-${round}`;
    const edit = await c.rpc('<edit-config><target><candidate/></target><config><interfaces xmlns="urn:appliance:interfaces">'
      + `<interface><name>${iface}</name><description>${value}</description></interface></interfaces></config></edit-config>`);
    const editProblems = replyProblems(edit);
    if (editProblems.tags.length === 0) noteSet(user, iface, value, true);
    else {
      assert.deepEqual(editProblems.tags, ['in-use'], `seed ${seed}: ${JSON.stringify(editProblems)}`);
      ledger.push({ author: user, iface, value, shared: true, state: 'reported' });
    }
    if (random() < 0.4) {
      const commit = replyProblems(await c.rpc('<commit/>'));
      if (commit.tags.length === 0) noteCommitted(true, user);
      else if (commit.messages.some((m) => /changed by another session/.test(m))) await resolveShared();
      else assert.deepEqual(commit.tags, ['in-use'], `seed ${seed}: ${JSON.stringify(commit)}`);
    }
  }

  try {
    for (round = 0; round < ROUNDS; round++) {
      const user = pick(all);
      if (user === users.nc1 || user === users.nc2) await netconfStep(user);
      else await cliStep(user);
    }

    // Every committed write is in running unless a later committed write to the same leaf replaced it.
    const lastCommitted = new Map<string, Write>();
    for (const w of ledger) if (w.state === 'committed' && (lastCommitted.get(w.iface)?.seq ?? -1) <= w.seq!) lastCommitted.set(w.iface, w);
    for (const [iface, w] of lastCommitted) assert.equal(desc(iface, 'running'), w.value, `seed ${seed}: ${iface}`);
    // Every pending write is still in its candidate.
    for (const w of pendingOf(() => true)) {
      const view = w.shared ? desc(w.iface, 'candidate') : desc(w.iface, 'candidate', sessions.get(w.author));
      assert.equal(view, w.value, `seed ${seed}: ${w.author}'s pending ${w.iface}=${w.value} vanished`);
    }
    const counts = Object.fromEntries((['committed', 'reported', 'told', 'superseded', 'pending'] as const).map((s) => [s, ledger.filter((w) => w.state === s).length]));
    console.log(`concurrent-editing: ${ledger.length} writes ${JSON.stringify(counts)}`);
    assert.ok(counts.committed! > 10, 'enough commits happened to mean something');
    assert.ok(ledger.some((w) => (w.author === users.nc1 || w.author === users.nc2) && w.state === 'committed'), 'a NETCONF commit over SSH landed');
  } finally {
    // Also after a failed assertion: open SSH sessions would keep the test process alive.
    for (const n of nc.values()) n.close();
    await ssh.close();
    netconfServer.closeAll();
    await settleEngine(engine);
    device.close();
  }
});
