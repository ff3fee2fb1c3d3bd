/**
 * @module confd/main/daemon
 * The management daemon: takes the data-directory lock, opens the device, serves the local
 * socket (and the SSH listener), and shuts down cleanly. main.ts-style wiring: everything is
 * built here and passed down; no module keeps global state.
 */
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { ConfdError } from '../core/errors.js';
import { SocketServer } from '../northbound/socket/server.js';
import { ChangeBus } from '../notify/bus.js';
import { Supervisor } from './supervisor.js';
import { CliService } from './cli-service.js';
import type { HostInfo } from '../northbound/socket/methods.js';
import { Operations } from '../rpc/operations.js';
import { DataDirLock } from '../store/lock.js';
import type { ConfigEngine } from '../txn/engine.js';
import { dataDir, softwareVersion, type DataDir } from './app-paths.js';
import { openDevice } from './device.js';
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
import type { LogRing } from './log-ring.js';

export interface DaemonOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** SSH listen address and port (0: any free port). */
  readonly listen: string;
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
    const lock = DataDirLock.tryAcquire(dirs.lock);
    if (!lock) throw new ConfdError('STORE_LOCKED', `another appliance is already running on ${dirs.root}`);
    let engine: ConfigEngine;
    try {
      engine = await openDevice({
        dataDir: dirs.root, logger: options.logger,
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
    let sshPort = 0;
    const env = options.env ?? process.env;
    const monitor = new Monitor({
      engine, file: monitorFile(dirs.root), dataDir: dirs.root, databaseFile: dirs.database, log: log.child({ part: 'monitor' }),
      daemons: () => supervisor.list(),
      subscribers: () => bus.list().map((s) => ({ name: s.name, lag: s.lag, connected: s.connected, mandatory: s.mandatory })),
      sources: {
        ...(env.APPLIANCE_PROC_ROOT ? { proc: env.APPLIANCE_PROC_ROOT } : {}),
        ...(env.APPLIANCE_SYS_CLASS_NET ? { sysClassNet: env.APPLIANCE_SYS_CLASS_NET } : {}),
      },
    });
    const host: HostInfo = {
      daemons: () => supervisor.list(), sshPort: () => sshPort, monitor: () => monitor, softwareVersion,
      recentLog: () => options.logRing?.recent() ?? [],
    };
    const socket = new SocketServer(ops, bus, log.child({ part: 'socket' }), dirs.socket, host);
    const state = { engine, softwareVersion: softwareVersion(), daemonState: (name: string) => supervisor.state(name), monitor };
    const netconf = new NetconfServer({ ops, log: log.child({ part: 'netconf' }), state, countRpc: (op, ok) => monitor.counters.rpc(op, ok) });
    let ssh: SshServer | undefined;
    let http: HttpServer | null = null;
    try {
      await ensureInitialAdmin(engine, dirs, log, options.env ?? process.env);
      await socket.listen();
      const shell = new CliService({ ops, bus, host, log: log.child({ part: 'cli' }), dataDir: dirs.root });
      ssh = new SshServer({ hostKey: loadOrCreateHostKey(dirs.hostKey), engine, netconf, log: log.child({ part: 'ssh' }), shell });
      const address = await ssh.listen(options.port, options.listen);
      sshPort = address.port;
      monitor.onAlarm((e) => {
        netconf.notifications.broadcast(alarmNotification(e, new Date().toISOString()));
        bus.publish('/system/alarms', 'alarm', { event: e.kind, alarm: { ...e.alarm }, ...(e.user ? { user: e.user } : {}) });
        const a = e.alarm;
        if ((e.kind === 'raised' || e.kind === 'cleared') && (a.severity === 'critical' || a.severity === 'major') && !a.shelved) {
          shell.broadcast(`\r\n*** alarm ${e.kind}: ${a.severity} ${a.type} ${a.resource}: ${a.text}\r\n`);
        }
      });
      let httpPort: number | null = null;
      if (options.httpPort !== null && options.httpPort !== undefined) {
        const tls = loadOrCreateCertificate({ key: dirs.httpKey, cert: dirs.httpCert });
        const metrics = new MetricsEndpoint(monitor, { softwareVersion: softwareVersion(), schemaVersion: engine.schema.version });
        http = new HttpServer({ ...tls, routes: [metricsRoute(metrics)], auth: new BasicAuth(engine), log: log.child({ part: 'http' }) });
        httpPort = (await http.listen(options.httpPort, options.listen)).port;
      }
      supervisor.start();
      monitor.start();
      log.info({ dataDir: dirs.root, txid: engine.store.lastTxid, nodes: engine.running.size, sshPort: address.port, httpPort, listen: options.listen },
        'appliance started');
      return new Daemon(dirs, engine, ops, bus, supervisor, socket, netconf, ssh, address.port, lock, log, monitor, http, httpPort);
    } catch (e) {
      await http?.close().catch(() => undefined);
      monitor.close();
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
    this.lock.release();
    this.log.info('appliance stopped');
  }
}
