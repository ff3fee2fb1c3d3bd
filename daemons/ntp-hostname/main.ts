/**
 * @module daemons/ntp-hostname/main
 * An example daemon that takes its configuration from the appliance: it subscribes to the
 * host name, domain and NTP settings, renders /etc/hostname, /etc/hosts and /etc/ntp.conf
 * into the directory given by --root (atomically: temp file, fsync, rename), re-renders from
 * the full configuration on every start, and vetoes in prepare what ntp.conf cannot express.
 * Uses only confd/api, as any daemon would.
 *
 *   node dist/daemons/ntp-hostname/main.js --socket D/confd.sock [--root DIR] [--name NAME]
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigSubscriber, parsePath, writeFileDurably, type ChangeEvent, type JsonObject, type LeafChange } from '../../confd/api/index.js';
import { problems, renderFiles, type Identity } from './render.js';

const PATHS = ['/system/hostname', '/system/domain', '/system/ntp'];

const { values } = parseArgs({
  options: {
    socket: { type: 'string' }, 'data-dir': { type: 'string' }, root: { type: 'string' }, name: { type: 'string', default: 'ntp-hostname' },
  },
});
if (!values.socket) {
  process.stderr.write('ntp-hostname: --socket is required\n');
  process.exit(2);
}
const root = values.root ?? join(values['data-dir'] ?? '.', 'root');
const log = (msg: string, extra: Record<string, unknown> = {}) =>
  process.stderr.write(JSON.stringify({ time: Date.now(), daemon: values.name, msg, ...extra }) + '\n');

/** The daemon's model of its part of the configuration. */
let identity: Identity = { hostname: 'appliance', domain: undefined, ntpEnabled: true, ntpServers: [] };

/** NTP servers as either schema version holds them: hosts (v1) or entries with an address (v2). */
function serversOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => (typeof v === 'object' && v !== null ? String((v as JsonObject).address) : String(v)));
}

function fromConfig(config: JsonObject): Identity {
  const system = (config.system ?? {}) as JsonObject;
  const ntp = (system.ntp ?? {}) as JsonObject;
  return {
    hostname: typeof system.hostname === 'string' ? system.hostname : 'appliance',
    domain: typeof system.domain === 'string' ? system.domain : undefined,
    ntpEnabled: ntp.enabled !== false,
    ntpServers: serversOf(ntp.server),
  };
}

/** The address of the NTP server entry (schema v2) that `path` names, if it names one. */
function serverEntryAddress(path: string): string | undefined {
  const segments = parsePath(path);
  if (segments.length !== 3 || segments.map((s) => s.name).join('/') !== 'system/ntp/server') return undefined;
  return segments[2]!.keys?.find(([key]) => key === 'address')?.[1];
}

/** The identity after applying committed (or proposed) leaf changes. */
function applied(base: Identity, changes: readonly LeafChange[]): Identity {
  const next = { ...base, ntpServers: [...base.ntpServers] };
  for (const c of changes) {
    const value = c.op === 'delete' ? undefined : c.new;
    const address = serverEntryAddress(c.path);
    if (address !== undefined) {
      // Schema v2: each server is a list entry; a prefer flag changes nothing in ntp.conf's list.
      // Entries of a keyed list come in key order, as the configuration lists them.
      if (c.op === 'create' && !next.ntpServers.includes(address)) next.ntpServers = [...next.ntpServers, address].sort();
      if (c.op === 'delete') next.ntpServers = next.ntpServers.filter((s) => s !== address);
      continue;
    }
    switch (c.path) {
      case '/system/hostname': next.hostname = typeof value === 'string' ? value : 'appliance'; break;
      case '/system/domain': next.domain = typeof value === 'string' ? value : undefined; break;
      case '/system/ntp/enabled': next.ntpEnabled = value !== false; break;
      case '/system/ntp/server': next.ntpServers = serversOf(value); break;
    }
  }
  return next;
}

function render(id: Identity): void {
  for (const [file, content] of renderFiles(id)) {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileDurably(path, content);
  }
  log('rendered', { root, hostname: id.hostname, ntpServers: id.ntpServers.length });
}

const sub = await ConfigSubscriber.connect({
  socket: values.socket, name: values.name!, paths: PATHS, validate: true, current: true, priority: 50, timeoutMs: 5000,
  onConfig: (config) => { identity = fromConfig(config); render(identity); },
  onPrepare: (e: ChangeEvent) => {
    const why = problems(applied(identity, e.changes));
    if (why.length > 0) throw new Error(why.join('; '));
  },
  onChange: (e: ChangeEvent) => { identity = applied(identity, e.changes); render(identity); },
});
log('subscribed', { paths: PATHS });
const stop = () => { sub.close(); };
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
await sub.closed;
log('disconnected');
// The supervisor restarts it; on restart it re-renders from the full configuration.
process.exit(process.exitCode ?? 0);
