/**
 * The v1 → v2 transform of the device model, both ways: on frozen fixtures (up gives exactly
 * the v2 fixture, down gives back exactly the v1 one), on the losses down must report, and on
 * generated configurations (up is valid under v2, down(up(x)) is x, and down of what a v2
 * engine holds carries everything but what it reports). Validity is decided by loading into
 * a real engine of each schema version.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfdError, type JsonObject, type JsonValue } from '../../confd/api/index.js';
import { APP_ROOT, SCHEMAS_DIR } from '../../confd/main/app-paths.js';
import { loadDeviceSchema } from '../../confd/schema/loader.js';
import { v1ToV2, type Loss } from '../../transforms/index.js';
import { openTestDevice, type TestDevice } from '../helpers/device.js';
import { randomInt, seededRandom } from '../helpers/random.js';

const FIXTURES = join(APP_ROOT, 'test', 'fixtures', 'configs');

function fixture(version: number, name: string): JsonObject {
  return JSON.parse(readFileSync(join(FIXTURES, `v${version}`, name), 'utf8')) as JsonObject;
}

/** `v` frozen all the way down: a transform that writes to its input throws. */
function frozen<T extends JsonValue>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Array.isArray(v) ? v : Object.values(v)) frozen(x);
    Object.freeze(v);
  }
  return v;
}

function up(config: JsonObject): JsonObject {
  return v1ToV2.up(frozen(structuredClone(config)));
}

function down(config: JsonObject): { config: JsonObject; losses: Loss[] } {
  return v1ToV2.down(frozen(structuredClone(config)));
}

/** One engine per schema version, reused: each load replaces the whole configuration (forced: the users come and go with the fixtures). */
let v1: TestDevice;
let v2: TestDevice;

before(async () => {
  v1 = await openTestDevice({ schema: loadDeviceSchema(SCHEMAS_DIR, 1) });
  v2 = await openTestDevice({ schema: loadDeviceSchema(SCHEMAS_DIR, 2) });
});

after(() => {
  v1.close();
  v2.close();
});

/**
 * `tree` as the engine of `device` holds it after loading it (defaults filled in, lists
 * ordered by key); fails with every validation issue when the engine refuses it.
 */
async function normalized(device: TestDevice, tree: JsonObject): Promise<JsonObject> {
  const { engine } = device;
  try {
    await engine.load(engine.systemSession, structuredClone(tree), { merge: false, source: 'test', force: true });
  } catch (e) {
    if (e instanceof ConfdError) {
      assert.fail(`refused by schema v${engine.schema.version}: ${e.flatten().map((i) => `${i.path ?? ''}: ${i.message}`).join('; ')}`);
    }
    throw e;
  }
  return engine.getConfig('running');
}

async function refused(device: TestDevice, tree: JsonObject): Promise<boolean> {
  const { engine } = device;
  try {
    await engine.load(engine.systemSession, structuredClone(tree), { merge: false, source: 'test', force: true });
    return false;
  } catch (e) {
    if (e instanceof ConfdError) return true;
    throw e;
  }
}

/** A v2 list is ordered by its key; a v1 leaf-list of NTP servers keeps the order given, which carries no meaning. */
function ntpSorted(config: JsonObject): JsonObject {
  const out = structuredClone(config);
  const servers = ((out.system as JsonObject | undefined)?.ntp as JsonObject | undefined)?.server;
  if (Array.isArray(servers)) servers.sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  return out;
}

function objectAt(root: JsonObject, ...names: string[]): JsonObject {
  let at = root;
  for (const n of names) at = at[n] as JsonObject;
  return at;
}

function entries(root: JsonObject, ...names: string[]): JsonObject[] {
  const last = names.pop()!;
  return objectAt(root, ...names)[last] as JsonObject[];
}

const FIXTURE_NAMES = readdirSync(join(FIXTURES, 'v1')).filter((f) => f.endsWith('.json')).sort();

