/**
 * @module confd/main/daemon
 * The management daemon: takes the data-directory lock, opens the device, serves the local
 * socket (and the SSH listener), and shuts down cleanly. main.ts-style wiring: everything is
 * built here and passed down; no module keeps global state.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { faultValue } from '../api/faults.js';
import { ConfdError } from '../core/errors.js';
import { SocketServer } from '../northbound/socket/server.js';
import { ChangeBus } from '../notify/bus.js';
import { Supervisor } from './supervisor.js';
import { CliService } from './cli-service.js';
import type { HostInfo } from '../northbound/socket/methods.js';
import { Operations } from '../rpc/operations.js';
import { DataDirLock } from '../store/lock.js';
import type { ConfigEngine } from '../txn/engine.js';
import { SoftwareConditions } from './software-conditions.js';
import { APP_ROOT, SCHEMAS_DIR, dataDir, softwareVersion, type DataDir } from './app-paths.js';
import { publishedModules } from '../schema/yang-files.js';
import { openAuditAnchor, openDevice } from './device.js';
import { AuditForwarding } from '../syslog/audit-forwarding.js';
import { newestBackup } from './backups.js';
import { ensureInitialAdmin } from './initial-admin.js';
import { NetconfServer } from '../northbound/netconf/server.js';
import { loadOrCreateHostKey } from '../ssh/host-key.js';
import { SshServer } from '../ssh/server.js';
import { Monitor, monitorFile } from '../monitor/monitor.js';
import { alarmNotification } from '../northbound/netconf/alarm-notification.js';
import { BasicAuth } from '../northbound/http/auth.js';
import { loadOrCreateCertificate } from '../northbound/http/certificate.js';
import { MetricsEndpoint, metricsRoute } from '../northbound/http/metrics.js';
import { HttpServer } from '../northbound/http/server.js';
import { StatusPage } from '../northbound/web/routes.js';
import { Restconf } from '../northbound/restconf/service.js';
import type { LogRing } from './log-ring.js';
import { recordCapabilities } from './capability-record.js';

export interface DaemonOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** SSH listen addresses (IPv4 or IPv6) and their one port (0: any free port). */
  readonly listen: readonly string[];
  readonly port: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Daemons to run besides those the configuration lists. */
  readonly daemons?: readonly string[];
  /** The boot loader's control socket, for software commands from the CLI and NETCONF. */
  readonly bootSocket?: string;
  /** The slot this daemon runs from (its database is the slot's). */
  readonly slot?: string;
  readonly schemaVersion?: number;
  /** HTTPS port (/metrics): 0 any free port, null off. */
  readonly httpPort?: number | null;
  /** The daemon's recent log records (show log messages). */
  readonly logRing?: LogRing;
}

/**
 * Fault injection for the upgrade tests: config-copy-kill-after=N SIGKILLs the daemon once N
 * pages of an online backup (the upgrade's configuration copy) are written, one page a step.
 */
function copyFault(): { store?: { backupSteps: { pages: number; after: () => void } } } {
  const after = faultValue('config-copy-kill-after');
  if (after === undefined) return {};
  let pages = 0;
  return { store: { backupSteps: { pages: 1, after: () => { if (++pages >= Number(after)) process.kill(process.pid, 'SIGKILL'); } } } };
}

export class Daemon {
  private constructor(
    readonly dirs: DataDir,
    readonly engine: ConfigEngine,
    readonly ops: Operations,
    readonly bus: ChangeBus,
    readonly supervisor: Supervisor,
    private readonly socket: SocketServer,
    readonly netconf: NetconfServer,
    private readonly ssh: SshServer,
    /** The port SSH listens on. */
    readonly sshPort: number,
    private readonly lock: DataDirLock,
    private readonly log: Logger,
    readonly monitor: Monitor,
    private readonly http: HttpServer | null,
    private readonly syslog: AuditForwarding,
    /** The port HTTPS listens on (null: off). */
    readonly httpPort: number | null,
  ) {
    // Subscriber acknowledgements are kept in memory and written once a second (an fsync per ack would cost more than the ack).
    this.ackTimer = setInterval(() => {
      try { this.bus.saveAcks(); } catch (e) { this.log.error({ err: e }, 'saving subscriber acknowledgements failed'); }
    }, 1000);
    this.ackTimer.unref();
  }

