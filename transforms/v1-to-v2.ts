/**
 * @module transforms/v1-to-v2
 * Device model version 1 ⇄ version 2. Version 2 changes three things:
 *
 * - `/system/ntp/server` was a leaf-list of hosts; it is a list keyed by `address` with a new
 *   leaf `prefer` (default false).
 * - A firewall rule's `source` and `destination` ("a.b.c.d/len") each split in two:
 *   `source-address` + `source-prefix-length` (default 32), and likewise for destination.
 *   Without its address a prefix length has no effect: the rule matches any source.
 * - `/system/timezone` is renamed `/system/time-zone`.
 * - `/system/services` (SSH pre-authentication limits, NETCONF and CLI idle timeouts) is new;
 *   version 1 applies the built-in values, which are version 2's defaults.
 * - `/system/cli` is new: what the CLI keeps with the configuration (deactivated parts,
 *   annotations). down drops it, each entry reported as a loss.
 *
 * Access rules (`/system/access/rule`) name data paths, so their `path` follows the renames:
 * a rule that covered /system/timezone keeps covering it as /system/time-zone. Without this
 * an upgrade would silently switch such a rule off.
 *
 * up writes what its input says and nothing more: new leaves (`prefer`) are left to their
 * schema default, and a prefix length is always written because it comes from the input.
 * down accepts both that form and the engine's (every default filled in), and loses nothing
 * that version 1 can say. What it cannot carry is dropped and reported as a Loss:
 * - an NTP server with prefer=true (the server is kept, the preference is lost);
 * - a `/system/services` leaf set to anything but its default (version 1 uses the default);
 * - a prefix length other than 32 given without its address (it had no effect, but it was set);
 * - anything under `/system/software` (the upgrade watch and sanity checks, new in version 2);
 * - an access rule naming an NTP server entry or something below it, or a new firewall leaf:
 *   a deny is widened to the nearest node version 1 can name (it denies more, never less), a
 *   permit is removed (the next matching rule decides, which never permits more).
 *
 * up refuses (throws) only for an access rule naming a firewall rule's `source` or
 * `destination`: one rule cannot cover the two leaves that replace it, and carrying it
 * half-way would weaken a deny without a word.
 *
 * Version 2 also refuses what version 1 took without meaning: a static route prefix with host
 * bits set (10.30.0.1/16) and a port on an icmp rule. up carries them unchanged, so the
 * upgrade is refused by validation naming each entry: the operator corrects them first
 * (guessing the network or dropping the port silently would change what was configured).
 */
import {
  ConfdError, childPath, cloneJson, formatPath, isObject, parsePath, type JsonObject, type JsonValue, type PathSegment,
} from '../confd/api/index.js';
import type { Loss, TransformStep } from './step.js';

/** Schema default of source-prefix-length and destination-prefix-length in version 2. */
const DEFAULT_PREFIX_LENGTH = 32;
const SIDES = ['source', 'destination'] as const;
type Side = (typeof SIDES)[number];

const IPV4_PREFIX = /^([0-9]{1,3}(?:\.[0-9]{1,3}){3})\/([0-9]{1,2})$/;

export const v1ToV2: TransformStep = { from: 1, to: 2, up, down };

// ---- up: version 1 → version 2 ----

function up(config: JsonObject): JsonObject {
  const out = cloneJson(config);
  const system = objectAt(out, 'system', '/system');
  if (system) {
    const ntp = objectAt(system, 'ntp', '/system/ntp');
    const servers = ntp && arrayAt(ntp, 'server', '/system/ntp/server');
    if (ntp && servers) {
      ntp.server = servers.map((host): JsonObject => {
        if (typeof host !== 'string') throw invalid('/system/ntp/server', `an NTP server must be a host, not ${JSON.stringify(host)}`);
        return { address: host };
      });
    }
    forEachAccessRule(system, (rule, rulePath) => {
      const path = rule.path;
      if (typeof path !== 'string') return rule;
      const segments = parseRulePath(path);
      if (!segments) return rule;
      if (namesNode(segments, ['system', 'timezone'])) return { ...rule, path: renamed(segments, 1, 'time-zone') };
      for (const side of SIDES) {
        if (!namesNode(segments, ['firewall', 'rule', side])) continue;
        throw new ConfdError('SCHEMA_INVALID_VALUE',
          `access rule ${String(rule.sequence)} covers ${path}, which version 2 splits into ${side}-address and `
          + `${side}-prefix-length; one rule cannot cover both, so change it (for example to the whole firewall rule) `
          + 'before upgrading', { path: childPath(rulePath, { name: 'path' }), details: { rule: 'transform', value: path } });
      }
      return rule;
    });
    out.system = renameKey(system, 'timezone', 'time-zone');
  }
  forEachFirewallRule(out, (rule, rulePath) => {
    let r = rule;
    for (const side of SIDES) r = splitPrefix(r, side, rulePath);
    return r;
  });
  return out;
}

