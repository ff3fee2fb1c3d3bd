/**
 * @module confd/northbound/netconf/monitoring
 * RFC 6022 (ietf-netconf-monitoring) netconf-state: the capabilities of the hello, datastores
 * with their locks, the published schemas, sessions with their counters, and server
 * statistics, as an element tree that <get> filters like any other data.
 */
import type { ConfigEngine, DatastoreName } from '../../txn/engine.js';
import { MONITORING_NS } from './capabilities.js';
import { el } from './data-element.js';
import type { NetconfServer } from './server.js';
import type { XmlElement } from './xml-element.js';

const NS = MONITORING_NS;

/** The host of a session's address ("ip:port" for a network session). */
export function hostOf(address: string): string {
  return address.replace(/:\d+$/, '');
}

const leaf = (name: string, value: string | number): XmlElement => el(name, NS, String(value));
const time = (ms: number): string => new Date(ms).toISOString();

function datastores(engine: ConfigEngine): XmlElement {
  return el('datastores', NS, (['running', 'candidate', 'startup'] as DatastoreName[]).map((ds) => {
    const holder = engine.lockHolder(ds);
    const since = engine.lockedSince(ds);
    const locks = holder && since !== undefined
      ? el('locks', NS, [el('global-lock', NS, [leaf('locked-by-session', holder.id), leaf('locked-time', time(since))])])
      : undefined;
    return el('datastore', NS, [leaf('name', ds), locks]);
  }));
}

function sessions(server: NetconfServer): XmlElement {
  return el('sessions', NS, server.list().map((s) => {
    const c = s.counters;
    const host = hostOf(s.session.address);
    return el('session', NS, [
      leaf('session-id', s.id), leaf('transport', 'netconf-ssh'), leaf('username', s.user),
      // inet:host: an address or name, not the "local" of in-process sessions.
      host && host !== 'local' ? leaf('source-host', host) : undefined,
      leaf('login-time', s.loginTime),
      leaf('in-rpcs', c.inRpcs), leaf('in-bad-rpcs', c.inBadRpcs),
      leaf('out-rpc-errors', c.outRpcErrors), leaf('out-notifications', c.outNotifications),
    ]);
  }));
}

function statistics(server: NetconfServer, engine: ConfigEngine): XmlElement {
  const totals = server.totals;
  return el('statistics', NS, [
    leaf('netconf-start-time', time(engine.startedAt)),
    leaf('in-bad-hellos', server.badHellos), leaf('in-sessions', server.sessionsStarted),
    leaf('dropped-sessions', server.droppedSessions),
    leaf('in-rpcs', totals.inRpcs), leaf('in-bad-rpcs', totals.inBadRpcs),
    leaf('out-rpc-errors', totals.outRpcErrors), leaf('out-notifications', totals.outNotifications),
  ]);
}

export function monitoringElement(server: NetconfServer, engine: ConfigEngine): XmlElement {
  return el('netconf-state', NS, [
    el('capabilities', NS, server.capabilities.map((c) => leaf('capability', c))),
    datastores(engine),
    server.library.schemasElement(NS),
    sessions(server),
    statistics(server, engine),
  ]);
}