  private readonly ackTimer: NodeJS.Timeout;

  static async start(options: DaemonOptions): Promise<Daemon> {
    const dirs = dataDir(options.dataDir, options.slot);
    mkdirSync(dirs.root, { recursive: true, mode: 0o750 });
    tightenSecrets([dirs.database, `${dirs.database}-wal`, `${dirs.database}-shm`, dirs.hostKey]);
    const lock = DataDirLock.tryAcquire(dirs.lock);
    if (!lock) throw new ConfdError('STORE_LOCKED', `another appliance is already running on ${dirs.root}`);
    let engine: ConfigEngine;
    let anchor: ReturnType<typeof openAuditAnchor>;
    try {
      anchor = openAuditAnchor(dirs.root, options.slot, options.logger);
      engine = await openDevice({
        dataDir: dirs.root, logger: options.logger, ...copyFault(), anchor,
        ...(options.slot ? { slot: options.slot } : {}), ...(options.schemaVersion ? { schemaVersion: options.schemaVersion } : {}),
      });
    } catch (e) {
      lock.release();
      if (e instanceof ConfdError && e.code === 'STORE_CORRUPT') {
        const backup = newestBackup(dirs);
        throw new ConfdError('STORE_CORRUPT', `${e.message}. Refusing to start. ${backup
          ? `The newest backup is ${backup}; restore it with: appliance restore --full ${backup} --data-dir ${dirs.root}`
          : 'No backup was found.'}`, { cause: e, details: { backup } });
      }
      throw e;
    }
    const log = options.logger;
    const ops = new Operations(engine, log, options.bootSocket);
    const bus = new ChangeBus(engine, log.child({ part: 'bus' }));
    engine.addParticipant(bus);
    const supervisor = new Supervisor(engine, dirs, log.child({ part: 'supervisor' }), options.daemons);
    engine.addParticipant(supervisor);
    const syslog = new AuditForwarding(engine, log.child({ part: 'syslog' }));
    engine.addParticipant(syslog);
    anchor.onRecords(syslog.records);
    let listening: Array<{ address: string; port: number }> = [];
    const env = options.env ?? process.env;
    const software = options.bootSocket ? new SoftwareConditions(options.bootSocket, log.child({ part: 'software' })) : null;
    const monitor = new Monitor({
      engine, file: monitorFile(dirs.root), dataDir: dirs.root, databaseFile: dirs.database, log: log.child({ part: 'monitor' }),
      daemons: () => supervisor.list(),
      conditions: {
        ...(software ? { upgrade: () => software.read() } : {}),
        syslogUnreachable: () => syslog.forwarder.unreachable(), auditChainFailure: () => anchor.failure,
      },
      subscribers: () => bus.list().map((s) => ({ name: s.name, lag: s.lag, connected: s.connected, mandatory: s.mandatory })),
      sources: {
        ...(env.APPLIANCE_PROC_ROOT ? { proc: env.APPLIANCE_PROC_ROOT } : {}),
        ...(env.APPLIANCE_SYS_CLASS_NET ? { sysClassNet: env.APPLIANCE_SYS_CLASS_NET } : {}),
      },
    });
    const host: HostInfo = {
      daemons: () => supervisor.list(), sshPort: () => listening[0]?.port ?? 0, sshListen: () => listening,
      monitor: () => monitor, softwareVersion, recentLog: () => options.logRing?.recent() ?? [],
    };
    const socket = new SocketServer(ops, bus, log.child({ part: 'socket' }), dirs.socket, host);
    const state = { engine, softwareVersion: softwareVersion(), daemonState: (name: string) => supervisor.state(name), monitor };
    const modules = publishedModules(SCHEMAS_DIR, engine.schema.version);
    const netconf = new NetconfServer({ ops, log: log.child({ part: 'netconf' }), state, modules, countRpc: (op, ok) => monitor.counters.rpc(op, ok) });
    const capabilities = recordCapabilities(dirs.netconfCapabilities, netconf.capabilities, new Date(), log.child({ part: 'netconf' }));
    netconf.notifications.capabilitiesChanged(capabilities.changes, capabilities.added);
    let ssh: SshServer | undefined;
    let http: HttpServer | null = null;
    try {
      await ensureInitialAdmin(engine, dirs, log, options.env ?? process.env);
      await socket.listen();
      const shell = new CliService({ ops, bus, host, log: log.child({ part: 'cli' }), dataDir: dirs.root });
      shell.relay((n) => socket.noticeCli(n));
      ssh = new SshServer({ hostKey: loadOrCreateHostKey(dirs.hostKey), engine, netconf, log: log.child({ part: 'ssh' }), shell });
      listening = (await ssh.listen(options.port, options.listen)).map((a) => ({ address: a.address, port: a.port }));
      const sshPort = listening[0]!.port;
      monitor.onAlarm((e) => {
        netconf.notifications.publish('alarm-notification', alarmNotification(e, new Date().toISOString()));
        bus.publish('/system/alarms', 'alarm', { event: e.kind, alarm: { ...e.alarm }, ...(e.user ? { user: e.user } : {}) });
        const a = e.alarm;
        if ((e.kind === 'raised' || e.kind === 'cleared') && (a.severity === 'critical' || a.severity === 'major') && !a.shelved) {
          shell.broadcast(`*** alarm ${e.kind}: ${a.severity} ${a.type} ${a.resource}: ${a.text}`);
        }
      });
      let httpPort: number | null = null;
      if (options.httpPort !== null && options.httpPort !== undefined) {
        const tls = loadOrCreateCertificate({ key: dirs.httpKey, cert: dirs.httpCert });
        const metrics = new MetricsEndpoint(monitor, { softwareVersion: softwareVersion(), schemaVersion: engine.schema.version });
        const auth = new BasicAuth(engine, ssh.throttle);
        const restconf = new Restconf({ ops, state, log: log.child({ part: 'restconf' }), library: netconf.library });
        const page = new StatusPage({ ops, host, auth, webRoot: join(APP_ROOT, 'web'), log: log.child({ part: 'web' }) });
        http = new HttpServer({ ...tls, routes: [metricsRoute(metrics), ...restconf.routes(), ...page.routes()], auth, log: log.child({ part: 'http' }) });
        httpPort = (await http.listen(options.httpPort, options.listen))[0]!.port;
      }
      supervisor.start();
      monitor.start();
      log.info({ dataDir: dirs.root, txid: engine.store.lastTxid, nodes: engine.running.size, sshPort, httpPort, listen: listening },
        'appliance started');
      return new Daemon(dirs, engine, ops, bus, supervisor, socket, netconf, ssh, sshPort, lock, log, monitor, http, syslog, httpPort);
    } catch (e) {
      await http?.close().catch(() => undefined);
      monitor.close();
      syslog.close();
      await ssh?.close().catch(() => undefined);
      await socket.close().catch(() => undefined);
      engine.close();
      engine.store.close();
      lock.release();
      throw e;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.ackTimer);
    await this.supervisor.stop();
    await this.http?.close();
    this.netconf.closeAll();
    await this.ssh.close();
    await this.socket.close();
    // Connections just closed end their sessions on the next turns; wait for those records.
    await new Promise((resolve) => setImmediate(resolve));
    for (const s of this.engine.listSessions()) await this.engine.closeSession(s, 'shutdown');
    await this.engine.idle();
    this.bus.saveAcks();
    this.monitor.close();
    this.engine.close();
    this.engine.store.close();
    this.syslog.close();
    this.lock.release();
    this.log.info('appliance stopped');
  }
}

/** Files of a data directory made before the umask rule (0644 then) become the owner's only. */
function tightenSecrets(files: readonly string[]): void {
  for (const f of files) {
    try {
      if ((statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