/** `source: "10.0.0.0/8"` → `source-address: "10.0.0.0", source-prefix-length: 8`, in the same place. */
function splitPrefix(rule: JsonObject, side: Side, rulePath: string): JsonObject {
  const value = rule[side];
  if (value === undefined) return rule;
  const m = typeof value === 'string' ? IPV4_PREFIX.exec(value) : null;
  if (!m) throw invalid(childPath(rulePath, { name: side }), `${JSON.stringify(value)} is not an IPv4 prefix a.b.c.d/len`);
  return replaceKey(rule, side, [[`${side}-address`, m[1]!], [`${side}-prefix-length`, Number(m[2])]]);
}

// ---- down: version 2 → version 1 ----

function down(config: JsonObject): { config: JsonObject; losses: Loss[] } {
  const out = cloneJson(config);
  const losses: Loss[] = [];
  const system = objectAt(out, 'system', '/system');
  if (system) {
    const ntp = objectAt(system, 'ntp', '/system/ntp');
    const servers = ntp && arrayAt(ntp, 'server', '/system/ntp/server');
    if (ntp && servers) {
      ntp.server = servers.map((entry): string => {
        const address = isObject(entry) ? entry.address : undefined;
        if (typeof address !== 'string') {
          throw invalid('/system/ntp/server', `an NTP server entry needs its address, not ${JSON.stringify(entry)}`);
        }
        if ((entry as JsonObject).prefer === true) {
          losses.push({
            path: childPath(childPath('/system/ntp', { name: 'server', keys: [['address', address]] }), { name: 'prefer' }),
            reason: `version 1 cannot prefer one NTP server over the others; ${address} stays a server without preference`,
          });
        }
        return address;
      });
    }
    forEachAccessRule(system, (rule, rulePath) => downAccessRule(rule, rulePath, losses));
    dropLocalUids(system, losses);
    dropWithLosses(system, 'services', SERVICES_DEFAULTS, losses);
    dropWithLosses(system, 'monitoring', MONITORING_DEFAULTS, losses);
    // Version 1 has no upgrade watch at all: every setting of it is a loss, whatever its value.
    dropWithLosses(system, 'software', {}, losses);
    dropWithLosses(system, 'cli', {}, losses);
    out.system = renameKey(system, 'time-zone', 'timezone');
  }
  forEachFirewallRule(out, (rule, rulePath) => {
    let r = rule;
    for (const side of SIDES) r = joinPrefix(r, side, rulePath, losses);
    return r;
  });
  return { config: out, losses };
}

/** Version 2's defaults under /system/services: the values version 1 has built in. */
const SERVICES_DEFAULTS: JsonObject = {
  ssh: { 'login-grace-time': 30, 'max-auth-tries': 6, 'max-connections-per-source': 32, 'max-startups': { start: 10, rate: 30, full: 100 } },
  netconf: { 'idle-timeout': 0 },
  cli: { 'idle-timeout': 900 },
};

/** Defaults of /system/monitoring: version 1 samples every 10 s with these thresholds. */
const MONITORING_DEFAULTS: JsonObject = { 'interval-seconds': 10, 'disk-usage-alarm-percent': 90, 'memory-available-alarm-percent': 5 };

/** Version 1 has no uid mapping for the local socket: each user's local-uid is a loss (that uid is refused there). */
function dropLocalUids(system: JsonObject, losses: Loss[]): void {
  const users = objectAt(system, 'users', '/system/users');
  const list = users && arrayAt(users, 'user', '/system/users/user');
  for (const u of list ?? []) {
    if (!isObject(u) || u['local-uid'] === undefined) continue;
    const userPath = childPath('/system/users', { name: 'user', keys: [['name', String(u.name)]] });
    losses.push({
      path: childPath(userPath, { name: 'local-uid' }),
      reason: `version 1 has no local-uid: processes of uid ${String(u['local-uid'])} no longer act as ${String(u.name)} on the local socket`,
    });
    delete u['local-uid'];
  }
}

