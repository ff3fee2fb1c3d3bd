/**
 * The change bus end to end (issue 5): real `appliance start` processes, the real Unix socket,
 * subscribers as child processes (test/fixtures/subscriber-child.ts) or as ConfigSubscribers in
 * this process, and the example daemon under the supervisor. Every wait is a poll with a
 * deadline; commits go through one SocketClient session (config.edit + commit) unless a test is
 * about the command-line tools.
 */
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ConfdError, ConfigSubscriber, SocketClient, type ChangeEvent, type JsonObject, type LeafChange } from '../../confd/api/index.js';
import { APPLIANCE_BIN, runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { hashPassword } from '../../confd/auth/passwords.js';
import { tempDir } from '../helpers/device.js';
import { seededRandom } from '../helpers/random.js';
import type { ChildOptions } from '../fixtures/subscriber-child.js';

const CHILD = fileURLToPath(new URL('../fixtures/subscriber-child.js', import.meta.url));

const ETH1 = "/interfaces/interface[name='eth1']";
const ETH10 = "/interfaces/interface[name='eth10']";
const RULE5 = "/firewall/rule[sequence='5']";
const BOB = "/system/users/user[name='bob']";

// ---- small helpers ----

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined/false; fails after `timeoutMs`. */
async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The spec of path prefixes, written here independently of confd/notify/matcher. */
function under(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}[`);
}
function wanted(prefixes: readonly string[], path: string): boolean {
  return prefixes.some((p) => under(path, p) || under(p, path));
}

const changeKey = (c: LeafChange) => `${c.path} ${c.op}`;
const sortChanges = (cs: readonly LeafChange[]) => [...cs].sort((a, b) => changeKey(a).localeCompare(changeKey(b)));

/**
 * The device schema version the running appliance uses (from the socket's hello). The tests
 * avoid what differs between versions, except NTP servers, which the example daemon is about:
 * a leaf-list of names in v1, a list of entries keyed by address in v2.
 */
let schemaVersion = 1;
async function helloSchemaVersion(socket: string): Promise<number> {
  const s = connect(socket);
  await once(s, 'connect');
  s.write(`${JSON.stringify({ id: 1, method: 'hello', params: { user: 'admin' } })}\n`);
  let text = '';
  for await (const chunk of s) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  s.destroy();
  return (JSON.parse(text.slice(0, text.indexOf('\n'))) as { result: { schemaVersion: number } }).result.schemaVersion;
}
/** The value of /system/ntp/server for these server names, in the running schema. */
const ntpServers = (names: readonly string[]) => (schemaVersion >= 2 ? names.map((address) => ({ address })) : [...names]);
/** The server names of an exported /system/ntp. */
const ntpNames = (ntp: JsonObject | undefined) =>
  ((ntp?.server ?? []) as Array<string | { address: string }>).map((x) => (typeof x === 'string' ? x : x.address));

/** The device user of this process on the local socket (its uid's: root, or its login name). */
const ME = process.getuid!() === 0 ? 'root' : userInfo().username;

/** One tool session on the appliance's socket. */
class Tool {
  private constructor(readonly client: SocketClient) {}

  static async connect(dataDir: string, user = 'admin'): Promise<Tool> {
    return new Tool(await SocketClient.connect(join(dataDir, 'confd.sock'), user, 'subscriptions-test'));
  }

  request<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.client.request<T>(method, params);
  }

  /** Edits and commits; the commit must change something. Returns its txid. A failed commit discards the (shared) candidate. */
  async commit(edit: JsonObject, comment?: string): Promise<number> {
    let r: { txid: number | null };
    try {
      await this.request('config.edit', { edit });
      r = await this.request<{ txid: number | null }>('commit', comment ? { comment } : {});
    } catch (e) {
      await this.request('discard').catch(() => undefined);
      throw e;
    }
    assert.notEqual(r.txid, null, `the commit of ${JSON.stringify(edit)} changed nothing`);
    return r.txid!;
  }

  /** Edits and commits, expecting the commit to be refused; discards the candidate. */
  async refused(edit: JsonObject): Promise<ConfdError> {
    await this.request('config.edit', { edit });
    let txid: unknown;
    try {
      txid = await this.request('commit', {});
    } catch (e) {
      await this.request('discard');
      assert.ok(e instanceof ConfdError, `not a coded error: ${String(e)}`);
      return e;
    }
    return assert.fail(`the commit of ${JSON.stringify(edit)} was not refused (${JSON.stringify(txid)})`);
  }

  async lastTxid(): Promise<number> {
    return (await this.request<{ commits: number }>('status')).commits;
  }

  exportConfig(): Promise<JsonObject> {
    return this.request<JsonObject>('config.export');
  }

  async subscribers(): Promise<Array<{ name: string; paths: string[]; priority: number; validate: boolean; mandatory: boolean; connected: boolean; lastAck: number; lag: number }>> {
    return this.request('subscribers');
  }

  /** Waits until the appliance no longer sees subscriber `name` as connected. */
  async untilDisconnected(name: string): Promise<void> {
    await until(`subscriber ${name} to be seen as disconnected`, async () => !(await this.subscribers()).some((s) => s.name === name && s.connected));
  }

  close(): void {
    this.client.close();
  }
}

interface ChildEvent { kind: string; txid: number; resync?: boolean; body?: string }

/** A subscriber child process (test/fixtures/subscriber-child.ts) and what it has printed. */
class SubscriberChild {
  readonly proc: ChildProcess;
  readonly events: ChildEvent[] = [];
  stderr = '';
  readonly exited: Promise<void>;

  /** With `uid`, the child runs as that uid (setpriv; the test must run as root). */
  constructor(readonly options: ChildOptions, private readonly keepBodies = false, uid?: number) {
    const argv = [process.execPath, CHILD, JSON.stringify(options)];
    const [cmd, ...args] = uid === undefined ? argv : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', ...argv];
    this.proc = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
    let buf = '';
    this.proc.stdout!.setEncoding('utf8');
    this.proc.stdout!.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        this.take(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    this.proc.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
  }

  private take(line: string): void {
    const m = /^([A-Z]+) (\d+)(?: (.*))?$/s.exec(line);
    assert.ok(m, `unexpected output from the subscriber child: ${line.slice(0, 200)}`);
    const e: ChildEvent = { kind: m[1]!, txid: Number(m[2]) };
    if (e.kind === 'CONFIG') { e.resync = m[3]!.startsWith('1'); e.body = m[3]!.slice(2); }
    if (e.kind === 'CHANGE' && this.keepBodies) e.body = m[3];
    this.events.push(e);
  }

  changes(): number[] {
    return this.events.filter((e) => e.kind === 'CHANGE').map((e) => e.txid);
  }

  has(kind: string, txid?: number): boolean {
    return this.events.some((e) => e.kind === kind && (txid === undefined || e.txid === txid));
  }

  async ready(timeoutMs = 10_000): Promise<void> {
    await until(`subscriber child ${this.options.name} to subscribe (stderr: ${this.stderr})`,
      () => this.has('READY') || (this.proc.exitCode !== null ? assert.fail(`child exited: ${this.stderr}`) : false), timeoutMs);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    await this.exited;
  }
}

/** An in-process subscriber that records everything it is sent. */
interface Recorded {
  readonly sub: ConfigSubscriber;
  readonly changes: ChangeEvent[];
  readonly configs: Array<{ config: JsonObject; txid: number; resync: boolean }>;
}

async function record(socket: string, o: Omit<Parameters<typeof ConfigSubscriber.connect>[0], 'socket' | 'onChange'>): Promise<Recorded> {
  const changes: ChangeEvent[] = [];
  const configs: Recorded['configs'] = [];
  const sub = await ConfigSubscriber.connect({
    ...o, socket,
    onChange: (e) => { changes.push(e); },
    onConfig: (config, txid, resync) => { configs.push({ config, txid, resync }); },
  });
  return { sub, changes, configs };
}

async function ok(args: readonly string[]): Promise<string> {
  const r = await runAppliance(args);
  assert.equal(r.code, 0, `appliance ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

// =====================================================================================

describe('delivery: restarts, fan-out, watch and subscribers', () => {
  const dir = tempDir('appliance-subs-a-');
  const D = ['--data-dir', dir.path];
  const socket = join(dir.path, 'confd.sock');
  let app: RunningAppliance;
  let tool: Tool;

  before(async () => {
    app = await startAppliance(dir.path);
    tool = await Tool.connect(dir.path);
    schemaVersion = await helloSchemaVersion(socket);
  });
  after(async () => {
    tool?.close();
    if (app) assert.equal(await app.stop(), 0, app.stderr());
    dir.remove();
  });

  test('a subscriber SIGKILLed and restarted with since=<last txid it printed> ends with every change, none lost', { timeout: 60_000 }, async (t) => {
    const seed = Number(process.env.SUBS_SEED ?? Date.now() % 100_000);
    const random = seededRandom(seed);
    t.diagnostic(`schedule seed ${seed} (SUBS_SEED=${seed} replays it)`);
    const name = 'kill-restart';
    const start = await tool.lastTxid();
    const runs: SubscriberChild[] = [];
    const launch = (since: number) => {
      const c = new SubscriberChild({ socket, name, paths: ['/interfaces'], since });
      runs.push(c);
      return c;
    };
    let current = launch(start);
    await current.ready();

    const expected = new Set<number>();
    let streaming = true;
    let kills = 0;
    const killer = (async () => {
      while (streaming) {
        await current.ready();
        // A random moment while the stream flows.
        await sleep(20 + random() * 150);
        if (!streaming) break;
        await current.kill('SIGKILL');
        kills++;
        // Resume after the last change the killed run printed (nothing persisted by the child).
        const printed = current.changes();
        current = launch(printed.at(-1) ?? current.options.since!);
      }
    })();

    const present = new Set<string>();
    for (let i = 0; i < 200; i++) {
      let edit: JsonObject;
      let mine = true;
      switch (i % 4) {
        case 0: edit = { interfaces: { interface: [{ name: `k${i % 7}`, description: `d${i}` }] } }; present.add(`k${i % 7}`); break;
        case 1: edit = { features: { feature: [{ name: `f${i % 5}`, description: `x${i}` }] } }; mine = false; break;
        case 2: {
          const n = `k${(i >> 2) % 7}`;
          edit = present.has(n) ? { interfaces: { interface: [{ name: n, '@op': 'remove' }] } } : { interfaces: { interface: [{ name: n, mtu: 1000 + i }] } };
          if (present.has(n)) present.delete(n); else present.add(n);
          break;
        }
        default: edit = { system: { hostname: `kr-${i}` } }; mine = false;
      }
      const txid = await tool.commit(edit);
      if (mine) expected.add(txid);
      // Pace the stream a little so that several kills and restarts land inside it.
      await sleep(6);
    }
    streaming = false;
    await killer;
    await current.ready();
    const seen = () => new Set(runs.flatMap((r) => r.changes()));
    await until('the last subscriber run to catch up', () => [...expected].every((x) => seen().has(x)), 20_000);
    t.diagnostic(`${kills} SIGKILLs, ${runs.length} runs (${runs.filter((r) => r.changes().length > 0).length} received changes), `
      + `${runs.reduce((n, r) => n + r.changes().length, 0)} deliveries of ${expected.size} changes`);
    assert.ok(kills >= 2, `the subscriber was killed only ${kills} times during the stream`);
    assert.deepEqual([...seen()].sort((a, b) => a - b), [...expected].sort((a, b) => a - b),
      'after dedupe by txid, exactly the commits under /interfaces');
    for (const [i, r] of runs.entries()) {
      const txids = r.changes();
      for (let k = 1; k < txids.length; k++) {
        assert.ok(txids[k]! > txids[k - 1]!, `run ${i} received txid ${txids[k]} after ${txids[k - 1]} (not in commit order)`);
      }
      if (i > 0 && txids.length > 0) assert.ok(txids[0]! > r.options.since!, `run ${i} was resent txid ${txids[0]} <= its since ${r.options.since}`);
    }
    await current.kill('SIGTERM');
  });

  test('100 subscribers on overlapping paths each receive exactly the changes under their paths, in commit order', { timeout: 60_000 }, async () => {
    const PREFIXES = [
      '/interfaces', ETH1, `${ETH1}/mtu`, '/interfaces/interface', ETH10, '/system', '/system/ntp', '/system/ntp/server',
      '/system/hostname', '/', RULE5, `${RULE5}/action`, '/firewall', '/firewall/default-action', '/routing',
      "/routing/static/route[prefix='10.0.0.0/8']", '/features', "/features/feature[name='x']/enabled", '/system/dns',
      `${BOB}/ssh-key`, BOB, '/system/users',
    ];
    const subs: Array<{ name: string; canonical: string[]; r: Recorded }> = [];
    for (let i = 0; i < 100; i++) {
      const canonical = [PREFIXES[i % PREFIXES.length]!];
      if (i >= 44) {
        const second = PREFIXES[(i * 7 + 3) % PREFIXES.length]!;
        if (!canonical.includes(second)) canonical.push(second);
      }
      // Some spell keys with double quotes: the appliance canonicalises them.
      const spelled = i % 5 === 0 ? canonical.map((p) => p.replaceAll("'", '"')) : canonical;
      const name = `fan-${i}`;
      subs.push({ name, canonical, r: await record(socket, { name, paths: spelled, persist: false }) });
    }

    const edits: JsonObject[] = [
      { interfaces: { interface: [{ name: 'eth1', description: 'uplink' }] } },
      { interfaces: { interface: [{ name: 'eth10' }] } },
      { interfaces: { interface: [{ name: 'eth1', mtu: 9000 }] } },
      { interfaces: { interface: [{ name: 'eth10', mtu: 9000 }] } },
      { system: { hostname: 'fan-edge-1' } },
      { system: { ntp: { server: ntpServers(['192.0.2.1']) } } },
      { system: { ntp: { enabled: false } } },
      { firewall: { rule: [{ sequence: 5, action: 'accept', protocol: 'tcp', port: 22 }] } },
      { firewall: { rule: [{ sequence: 50, action: 'drop' }] } },
      { firewall: { rule: [{ sequence: 5, action: 'drop' }] } },
      { firewall: { rule: [{ sequence: 50, action: 'reject' }] } },
      { firewall: { rule: [{ sequence: 5, description: 'ssh' }] } },
      { interfaces: { interface: [{ name: 'eth2' }] }, routing: { static: { route: [{ prefix: '10.0.0.0/8', 'next-hop': '192.0.2.254', interface: 'eth2' }] } } },
      { routing: { static: { route: [{ prefix: '10.0.0.0/16', 'next-hop': '192.0.2.253', interface: 'eth2' }] } } },
      { features: { feature: [{ name: 'x', enabled: true }] } },
      { features: { feature: [{ name: 'y', description: 'why' }] } },
      { system: { dns: { server: ['192.0.2.53'] } } },
      { system: { users: { user: [{ name: 'bob', role: 'viewer', 'ssh-key': [{ name: 'laptop', key: 'ssh-ed25519 AAAA bob@laptop' }] }] } } },
      { system: { users: { user: [{ name: 'bob', 'ssh-key': [{ name: 'laptop', key: 'ssh-ed25519 BBBB bob@laptop' }] }] } } },
      { system: { users: { user: [{ name: 'bob', 'full-name': 'Bob' }] } } },
      { interfaces: { interface: [{ name: 'eth1', description: 'core' }] }, system: { hostname: 'fan-edge-2' }, firewall: { rule: [{ sequence: 5, port: 2222 }] } },
      { interfaces: { interface: [{ name: 'eth10', '@op': 'remove' }] } },
      { firewall: { rule: [{ sequence: 5, '@op': 'remove' }] } },
      { firewall: { 'default-action': 'drop' } },
      { system: { users: { user: [{ name: 'bob', '@op': 'remove' }] } } },
      { system: { domain: 'fan.example' } },
      { interfaces: { interface: [{ name: 'eth1', enabled: false }] } },
      { features: { feature: [{ name: 'x', '@op': 'remove' }] } },
      { interfaces: { interface: [{ name: 'eth1', '@op': 'remove' }] } },
      { system: { hostname: 'fan-edge-3', ntp: { server: ntpServers(['192.0.2.1', '192.0.2.2']) } } },
    ];
    const txids: number[] = [];
    for (const e of edits) txids.push(await tool.commit(e));

    // What each commit changed, from the commit history (not from the bus).
    const byTxid = new Map<number, LeafChange[]>();
    for (const t of txids) byTxid.set(t, await tool.request<LeafChange[]>('compare', { from: t - 1, to: t }));
    const expectedFor = (prefixes: readonly string[]) => txids
      .map((t) => ({ txid: t, changes: sortChanges(byTxid.get(t)!.filter((c) => wanted(prefixes, c.path))) }))
      .filter((e) => e.changes.length > 0);

    await until('every subscriber to receive its expected number of changes', () =>
      subs.every((s) => s.r.changes.length >= expectedFor(s.canonical).length), 15_000);
    await tool.lastTxid(); // one more round trip on the socket before comparing
    for (const s of subs) {
      const got = s.r.changes.map((e) => ({ txid: e.txid, changes: sortChanges(e.changes) }));
      assert.deepEqual(got, expectedFor(s.canonical), `${s.name} subscribed to ${JSON.stringify(s.canonical)}`);
      for (const e of s.r.changes) {
        assert.equal(e.user, ME, 'the committer is the kernel\'s user of the tool');
        assert.equal(e.source, 'socket');
        assert.equal(typeof e.time, 'string');
      }
    }
    // Sanity of the expectation itself: the exact-key subscribers saw entry deletions and nothing of eth10 / rule 50.
    const mtu = expectedFor([`${ETH1}/mtu`]);
    assert.ok(mtu.some((e) => e.changes.some((c) => c.path === ETH1 && c.op === 'delete')), 'eth1/mtu subscriber is told of the deletion of eth1');
    assert.ok(mtu.every((e) => e.changes.every((c) => c.path.startsWith(ETH1 + '/') || c.path === ETH1)));
    assert.equal(expectedFor(['/']).length, edits.length);
    for (const s of subs) s.r.sub.close();
    await until('the fan-out subscribers to go away', async () => !(await tool.subscribers()).some((s) => s.name.startsWith('fan-')));
  });

  test('`appliance watch /interfaces --since 0` prints one JSON object per changed leaf or entry', { timeout: 30_000 }, async () => {
    // Commits of its own, so the stream holds a create, a modify and a delete at least.
    const created = await tool.commit({ interfaces: { interface: [{ name: 'eth7', description: 'watched' }] } });
    const modified = await tool.commit({ interfaces: { interface: [{ name: 'eth7', mtu: 1400 }] } });
    const deleted = await tool.commit({ interfaces: { interface: [{ name: 'eth7', '@op': 'remove' }] } });
    await tool.commit({ system: { hostname: 'not-watched' } });
    const last = await tool.lastTxid();

    const expected: Array<Record<string, unknown>> = [];
    const headers = new Map((await tool.request<Array<{ txid: number; user: string; source: string }>>('history', { limit: 100_000 })).map((h) => [h.txid, h]));
    for (let t = 1; t <= last; t++) {
      for (const c of await tool.request<LeafChange[]>('compare', { from: t - 1, to: t })) {
        if (!wanted(['/interfaces'], c.path)) continue;
        expected.push({ txid: t, user: headers.get(t)!.user, source: headers.get(t)!.source, path: c.path, op: c.op, old: c.old ?? null, new: c.new ?? null });
      }
    }

    const watch = spawn(process.execPath, [APPLIANCE_BIN, 'watch', '/interfaces', '--since', '0', ...D], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    watch.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    watch.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
    try {
      await until(`watch to print ${expected.length} lines (stderr: ${err})`, () => out.split('\n').length - 1 >= expected.length, 15_000);
      await tool.lastTxid();
    } finally {
      watch.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `watch did not end cleanly on SIGTERM: ${err}`);
    const lines = out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) {
      for (const k of ['txid', 'time', 'user', 'source', 'path', 'op', 'old', 'new']) assert.ok(k in l, `watch line lacks '${k}': ${JSON.stringify(l)}`);
    }
    const strip = (l: Record<string, unknown>) => { const { time: _time, ...rest } = l; return rest; };
    const order = (a: Record<string, unknown>, b: Record<string, unknown>) => (a.txid as number) - (b.txid as number) || String(a.path).localeCompare(String(b.path));
    assert.deepEqual(lines.map(strip).sort(order), expected.sort(order), 'one line per change under /interfaces, since the first commit');
    for (let i = 1; i < lines.length; i++) assert.ok((lines[i]!.txid as number) >= (lines[i - 1]!.txid as number), 'lines in commit order');
    const eth7 = "/interfaces/interface[name='eth7']";
    assert.deepEqual(strip(lines.find((l) => l.txid === created)!), { txid: created, user: ME, source: 'socket', path: eth7, op: 'create', old: null, new: { name: 'eth7', description: 'watched', enabled: true, mtu: 1500 } });
    assert.deepEqual(strip(lines.find((l) => l.txid === modified)!), { txid: modified, user: ME, source: 'socket', path: `${eth7}/mtu`, op: 'modify', old: 1500, new: 1400 });
    assert.deepEqual(strip(lines.find((l) => l.txid === deleted)!), { txid: deleted, user: ME, source: 'socket', path: eth7, op: 'delete', old: { name: 'eth7', description: 'watched', enabled: true, mtu: 1400 }, new: null });
  });

  test('`appliance subscribers` lists each subscriber with its paths, last acknowledged txid and lag; remove drops a gone one', { timeout: 30_000 }, async () => {
    const lister = await record(socket, { name: 'lister', paths: ['/interfaces', '/system/ntp'], priority: 7, validate: true, persist: false });
    try {
      const txid = await tool.commit({ interfaces: { interface: [{ name: 'eth8', description: 'listed' }] } });
      type Row = { name: string; paths: string[]; priority: number; validate: boolean; mandatory: boolean; connected: boolean; lastAck: number; lag: number };
      const row = await until('lister to acknowledge its change', async () => {
        const list = JSON.parse(await ok(['subscribers', '--json', ...D])) as Row[];
        const r = list.find((s) => s.name === 'lister');
        return r && r.lastAck === txid ? r : undefined;
      });
      assert.deepEqual(row, { name: 'lister', paths: ['/interfaces', '/system/ntp'], priority: 7, validate: true, mandatory: false, connected: true, lastAck: txid, lag: 0, persistent: false });
      assert.equal(lister.changes.at(-1)?.txid, txid);

      // The SIGKILL test left a persistent registration behind, no longer connected.
      const list = JSON.parse(await ok(['subscribers', '--json', ...D])) as Row[];
      const gone = list.find((s) => s.name === 'kill-restart');
      assert.ok(gone, 'the persistent registration of kill-restart is listed');
      assert.equal(gone.connected, false);
      assert.equal(gone.lag, (await tool.lastTxid()) - gone.lastAck);
      const text = await ok(['subscribers', ...D]);
      assert.match(text.split('\n')[0]!, /^NAME\tPRIORITY\tSTATE\tLAST-ACK\tLAG/);
      assert.match(text, /^lister\t7\tconnected\t\d+\t0\tvalidate\t\/interfaces \/system\/ntp$/m);

      const busy = await runAppliance(['subscribers', 'remove', 'lister', ...D]);
      assert.notEqual(busy.code, 0, 'a connected subscriber cannot be removed');
      assert.match(await ok(['subscribers', 'remove', 'kill-restart', ...D]), /removed kill-restart/);
      assert.ok(!(JSON.parse(await ok(['subscribers', '--json', ...D])) as Row[]).some((s) => s.name === 'kill-restart'));
    } finally {
      lister.sub.close();
      await tool.untilDisconnected('lister');
    }
  });

  test('a subscriber never gets what its user may not read, under the access rules in force at each commit', { timeout: 30_000 }, async () => {
    // The subscriber's user is its uid's (SO_PEERCRED): a process of uid 4244, mapped to viewer vera.
    // Not root, no other uid can be taken: this process is a console admin, and reads everything.
    const root = process.getuid!() === 0;
    const VERA_UID = 4244;
    await tool.commit({ system: { users: { user: [{ name: 'vera', role: 'viewer', 'local-uid': VERA_UID, 'password-hash': await hashPassword(randomBytes(9).toString('hex')) }] } } });
    if (root) { chmodSync(dir.path, 0o755); chmodSync(socket, 0o666); }
    const sub = new SubscriberChild({ socket, name: 'viewer-redaction', paths: ['/system'], persist: false }, true, root ? VERA_UID : undefined);
    try {
      await sub.ready();
      const seen = (txid: number) => until(`commit ${txid} to reach the viewer`, () => sub.changes().some((t) => t >= txid));
      const bodies = () => sub.events.filter((e) => e.kind === 'CHANGE').map((e) => e.body ?? '').join('\n');
      const before = await tool.commit({ system: { domain: 'before.example' } });
      await seen(before);
      assert.match(bodies(), /before\.example/, 'readable: delivered');

      // A rule committed after the subscription was made applies to it from then on.
      await tool.commit({ system: { access: { rule: [{ sequence: 10, group: 'viewer', path: '/system/domain', operations: ['read'], action: 'deny' }] } } });
      await tool.commit({ system: { domain: 'after.example' } });
      const marker = await tool.commit({ system: { hostname: 'redaction-marker' } });
      await seen(marker);
      assert.match(bodies(), /redaction-marker/);
      if (root) assert.doesNotMatch(bodies(), /after\.example/, 'a value the viewer may no longer read reached it');
      else assert.match(bodies(), /after\.example/, 'a console admin reads everything');
    } finally {
      await sub.kill();
      await tool.untilDisconnected('viewer-redaction');
    }
  });
});

// =====================================================================================

describe('two phases: veto, timeout, priorities, mandatory subscribers', () => {
  const dir = tempDir('appliance-subs-b-');
  const D = ['--data-dir', dir.path];
  const socket = join(dir.path, 'confd.sock');
  let app: RunningAppliance;
  let tool: Tool;

  before(async () => {
    app = await startAppliance(dir.path);
    tool = await Tool.connect(dir.path);
    schemaVersion = await helloSchemaVersion(socket);
  });
  after(async () => {
    tool?.close();
    if (app) await app.stop();
    dir.remove();
  });

  test('a validating subscriber vetoes with a reason: TXN_VETOED naming it, nothing changes, the audit log records the denial', { timeout: 30_000 }, async () => {
    const reason = 'eth9 is reserved for the backplane';
    const prepared: number[] = [];
    const sub = await ConfigSubscriber.connect({
      socket, name: 'guard', paths: ['/interfaces'], validate: true, persist: false,
      onChange: () => undefined,
      onPrepare: (e) => { prepared.push(e.txid); if (e.changes.some((c) => c.path.includes("'eth9'"))) throw new Error(reason); },
    });
    try {
      await tool.commit({ interfaces: { interface: [{ name: 'eth0', description: 'fine' }] } });
      const before = await tool.exportConfig();
      const e = await tool.refused({ interfaces: { interface: [{ name: 'eth9' }] } });
      assert.equal(e.code, 'TXN_VETOED');
      assert.ok(e.message.includes('guard') && e.message.includes(reason), `message names the subscriber and its reason: ${e.message}`);
      assert.deepEqual(e.details, { subscriber: 'guard', reason });
      assert.deepEqual(await tool.exportConfig(), before, 'the vetoed commit changed nothing');

      // The same through the command-line tool (an import goes through the running daemon).
      const file = join(dir.path, 'eth9.json');
      writeFileSync(file, JSON.stringify({ interfaces: { interface: [{ name: 'eth9', description: 'via import' }] } }));
      const r = await runAppliance(['config', 'import', '--merge', file, ...D]);
      assert.notEqual(r.code, 0);
      assert.ok(r.stderr.includes('guard') && r.stderr.includes(reason), `the operator sees who vetoed and why: ${r.stderr}`);
      assert.deepEqual(await tool.exportConfig(), before);
      assert.equal(prepared.length, 3, 'the guard was asked about each of the three commits');

      const records = JSON.parse(await ok(['audit', 'show', '--json', ...D])) as Array<{ action: string; result: string; detail?: Record<string, unknown> }>;
      const denied = records.filter((x) => x.result === 'denied' && JSON.stringify(x.detail ?? {}).includes('guard'));
      assert.ok(denied.length >= 2, `denied records naming guard: ${JSON.stringify(denied)}`);
      assert.ok(denied.every((x) => JSON.stringify(x.detail).includes(reason)));
      assert.ok(denied.some((x) => x.action === 'commit'));
    } finally {
      sub.close();
      await tool.untilDisconnected('guard');
    }
  });

  test('a validating subscriber that never answers prepare (timeoutMs 300) fails the commit in about its timeout', { timeout: 30_000 }, async () => {
    const sub = await ConfigSubscriber.connect({
      socket, name: 'sleeper', paths: ['/features'], validate: true, timeoutMs: 300, persist: false,
      onChange: () => undefined,
      onPrepare: () => new Promise<void>(() => { /* never answers */ }),
    });
    try {
      const before = await tool.exportConfig();
      const t0 = Date.now();
      const e = await tool.refused({ features: { feature: [{ name: 'slow', enabled: true }] } });
      const ms = Date.now() - t0;
      assert.equal(e.code, 'TXN_VETOED');
      assert.equal((e.details as { subscriber?: string }).subscriber, 'sleeper');
      assert.ok(ms >= 250, `the commit failed after ${ms} ms, before the subscriber's timeout`);
      assert.ok(ms < 2000, `the commit took ${ms} ms to fail (timeout 300 ms)`);
      assert.deepEqual(await tool.exportConfig(), before);
    } finally {
      sub.close();
      await tool.untilDisconnected('sleeper');
    }
    // Gone, it no longer delays anything.
    const t0 = Date.now();
    await tool.commit({ features: { feature: [{ name: 'fast', enabled: true }] } });
    assert.ok(Date.now() - t0 < 250);
  });

  test('a subscriber whose connection drops in the middle of a prepare fails the commit at once, not after its 10 s timeout', { timeout: 30_000 }, async () => {
    const child = new SubscriberChild({ socket, name: 'dropper', paths: ['/system/domain'], validate: true, timeoutMs: 10_000, persist: false, prepare: 'hang' });
    try {
      await child.ready();
      const before = await tool.exportConfig();
      const t0 = Date.now();
      const refused = tool.refused({ system: { domain: 'dropped.example' } });
      await until('the prepare to reach the child', () => child.has('PREPARE'), 5_000, 2);
      await child.kill('SIGKILL');
      const e = await refused;
      const ms = Date.now() - t0;
      assert.equal(e.code, 'TXN_VETOED');
      assert.equal((e.details as { subscriber?: string }).subscriber, 'dropper');
      assert.ok(ms < 2000, `the commit failed only after ${ms} ms`);
      assert.deepEqual(await tool.exportConfig(), before);
    } finally {
      await child.kill();
    }
  });

  test('prepares go in priority order (10, 20, 30); on a veto by 30, 20 then 10 get abort, 30 none', { timeout: 30_000 }, async () => {
    const log: string[] = [];
    const subs: ConfigSubscriber[] = [];
    // Subscribed out of order: priority decides, not arrival.
    for (const priority of [20, 30, 10]) {
      const name = `p${priority}`;
      subs.push(await ConfigSubscriber.connect({
        socket, name, paths: ['/firewall'], validate: true, priority, persist: false,
        onPrepare: (e) => {
          log.push(`${name} prepare ${e.txid}`);
          if (priority === 30 && e.changes.some((c) => JSON.stringify(c.new ?? null).includes('veto-me'))) throw new Error('rule 30 says no');
        },
        onAbort: (txid) => { log.push(`${name} abort ${txid}`); },
        onChange: (e) => { log.push(`${name} change ${e.txid}`); },
      }));
    }
    try {
      const before = await tool.exportConfig();
      const e = await tool.refused({ firewall: { rule: [{ sequence: 7, action: 'drop', description: 'veto-me' }] } });
      assert.equal(e.code, 'TXN_VETOED');
      assert.equal((e.details as { subscriber?: string }).subscriber, 'p30');
      assert.deepEqual(await tool.exportConfig(), before);
      await until('aborts to reach p20 and p10', () => log.filter((l) => l.includes(' abort ')).length >= 2, 5_000, 2);
      const T = (await tool.lastTxid()) + 1;
      assert.deepEqual(log, [`p10 prepare ${T}`, `p20 prepare ${T}`, `p30 prepare ${T}`, `p20 abort ${T}`, `p10 abort ${T}`]);

      // A commit they all accept: on each connection its prepare comes after anything sent
      // for the vetoed commit, so p30 has by then seen every abort it was ever going to get.
      const txid = await tool.commit({ firewall: { rule: [{ sequence: 7, action: 'drop', description: 'fine' }] } });
      assert.equal(txid, T);
      await until('the accepted change to reach all three', () => ['p10', 'p20', 'p30'].every((n) => log.includes(`${n} change ${txid}`)), 5_000, 2);
      assert.deepEqual(log.filter((l) => l.startsWith('p30 ')), [`p30 prepare ${T}`, `p30 prepare ${T}`, `p30 change ${T}`], 'the vetoing subscriber gets no abort');
      assert.deepEqual(log.filter((l) => l.startsWith('p10 ')), [`p10 prepare ${T}`, `p10 abort ${T}`, `p10 prepare ${T}`, `p10 change ${T}`]);
      assert.deepEqual(log.slice(5, 8), [`p10 prepare ${T}`, `p20 prepare ${T}`, `p30 prepare ${T}`]);
    } finally {
      for (const s of subs) s.close();
      for (const n of ['p10', 'p20', 'p30']) await tool.untilDisconnected(n);
    }
  });

  test('a validating subscriber that is not mandatory does not block commits while it is disconnected', { timeout: 30_000 }, async () => {
    const sub = await ConfigSubscriber.connect({
      socket, name: 'optional', paths: ['/system/syslog'], validate: true, onChange: () => undefined, onPrepare: () => undefined,
    });
    try {
      await tool.commit({ system: { syslog: { remote: [{ host: '192.0.2.7' }] } } });
      sub.close();
      await tool.untilDisconnected('optional');
      // Only a mandatory subscriber's absence refuses commits (issue 5); this one is merely away.
      let error: unknown;
      try {
        await tool.commit({ system: { syslog: { remote: [{ host: '192.0.2.8' }] } } });
      } catch (e) {
        error = e;
        await tool.request('discard');
      }
      assert.equal(error, undefined, `commit refused while a non-mandatory subscriber is away: ${error instanceof ConfdError ? `${error.code}: ${error.message}` : String(error)}`);
    } finally {
      sub.close();
      await tool.request('subscribers.remove', { name: 'optional' }).catch(() => undefined);
    }
  });

  test('a mandatory subscriber: while absent, commits on its paths are refused (not connected), others pass; also across a restart', { timeout: 60_000 }, async () => {
    const connectMust = () => ConfigSubscriber.connect({ socket, name: 'must', paths: ['/system/domain'], mandatory: true, onChange: () => undefined });
    let must = await connectMust();
    let n = 0;
    const domainEdit = () => ({ system: { domain: `m${++n}.example` } });
    const expectRefused = async () => {
      const before = await tool.exportConfig();
      const e = await tool.refused(domainEdit());
      assert.equal(e.code, 'TXN_VETOED');
      const details = e.details as { subscriber?: string; reason?: string };
      assert.equal(details.subscriber, 'must');
      assert.match(details.reason ?? '', /not connected/);
      assert.deepEqual(await tool.exportConfig(), before);
    };
    try {
      await tool.commit(domainEdit());
      must.close();
      await tool.untilDisconnected('must');
      await expectRefused();
      await tool.commit({ features: { feature: [{ name: `elsewhere-${++n}`, enabled: true }] } });
      must = await connectMust();
      await tool.commit(domainEdit());

      // The registration survives a restart of the appliance.
      must.close();
      await tool.untilDisconnected('must');
      tool.close();
      assert.equal(await app.stop(), 0, app.stderr());
      app = await startAppliance(dir.path);
      tool = await Tool.connect(dir.path);
      const listed = (await tool.subscribers()).find((s) => s.name === 'must');
      assert.ok(listed && listed.mandatory && !listed.connected, `after the restart: ${JSON.stringify(listed)}`);
      await expectRefused();
      await tool.commit({ features: { feature: [{ name: `elsewhere-${++n}`, enabled: true }] } });
      must = await connectMust();
      await tool.commit(domainEdit());
    } finally {
      must.close();
      await tool.untilDisconnected('must');
      await tool.request('subscribers.remove', { name: 'must' });
    }
    await tool.commit(domainEdit());
  });
});

// =====================================================================================

describe('backlogs: a stopped subscriber, compacted history', () => {
  const dir = tempDir('appliance-subs-c-');
  const socket = join(dir.path, 'confd.sock');
  let app: RunningAppliance;
  let tool: Tool;
  let counter = 0;
  const describeEdit = () => ({ interfaces: { interface: [{ name: 'eth1', description: `n${++counter}` }] } });
  async function commits(n: number, edit: () => JsonObject = describeEdit): Promise<{ ms: number; txids: number[] }> {
    const txids: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) txids.push(await tool.commit(edit()));
    return { ms: performance.now() - t0, txids };
  }

  before(async () => {
    app = await startAppliance(dir.path);
    tool = await Tool.connect(dir.path);
    schemaVersion = await helloSchemaVersion(socket);
  });
  after(async () => {
    tool?.close();
    if (app) await app.stop();
    dir.remove();
  });

  test('a subscriber that stops reading (SIGSTOP) during 2,000 commits does not slow them down, and gets every change in order when it resumes', { timeout: 60_000 }, async (t) => {
    await commits(200); // warm-up
    const before = await commits(2000);
    const child = new SubscriberChild({ socket, name: 'stopped', paths: ['/interfaces'], persist: false });
    try {
      await child.ready();
      child.proc.kill('SIGSTOP');
      const slow = await commits(2000);
      child.proc.kill('SIGCONT');
      const last = slow.txids.at(-1)!;
      await until('the resumed subscriber to reach the last commit', () => child.events.some((e) => e.txid === last && (e.kind === 'CHANGE' || e.kind === 'CONFIG')), 30_000);
      await child.kill('SIGTERM');
      await tool.untilDisconnected('stopped');
      // The rate without it is measured before and after (the machine's load drifts), and averaged.
      const after = await commits(2000);
      const base = (before.ms + after.ms) / 2;
      const resync = child.events.find((e) => e.kind === 'CONFIG' && e.resync);
      t.diagnostic(`2,000 commits: ${before.ms.toFixed(0)} / ${after.ms.toFixed(0)} ms without a subscriber (before / after), `
        + `${slow.ms.toFixed(0)} ms with a stopped one; resync on resume: ${resync ? `at ${resync.txid}` : 'no'}`);
      assert.ok(slow.ms <= 2 * base, `commits slowed from ${base.toFixed(0)} to ${slow.ms.toFixed(0)} ms per 2,000`);
      const events = child.events.filter((e) => e.kind === 'CHANGE' || (e.kind === 'CONFIG' && e.resync));
      for (let i = 1; i < events.length; i++) {
        assert.ok(events[i]!.txid > events[i - 1]!.txid, `${events[i]!.kind} ${events[i]!.txid} after ${events[i - 1]!.kind} ${events[i - 1]!.txid}`);
      }
      // Every change, in order; where history no longer reached back, a resync stands for the changes up to it.
      const got = child.changes();
      const expected = slow.txids.filter((x) => !resync || x > resync.txid);
      assert.deepEqual(got.filter((x) => !resync || x > resync.txid), expected);
      if (resync) assert.deepEqual(got.filter((x) => x <= resync.txid), slow.txids.slice(0, got.filter((x) => x <= resync.txid).length), 'before the resync: a gap-free prefix');
      else assert.deepEqual(got, slow.txids);
    } finally {
      await child.kill();
    }
  });

  test("a stopped subscriber's backlog is caught up from history, not buffered in the appliance: past what history keeps, it is told to resync", { timeout: 60_000 }, async (t) => {
    // Changes of ~16 kB each (an 8,000-character ssh key, old and new): the socket backs up after a few dozen.
    let k = 0;
    const keyEdit = () => ({ system: { users: { user: [{ name: 'bob', role: 'viewer', 'ssh-key': [{ name: 'k', key: `ssh-ed25519 ${String(++k % 10).repeat(8000)} k${k}` }] }] } } });
    await tool.commit(keyEdit());
    const child = new SubscriberChild({ socket, name: 'stopped-big', paths: ['/system/users'], persist: false });
    try {
      await child.ready();
      const from = await tool.lastTxid();
      child.proc.kill('SIGSTOP');
      const { txids } = await commits(1300, keyEdit);
      const last = txids.at(-1)!;
      // History no longer holds the first 150 of these commits.
      await assert.rejects(tool.request('compare', { from: from + 150, to: from + 151 }), (e: ConfdError) => e.code === 'TXN_HISTORY_COMPACTED');
      child.proc.kill('SIGCONT');
      await until('the resumed subscriber to reach the last commit', () => child.events.some((e) => e.txid === last && (e.kind === 'CHANGE' || e.kind === 'CONFIG')), 30_000);
      const resync = child.events.find((e) => e.kind === 'CONFIG' && e.resync);
      const got = child.changes();
      const compacted = got.filter((x) => x <= from + 150).length;
      t.diagnostic(`received ${got.length} changes of ${txids.length}, ${compacted} of them for commits whose history was compacted; resync: ${resync ? resync.txid : 'no'}`);
      assert.ok(resync, `the stopped subscriber was sent ${got.length} of ${txids.length} changes, ${compacted} of them from commits `
        + 'whose history had been compacted: they were queued in the appliance\'s memory while it was stopped, instead of being caught up from history');
      assert.ok(compacted < 150, `${compacted} changes were queued before the connection was seen backed up`);
      assert.deepEqual(got.filter((x) => x > resync.txid), txids.filter((x) => x > resync.txid));
    } finally {
      await child.kill();
    }
  });

  test("a subscriber whose since is older than the compacted history gets 'resync' with the current configuration of its paths", { timeout: 60_000 }, async () => {
    // More than HISTORY_KEEP + slack (1,100) commits, so the first ones are compacted.
    const now = await tool.lastTxid();
    if (now < 1250) await commits(1250 - now);
    await tool.commit({ system: { ntp: { server: ntpServers(['192.0.2.11', '192.0.2.12']) } }, interfaces: { interface: [{ name: 'eth1', mtu: 1400, description: 'resync me' }] } });
    await assert.rejects(tool.request('compare', { from: 5, to: 6 }), (e: ConfdError) => e.code === 'TXN_HISTORY_COMPACTED');
    const exported = await tool.exportConfig();
    const head = await tool.lastTxid();

    const late = await record(socket, { name: 'late', paths: ['/system/ntp', `/interfaces/interface[name="eth1"]`], since: 5, persist: false });
    try {
      await until("the 'resync'", () => late.configs.length > 0);
      const [first] = late.configs;
      assert.equal(first!.resync, true);
      assert.equal(first!.txid, head);
      const system = exported.system as JsonObject;
      const eth1 = ((exported.interfaces as JsonObject).interface as JsonObject[]).find((i) => i.name === 'eth1')!;
      assert.equal(eth1.description, 'resync me');
      assert.deepEqual(first!.config, { system: { ntp: system.ntp! }, interfaces: { interface: [eth1] } });
      assert.equal(late.sub.lastTxid, head);
      assert.equal(late.changes.length, 0, 'nothing from before the resync');

      // And from there on, live changes.
      const txid = await tool.commit({ interfaces: { interface: [{ name: 'eth1', mtu: 1600 }] } });
      await tool.commit({ interfaces: { interface: [{ name: 'eth2' }] } });
      const txid3 = await tool.commit({ system: { ntp: { enabled: false } } });
      await until('the live changes', () => late.changes.length >= 2);
      await tool.lastTxid();
      assert.deepEqual(late.changes.map((e) => [e.txid, e.changes.map((c) => [c.path, c.new])]), [
        [txid, [[`${ETH1}/mtu`, 1600]]],
        [txid3, [['/system/ntp/enabled', false]]],
      ], 'eth2 is not under its paths');
    } finally {
      late.sub.close();
    }
  });
});

// =====================================================================================

describe('the example daemon (ntp-hostname) under the supervisor', () => {
  const dir = tempDir('appliance-subs-d-');
  const D = ['--data-dir', dir.path];
  const etc = join(dir.path, 'root', 'etc');
  const read = (f: string) => readFileSync(join(etc, f), 'utf8');
  let app: RunningAppliance;
  let tool: Tool;

  type Daemon = { name: string; status: string; pid?: number; restarts: number };
  const daemon = async () => (await tool.request<{ daemons: Daemon[] }>('status')).daemons.find((d) => d.name === 'ntp-hostname');

  before(async () => {
    app = await startAppliance(dir.path, ['--daemon', 'ntp-hostname']);
    tool = await Tool.connect(dir.path);
    schemaVersion = await helloSchemaVersion(join(dir.path, 'confd.sock'));
    await until('the daemon to subscribe and render', async () =>
      (await tool.subscribers()).some((s) => s.name === 'ntp-hostname' && s.connected)
      && ['hostname', 'hosts', 'ntp.conf'].every((f) => existsSync(join(etc, f))), 15_000);
  });
  after(async () => {
    tool?.close();
    if (app) await app.stop();
    dir.remove();
  });

  test('the daemon vetoes an NTP server that is the appliance itself; nothing changes; a valid import re-renders its files', { timeout: 30_000 }, async () => {
    assert.equal(read('hostname'), 'appliance\n');
    const ntpBefore = read('ntp.conf');
    const before = await tool.exportConfig();
    for (const [i, server] of ['127.0.0.1', 'localhost'].entries()) {
      const file = join(dir.path, `bad-ntp-${i}.json`);
      writeFileSync(file, JSON.stringify({ system: { ntp: { server: ntpServers(['192.0.2.1', server]) } } }));
      const r = await runAppliance(['config', 'import', '--merge', file, ...D]);
      assert.notEqual(r.code, 0, `import of NTP server ${server} was accepted`);
      assert.ok(r.stderr.includes('ntp-hostname') && r.stderr.includes(server), `the daemon and its reason reach the operator: ${r.stderr}`);
      assert.equal(read('ntp.conf'), ntpBefore);
      assert.deepEqual(await tool.exportConfig(), before);
    }

    const good = join(dir.path, 'good.json');
    writeFileSync(good, JSON.stringify({ system: { hostname: 'edge-7', domain: 'example.net', ntp: { server: ntpServers(['192.0.2.10', 'pool.ntp.org']) } } }));
    assert.match(await ok(['config', 'import', '--merge', good, ...D]), /committed as commit \d+/);
    await until('ntp.conf to be re-rendered', () => read('ntp.conf').includes('server pool.ntp.org iburst\n'));
    assert.match(read('ntp.conf'), /\nserver 192\.0\.2\.10 iburst\nserver pool\.ntp\.org iburst\n$/);
    await until('hostname to be re-rendered', () => read('hostname') === 'edge-7\n');
    assert.match(read('hosts'), /^127\.0\.1\.1\tedge-7\.example\.net\tedge-7$/m);
    // Its own name is the appliance too.
    const self = await tool.refused({ system: { ntp: { server: ntpServers(['edge-7.example.net']) } } });
    assert.equal(self.code, 'TXN_VETOED');
    assert.equal((self.details as { subscriber?: string }).subscriber, 'ntp-hostname');
  });

  test('the supervisor restarts a SIGKILLed daemon, which re-renders from the full configuration', { timeout: 30_000 }, async () => {
    const first = await until('the daemon to run', async () => { const d = await daemon(); return d?.status === 'running' && d.pid ? d : undefined; });
    assert.match(readFileSync(`/proc/${first.pid}/cmdline`, 'utf8'), /daemons\/ntp-hostname\/main\.js/);
    const rendered = read('ntp.conf');
    writeFileSync(join(etc, 'ntp.conf'), 'stale, edited by hand\n');
    process.kill(first.pid!, 'SIGKILL');
    const second = await until('the daemon to be restarted', async () => {
      const d = await daemon();
      return d?.status === 'running' && d.pid && d.pid !== first.pid ? d : undefined;
    }, 15_000);
    assert.ok(second.restarts >= first.restarts + 1);
    await until('the restarted daemon to re-render ntp.conf', () => read('ntp.conf') === rendered, 10_000);
    await until('the restarted daemon to resubscribe', async () => (await tool.subscribers()).some((s) => s.name === 'ntp-hostname' && s.connected));
  });

  test('rendered files are replaced atomically: a reader never sees a partial file, and they end matching the configuration', { timeout: 30_000 }, async () => {
    const hostnames = new Set([read('hostname')]);
    const seen = { hostname: new Set<string>(), hosts: new Set<string>(), ntp: new Set<string>() };
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        seen.hostname.add(read('hostname'));
        seen.ntp.add(read('ntp.conf'));
        seen.hosts.add(read('hosts'));
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const servers = [['192.0.2.21'], ['192.0.2.22', '192.0.2.23'], []];
    for (let i = 0; i < 40; i++) {
      hostnames.add(`atom-${i}\n`);
      await tool.commit({ system: { hostname: `atom-${i}`, ntp: { server: ntpServers(servers[i % 3]!) } } });
    }
    await until('the last hostname to be rendered', () => read('hostname') === 'atom-39\n');
    reading = false;
    await reader;
    assert.ok(reads >= 40, `only ${reads} reads happened during the commits`);
    for (const h of seen.hostname) assert.ok(hostnames.has(h), `a reader saw etc/hostname as ${JSON.stringify(h)}`);
    const whole = /^# Generated by the appliance \(ntp-hostname\)\. Do not edit: change the configuration\.\ndriftfile \/var\/lib\/ntp\/ntp\.drift\n(server \S+ iburst\n)*$/;
    for (const n of seen.ntp) assert.match(n, whole, 'a reader saw a partial etc/ntp.conf');
    for (const h of seen.hosts) assert.match(h, /^# Generated by the appliance \(ntp-hostname\)\. Do not edit: change the configuration\.\n127\.0\.0\.1\tlocalhost\n127\.0\.1\.1\t\S+(\t\S+)?\n$/, 'a reader saw a partial etc/hosts');

    const system = (await tool.exportConfig()).system as JsonObject;
    assert.equal(read('hostname'), `${String(system.hostname)}\n`);
    const configured = ntpNames(system.ntp as JsonObject | undefined);
    await until('ntp.conf to match the configuration', () => read('ntp.conf').endsWith(`drift\n${configured.map((s) => `server ${s} iburst\n`).join('')}`));
    // hostname is written first of the three: wait for the render in progress to finish; a temp file left for good fails here.
    await until(`no temporary files in etc/ (${readdirSync(etc).join(' ')})`, () => readdirSync(etc).sort().join(' ') === 'hostname hosts ntp.conf', 5_000);
  });
});