describe('frozen fixtures', () => {
  it('every v1 fixture has its v2 twin, and there are the four kinds', () => {
    assert.deepEqual(readdirSync(join(FIXTURES, 'v2')).filter((f) => f.endsWith('.json')).sort(), FIXTURE_NAMES);
    assert.deepEqual(FIXTURE_NAMES, ['constructs.json', 'factory.json', 'full.json', 'minimal.json']);
  });

  for (const name of FIXTURE_NAMES) {
    describe(name, () => {
      it('up gives exactly the v2 fixture', () => {
        assert.deepEqual(up(fixture(1, name)), fixture(2, name));
      });

      it('down gives exactly the v1 fixture, losing nothing', () => {
        assert.deepEqual(down(fixture(2, name)), { config: fixture(1, name), losses: [] });
      });

      it('the v1 fixture is valid under schema v1 and the v2 fixture under schema v2', async () => {
        await normalized(v1, fixture(1, name));
        await normalized(v2, fixture(2, name));
      });

      it('down of what a v2 engine holds (defaults filled in) loses nothing', async () => {
        const held = await normalized(v2, fixture(2, name));
        const result = down(held);
        assert.deepEqual(result.losses, []);
        assert.deepEqual(ntpSorted(await normalized(v1, result.config)), ntpSorted(await normalized(v1, fixture(1, name))));
      });

      it('up of what a v1 engine holds is what a v2 engine holds for the v2 fixture', async () => {
        const held = await normalized(v1, fixture(1, name));
        assert.deepEqual(await normalized(v2, up(held)), await normalized(v2, fixture(2, name)));
      });
    });
  }

  it('the versions really differ: each refuses the other version of the constructs fixture', async () => {
    assert.equal(await refused(v2, fixture(1, 'constructs.json')), true);
    assert.equal(await refused(v1, fixture(2, 'constructs.json')), true);
  });

  it('up and down return fresh trees that share nothing with their input', () => {
    const input = fixture(1, 'full.json');
    const out = v1ToV2.up(input);
    entries(out, 'interfaces', 'interface')[0]!.mtu = 9000;
    assert.equal(entries(input, 'interfaces', 'interface')[0]!.mtu, 1500);
    const back = v1ToV2.down(out).config;
    objectAt(back, 'system').hostname = 'changed';
    assert.equal(objectAt(out, 'system').hostname, 'edge-gw-01');
  });
});

describe('what down cannot carry', () => {
  it('the upgrade watch and sanity checks (/system/software, new in version 2): dropped, each setting a loss', async () => {
    const v2config = fixture(2, 'constructs.json');
    (v2config.system as JsonObject).software = { 'watch-minutes': 2, 'sanity-check': [{ name: 'ssh', port: 22 }, { name: 'ntp', daemon: 'ntp' }] };
    await normalized(v2, v2config);
    const { config, losses } = down(v2config);
    assert.deepEqual(config, fixture(1, 'constructs.json'));
    assert.deepEqual(losses.map((l) => l.path), [
      '/system/software/watch-minutes', "/system/software/sanity-check[name='ssh']", "/system/software/sanity-check[name='ntp']",
    ]);
  });
  it('an NTP server with prefer=true: the server stays, the preference is reported lost', async () => {
    const v2config = fixture(2, 'constructs.json');
    const servers = entries(v2config, 'system', 'ntp', 'server');
    servers.find((s) => s.address === '10.0.0.1')!.prefer = true;
    servers.find((s) => s.address === 'ntp-1')!.prefer = false;
    await normalized(v2, v2config);

    const { config, losses } = down(v2config);
    assert.deepEqual(config, fixture(1, 'constructs.json'));
    assert.equal(losses.length, 1);
    assert.equal(losses[0]!.path, "/system/ntp/server[address='10.0.0.1']/prefer");
    assert.match(losses[0]!.reason, /prefer/);
  });

  it('a user\'s local-uid (the local socket\'s uid mapping) is a loss, the user stays', async () => {
    const v2config: JsonObject = { system: { users: { user: [{ name: 'tech', role: 'operator', 'local-uid': 1234 }, { name: 'ann', role: 'admin' }] } } };
    await normalized(v2, v2config);

    const { config, losses } = down(v2config);
    assert.deepEqual(config, { system: { users: { user: [{ name: 'tech', role: 'operator' }, { name: 'ann', role: 'admin' }] } } });
    assert.deepEqual(losses.map((l) => l.path), ["/system/users/user[name='tech']/local-uid"]);
    assert.match(losses[0]!.reason, /uid 1234/);
  });

  it('a prefix length without its address: dropped, and reported unless it is the default 32', async () => {
    const v2config = fixture(2, 'constructs.json');
    const rules = entries(v2config, 'firewall', 'rule');
    const neither = rules.find((r) => r.sequence === 40)!;
    neither['source-prefix-length'] = 8;
    neither['destination-prefix-length'] = 32;
    await normalized(v2, v2config);

    const { config, losses } = down(v2config);
    assert.deepEqual(config, fixture(1, 'constructs.json'));
    assert.deepEqual(losses.map((l) => l.path), ["/firewall/rule[sequence='40']/source-prefix-length"]);
  });

  it('an address without its prefix length is that address alone (/32)', () => {
    const { config, losses } = down({ firewall: { rule: [{ sequence: 1, action: 'drop', 'destination-address': '192.0.2.7' }] } });
    assert.deepEqual(config, { firewall: { rule: [{ sequence: 1, action: 'drop', destination: '192.0.2.7/32' }] } });
    assert.deepEqual(losses, []);
  });

  it('access rules naming what v1 cannot name: a deny is widened, a permit removed', async () => {
    const v2config = fixture(2, 'constructs.json');
    entries(v2config, 'system', 'access', 'rule').push(
      { sequence: 7, group: 'operator', path: "/system/ntp/server[address='10.0.0.1']/prefer", operations: ['update'], action: 'deny' },
      { sequence: 8, group: 'operator', path: '/firewall/rule/source-prefix-length', operations: ['update'], action: 'permit' },
      { sequence: 9, group: 'viewer', path: "/firewall/rule[sequence='10']/destination-address", operations: ['read'], action: 'deny' },
    );
    await normalized(v2, v2config);

    const { config, losses } = down(v2config);
    const expected = fixture(1, 'constructs.json');
    entries(expected, 'system', 'access', 'rule').push(
      { sequence: 7, group: 'operator', path: '/system/ntp/server', operations: ['update'], action: 'deny' },
      { sequence: 9, group: 'viewer', path: "/firewall/rule[sequence='10']/destination", operations: ['read'], action: 'deny' },
    );
    assert.deepEqual(config, expected);
    assert.deepEqual(losses.map((l) => l.path), [
      "/system/access/rule[sequence='7']/path",
      "/system/access/rule[sequence='8']",
      "/system/access/rule[sequence='9']/path",
    ]);
    await normalized(v1, config);
  });

  it('up refuses an access rule on a firewall source or destination, naming it', () => {
    const v1config = fixture(1, 'constructs.json');
    entries(v1config, 'system', 'access', 'rule').push(
      { sequence: 9, group: 'operator', path: '/firewall/rule/source', operations: ['update'], action: 'deny' },
    );
    assert.throws(() => up(v1config), (e: unknown) => {
      assert.ok(e instanceof ConfdError);
      assert.equal(e.code, 'SCHEMA_INVALID_VALUE');
      assert.equal(e.path, "/system/access/rule[sequence='9']/path");
      assert.match(e.message, /source-address and source-prefix-length/);
      return true;
    });
  });
});