/** Removes `/system/KEY`, which version 1 does not have, with a loss for every value that is not its default there. */
function dropWithLosses(system: JsonObject, key: string, defaults: JsonObject, losses: Loss[]): void {
  if (system[key] === undefined) return;
  lossesFromDefaults(system[key]!, defaults, `/system/${key}`, losses);
  delete system[key];
}

/** A loss for every leaf under `value` that differs from `defaults` (version 1 applies the defaults). */
function lossesFromDefaults(value: JsonValue, defaults: JsonValue | undefined, path: string, losses: Loss[]): void {
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) lossesFromDefaults(v, isObject(defaults) ? defaults[k] : undefined, childPath(path, { name: k }), losses);
  } else if (Array.isArray(value)) {
    // A list version 1 does not have: each entry is lost (an operator threshold is not raised
    // there, a deactivated part or an annotation is not kept).
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    const list = path.slice(path.lastIndexOf('/') + 1);
    for (const entry of value) {
      const keyName = isObject(entry) ? ['name', 'path'].find((k) => typeof entry[k] === 'string') : undefined;
      const entryPath = keyName ? childPath(parent, { name: list, keys: [[keyName, (entry as JsonObject)[keyName] as string]] }) : path;
      losses.push({ path: entryPath, reason: `version 1 has no ${path}; the entry is dropped` });
    }
  } else if (value !== defaults) {
    losses.push({ path, reason: `version 1 has no ${path}; it uses ${JSON.stringify(defaults ?? null)} instead of ${JSON.stringify(value)}` });
  }
}

/** `source-address` + `source-prefix-length` → `source: "a.b.c.d/len"`, where the first of them was. */
function joinPrefix(rule: JsonObject, side: Side, rulePath: string, losses: Loss[]): JsonObject {
  const addressKey = `${side}-address`, lengthKey = `${side}-prefix-length`;
  const address = rule[addressKey], length = rule[lengthKey];
  if (address === undefined && length === undefined) return rule;
  if (length !== undefined && !(Number.isInteger(length) && (length as number) >= 0 && (length as number) <= 32)) {
    throw invalid(childPath(rulePath, { name: lengthKey }), `must be a whole number between 0 and 32, not ${JSON.stringify(length)}`);
  }
  if (address === undefined) {
    if (length !== DEFAULT_PREFIX_LENGTH) {
      losses.push({
        path: childPath(rulePath, { name: lengthKey }),
        reason: `${lengthKey} ${String(length)} is set without ${addressKey}; it has no effect (the rule matches any `
          + `${side}) and version 1 cannot hold it, so it is dropped`,
      });
    }
    return replaceKey(rule, lengthKey, []);
  }
  if (typeof address !== 'string') throw invalid(childPath(rulePath, { name: addressKey }), `must be an IPv4 address, not ${JSON.stringify(address)}`);
  const joined = `${address}/${String(length ?? DEFAULT_PREFIX_LENGTH)}`;
  const first = Object.keys(rule).find((k) => k === addressKey || k === lengthKey)!;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(rule)) {
    if (k === first) out[side] = joined;
    else if (k !== addressKey && k !== lengthKey) out[k] = v;
  }
  return out;
}

/** An access rule whose path names what version 1 cannot name: widened if it denies, removed if it permits. */
function downAccessRule(rule: JsonObject, rulePath: string, losses: Loss[]): JsonObject | null {
  const path = rule.path;
  if (typeof path !== 'string') return rule;
  const segments = parseRulePath(path);
  if (!segments) return rule;
  if (namesNode(segments, ['system', 'time-zone'])) return { ...rule, path: renamed(segments, 1, 'timezone') };
  let nearest: PathSegment[] | undefined;
  if (namesNode(segments, ['system', 'ntp', 'server']) && (segments[2]!.keys !== undefined || segments.length > 3)) {
    nearest = [...segments.slice(0, 2), { name: 'server' }];
  }
  for (const side of SIDES) {
    for (const leaf of [`${side}-address`, `${side}-prefix-length`]) {
      if (namesNode(segments, ['firewall', 'rule', leaf])) nearest = [...segments.slice(0, 2), { name: side }];
    }
  }
  if (!nearest) return rule;
  const v1Path = formatPath(nearest);
  if (rule.action === 'deny') {
    losses.push({
      path: childPath(rulePath, { name: 'path' }),
      reason: `access rule ${String(rule.sequence)} denies ${path}, which version 1 cannot name; it is widened to ${v1Path}`,
    });
    return { ...rule, path: v1Path };
  }
  losses.push({
    path: rulePath,
    reason: `access rule ${String(rule.sequence)} permits ${path}, which version 1 cannot name; it is removed, and the `
      + 'next matching rule decides',
  });
  return null;
}

