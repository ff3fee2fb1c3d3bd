/**
 * @module confd/northbound/netconf/monitoring
 * NETCONF monitoring state in the spirit of RFC 6022 (ietf-netconf-monitoring): sessions with
 * their counters, datastore locks, and server statistics, returned by <get>.
 */
import type { ConfigEngine, DatastoreName } from '../../txn/engine.js';
import { MONITORING_NS } from './capabilities.js';
import type { NetconfServer } from './server.js';
import { XmlWriter } from './xml-writer.js';

/** The host of a session's address ("ip:port" for a network session). */
export function hostOf(address: string): string {
  return address.replace(/:\d+$/, '');
}

export function monitoringXml(server: NetconfServer, engine: ConfigEngine): string {
  const w = new XmlWriter();
  w.start('netconf-state', { xmlns: MONITORING_NS });
  w.start('datastores');
  for (const ds of ['running', 'candidate', 'startup'] as DatastoreName[]) {
    w.start('datastore').leaf('name', ds);
    const holder = engine.lockHolder(ds);
    if (holder) w.start('locks').start('global-lock').leaf('locked-by-session', String(holder.id)).end().end();
    w.end();
  }
  w.end();
  w.start('sessions');
  for (const s of server.list()) {
    const c = s.counters;
    w.start('session')
      .leaf('session-id', String(s.id)).leaf('transport', 'netconf-ssh').leaf('username', s.user)
      .leaf('source-host', hostOf(s.session.address)).leaf('login-time', s.loginTime)
      .leaf('in-rpcs', String(c.inRpcs)).leaf('in-bad-rpcs', String(c.inBadRpcs))
      .leaf('out-rpc-errors', String(c.outRpcErrors)).leaf('out-notifications', String(c.outNotifications))
      .end();
  }
  w.end();
  const totals = server.totals;
  w.start('statistics')
    .leaf('netconf-start-time', new Date(engine.startedAt).toISOString())
    .leaf('in-sessions', String(server.sessionsStarted))
    .leaf('in-bad-hellos', String(server.badHellos))
    .leaf('dropped-sessions', String(server.droppedSessions))
    .leaf('in-rpcs', String(totals.inRpcs)).leaf('in-bad-rpcs', String(totals.inBadRpcs))
    .leaf('out-rpc-errors', String(totals.outRpcErrors)).leaf('out-notifications', String(totals.outNotifications))
    .end();
  w.end();
  return w.toString();
}