// ---- generated configurations ----

class Gen {
  private readonly next: () => number;
  constructor(seed: number) { this.next = seededRandom(seed); }
  int(lo: number, hi: number): number { return randomInt(this.next, lo, hi); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(items: readonly T[]): T { return items[this.int(0, items.length - 1)]!; }
  octet(): number { return this.int(0, 255); }
  ipv4(): string { return `${this.octet()}.${this.octet()}.${this.octet()}.${this.octet()}`; }
  prefix(): string { return `${this.ipv4()}/${this.int(0, 32)}`; }
  /** A network prefix: no host bits set (version 2 refuses a route prefix with host bits). */
  network(): string {
    const len = this.int(0, 32);
    const address = this.int(0, 2 ** 32 - 1);
    const net = len === 0 ? 0 : Math.floor(address / 2 ** (32 - len)) * 2 ** (32 - len);
    return `${[24, 16, 8, 0].map((b) => Math.floor(net / 2 ** b) % 256).join('.')}/${len}`;
  }
  /** `n` distinct values drawn from `make`. */
  distinct<T>(n: number, make: () => T): T[] {
    const seen = new Set<T>();
    for (let tries = 0; seen.size < n && tries < n * 20; tries++) seen.add(make());
    return [...seen];
  }
  /** Sets `obj[key]` to `make()` with probability `p`. */
  maybe(obj: JsonObject, key: string, p: number, make: () => JsonValue): void {
    if (this.chance(p)) obj[key] = make();
  }
}

const ZONES = ['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'Asia/Kolkata'];
const ACCESS_PATHS = [
  '/system/timezone', '/system/timezone', '/system/ntp/server', '/system/ntp', '/interfaces', '/firewall/rule', "/firewall/rule[sequence='10']",
  '/system', '*', '/operations/backup',
];

/** A valid v1 configuration whose size grows with `size` (0 = nearly empty). */
function generateV1(seed: number, size: number): JsonObject {
  const g = new Gen(seed);
  const config: JsonObject = {};

  const system: JsonObject = {};
  g.maybe(system, 'hostname', 0.7, () => `gw-${seed}`);
  g.maybe(system, 'domain', 0.3, () => 'site.example.net');
  g.maybe(system, 'timezone', 0.6, () => g.pick(ZONES));
  if (g.chance(0.8)) {
    const ntp: JsonObject = {};
    g.maybe(ntp, 'enabled', 0.5, () => g.chance(0.5));
    const hosts = g.distinct(g.int(0, Math.min(8, size + 1)), () => (g.chance(0.5) ? g.ipv4() : `ntp${g.int(0, 99)}.example.net`));
    if (hosts.length > 0 || g.chance(0.2)) ntp.server = hosts;
    system.ntp = ntp;
  }
  if (g.chance(0.3)) system.dns = { server: g.distinct(g.int(1, 3), () => g.ipv4()) };
  if (g.chance(0.5)) {
    const sequences = g.distinct(g.int(1, 4), () => g.int(1, 65535));
    system.access = {
      rule: sequences.map((sequence) => {
        const rule: JsonObject = {
          sequence, group: g.pick(['admin', 'operator', 'viewer']), path: g.pick(ACCESS_PATHS),
          operations: g.distinct(g.int(1, 3), () => g.pick(['read', 'create', 'update', 'delete', 'exec', '*'])),
          action: g.pick(['permit', 'deny']),
        };
        g.maybe(rule, 'comment', 0.3, () => `rule ${sequence}`);
        return rule;
      }),
    };
  }
  if (Object.keys(system).length > 0) config.system = system;

  const names = g.distinct(g.int(0, size + 1), () => g.pick(['eth', 'ge-0/0/', 'lan', 'wan.']) + String(g.int(0, 20)));
  if (names.length > 0) {
    let net = 0;
    config.interfaces = {
      interface: names.map((name) => {
        const iface: JsonObject = { name };
        g.maybe(iface, 'description', 0.4, () => `port ${name}`);
        g.maybe(iface, 'enabled', 0.3, () => g.chance(0.5));
        g.maybe(iface, 'mtu', 0.3, () => g.int(68, 9216));
        // Addresses are unique across interfaces (x-unique).
        if (g.chance(0.6)) iface.address = Array.from({ length: g.int(1, 3) }, () => `10.${net % 256}.${net++ >> 8}.1/${g.int(8, 30)}`);
        return iface;
      }),
    };
    const prefixes = g.distinct(g.int(0, size), () => g.network());
    if (prefixes.length > 0) {
      config.routing = {
        static: {
          route: prefixes.map((prefix) => {
            const route: JsonObject = { prefix, interface: g.pick(names) };
            g.maybe(route, 'next-hop', 0.6, () => g.ipv4());
            g.maybe(route, 'metric', 0.4, () => g.int(1, 255));
            g.maybe(route, 'description', 0.2, () => 'generated');
            return route;
          }),
        },
      };
    }
  }

  const firewall: JsonObject = {};
  g.maybe(firewall, 'default-action', 0.5, () => g.pick(['accept', 'drop']));
  const sequences = g.distinct(g.int(0, size * 4), () => g.int(1, 4294967295));
  if (sequences.length > 0) {
    firewall.rule = sequences.map((sequence) => {
      const rule: JsonObject = { sequence, action: g.pick(['accept', 'drop', 'reject']) };
      g.maybe(rule, 'name', 0.3, () => `rule-${sequence}`);
      g.maybe(rule, 'protocol', 0.5, () => g.pick(['any', 'tcp', 'udp', 'icmp']));
      g.maybe(rule, 'source', 0.5, () => g.prefix());
      g.maybe(rule, 'destination', 0.5, () => g.prefix());
      // Version 2 refuses a port on an icmp rule (it never had an effect).
      if (rule.protocol !== 'icmp') g.maybe(rule, 'port', 0.3, () => g.int(1, 65535));
      if (names.length > 0) g.maybe(rule, 'interface', 0.3, () => g.pick(names));
      g.maybe(rule, 'enabled', 0.3, () => g.chance(0.5));
      g.maybe(rule, 'description', 0.2, () => 'generated');
      return rule;
    });
  }
  if (Object.keys(firewall).length > 0) config.firewall = firewall;

  if (g.chance(0.3)) {
    config.features = {
      feature: g.distinct(g.int(1, 3), () => g.pick(['ipv6', 'lldp', 'snmp', 'netflow'])).map((name) => ({ name, enabled: g.chance(0.5) })),
    };
  }
  return config;
}

/**
 * Adds to a v2 configuration what v1 cannot hold (prefer=true, prefix lengths without their
 * address), and returns the paths down must report and the configuration with those values
 * back at their defaults (what survives down and up again).
 */
function addLosses(seed: number, config: JsonObject): { lossy: JsonObject; paths: string[]; survives: JsonObject } {
  const g = new Gen(seed ^ 0x5eed);
  const lossy = structuredClone(config);
  const survives = structuredClone(config);
  const paths: string[] = [];
  const ntp = (lossy.system as JsonObject | undefined)?.ntp as JsonObject | undefined;
  for (const [i, s] of ((ntp?.server ?? []) as JsonObject[]).entries()) {
    if (!g.chance(0.4)) continue;
    s.prefer = true;
    paths.push(`/system/ntp/server[address='${String(s.address)}']/prefer`);
    (entries(survives, 'system', 'ntp', 'server')[i] as JsonObject).prefer = false;
  }
  const rules = ((lossy.firewall as JsonObject | undefined)?.rule ?? []) as JsonObject[];
  for (const [i, r] of rules.entries()) {
    for (const side of ['source', 'destination']) {
      if (r[`${side}-address`] !== undefined || !g.chance(0.3)) continue;
      const length = g.int(0, 31);
      r[`${side}-prefix-length`] = length;
      paths.push(`/firewall/rule[sequence='${String(r.sequence)}']/${side}-prefix-length`);
      (entries(survives, 'firewall', 'rule')[i] as JsonObject)[`${side}-prefix-length`] = 32;
    }
  }
  return { lossy, paths, survives };
}

/** Counts, per construct the transform changes, the configurations holding it. */
function countConstructs(x: JsonObject, seen: Record<string, number>): void {
  const system = (x.system ?? {}) as JsonObject;
  const rules = (((x.firewall ?? {}) as JsonObject).rule ?? []) as JsonObject[];
  const access = (((system.access ?? {}) as JsonObject).rule ?? []) as JsonObject[];
  const has: Record<string, boolean> = {
    'a time zone': system.timezone !== undefined,
    'NTP servers': (((system.ntp ?? {}) as JsonObject).server as JsonValue[] | undefined ?? []).length > 0,
    'a rule with a source': rules.some((r) => r.source !== undefined),
    'a rule with a destination': rules.some((r) => r.destination !== undefined),
    'a rule with neither': rules.some((r) => r.source === undefined && r.destination === undefined),
    'an access rule on the time zone': access.some((r) => r.path === '/system/timezone'),
    'static routes': x.routing !== undefined,
  };
  for (const [what, yes] of Object.entries(has)) seen[what] = (seen[what] ?? 0) + (yes ? 1 : 0);
}

describe('generated configurations', () => {
  const CASES = 50;

  it(`${CASES} generated v1 configurations survive up and down`, async () => {
    let withLosses = 0;
    const seen: Record<string, number> = {};
    for (let seed = 1; seed <= CASES; seed++) {
      const x = generateV1(seed, seed % 7);
      const context = `seed ${seed}: ${JSON.stringify(x)}`;
      countConstructs(x, seen);
      const n1 = await normalized(v1, x);

      // up(x) is valid under v2, and down(up(x)) is x itself, losing nothing.
      const u = up(x);
      const n2 = await normalized(v2, u);
      const back = down(u);
      assert.deepEqual(back.losses, [], context);
      assert.deepEqual(back.config, x, context);
      assert.deepEqual(await normalized(v1, back.config), n1, context);

      // Normalising first changes nothing: up commutes with an engine load.
      assert.deepEqual(await normalized(v2, up(n1)), n2, context);

      // Down from what a v2 engine holds (defaults filled in) carries everything.
      const fromEngine = down(n2);
      assert.deepEqual(fromEngine.losses, [], context);
      assert.deepEqual(ntpSorted(await normalized(v1, fromEngine.config)), ntpSorted(n1), context);

      // Add what v1 cannot hold: down reports exactly that, and carries all the rest.
      const { lossy, paths, survives } = addLosses(seed, n2);
      if (paths.length === 0) continue;
      withLosses++;
      await normalized(v2, lossy);
      const lost = down(lossy);
      assert.deepEqual(lost.losses.map((l) => l.path).sort(), [...paths].sort(), context);
      assert.deepEqual(await normalized(v2, up(await normalized(v1, lost.config))), await normalized(v2, survives), context);
    }
    assert.ok(withLosses >= CASES / 4, `only ${withLosses} cases exercised losses`);
    // The generator reaches every construct the transform changes, in several cases each.
    assert.equal(Object.keys(seen).length, 7);
    for (const [what, count] of Object.entries(seen)) assert.ok(count >= 3, `only ${count} cases with ${what}`);
  });
});