// ---- walking the tree ----

/** Replaces each firewall rule by what `f` returns. */
function forEachFirewallRule(root: JsonObject, f: (rule: JsonObject, rulePath: string) => JsonObject): void {
  const firewall = objectAt(root, 'firewall', '/firewall');
  const rules = firewall && arrayAt(firewall, 'rule', '/firewall/rule');
  if (!firewall || !rules) return;
  firewall.rule = rules.map((rule) => {
    const r = entry(rule, '/firewall/rule');
    return f(r, childPath('/firewall', { name: 'rule', keys: [['sequence', String(r.sequence)]] }));
  });
}

/** Replaces each access rule by what `f` returns, or removes it when `f` returns null. */
function forEachAccessRule(system: JsonObject, f: (rule: JsonObject, rulePath: string) => JsonObject | null): void {
  const access = objectAt(system, 'access', '/system/access');
  const rules = access && arrayAt(access, 'rule', '/system/access/rule');
  if (!access || !rules) return;
  const kept: JsonObject[] = [];
  for (const rule of rules) {
    const r = entry(rule, '/system/access/rule');
    const result = f(r, childPath('/system/access', { name: 'rule', keys: [['sequence', String(r.sequence)]] }));
    if (result) kept.push(result);
  }
  access.rule = kept;
}

function objectAt(parent: JsonObject, name: string, path: string): JsonObject | undefined {
  const v = parent[name];
  if (v === undefined) return undefined;
  if (!isObject(v)) throw invalid(path, `'${name}' must be a container`);
  return v;
}

function arrayAt(parent: JsonObject, name: string, path: string): JsonValue[] | undefined {
  const v = parent[name];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw invalid(path, `'${name}' must be an array`);
  return v;
}

function entry(v: JsonValue, listPath: string): JsonObject {
  if (!isObject(v)) throw invalid(listPath, 'each entry must be an object');
  return v;
}

/** `obj` with `key` replaced by `pairs` at the same place in the key order (absent key: `obj` itself). */
function replaceKey(obj: JsonObject, key: string, pairs: ReadonlyArray<readonly [string, JsonValue]>): JsonObject {
  if (!(key in obj)) return obj;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k !== key) out[k] = v;
    else for (const [nk, nv] of pairs) out[nk] = nv;
  }
  return out;
}

function renameKey(obj: JsonObject, from: string, to: string): JsonObject {
  return from in obj ? replaceKey(obj, from, [[to, obj[from]!]]) : obj;
}

// ---- access rule paths ----

/** The segments of an access rule path, or undefined for '*' and paths that do not parse (they name nothing we move). */
function parseRulePath(path: string): PathSegment[] | undefined {
  if (path === '*') return undefined;
  try {
    return parsePath(path);
  } catch {
    return undefined;
  }
}

/**
 * Whether a rule path names the node at schema path `names` or something below it: each
 * earlier segment matches by name or '*', the last one literally (a '*' there covers the
 * node's siblings too, in either version, and needs no change).
 */
function namesNode(segments: readonly PathSegment[], names: readonly string[]): boolean {
  if (segments.length < names.length) return false;
  for (let i = 0; i < names.length - 1; i++) {
    const n = segments[i]!.name;
    if (n !== names[i] && n !== '*') return false;
  }
  return segments[names.length - 1]!.name === names[names.length - 1];
}

function renamed(segments: readonly PathSegment[], at: number, name: string): string {
  return formatPath(segments.map((s, i) => (i === at ? { ...s, name } : s)));
}

function invalid(path: string, message: string): ConfdError {
  return new ConfdError('SCHEMA_INVALID_VALUE', `${path}: ${message}`, { path, details: { rule: 'transform' } });
}
