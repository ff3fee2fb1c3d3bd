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
import { Operations } from '../rpc/operations.js';
import { DataDirLock } from '../store/lock.js';
import type { ConfigEngine } from '../txn/engine.js';
import { dataDir, type DataDir } from './app-paths.js';
import { openDevice } from './device.js';
import { newestBackup } from './backups.js';

export interface DaemonOptions {
  readonly dataDir: string;
  readonly logger: Logger;
}

export class Daemon {
  private constructor(
    readonly dirs: DataDir,
    readonly engine: ConfigEngine,
    readonly ops: Operations,
    private readonly socket: SocketServer,
    private readonly lock: DataDirLock,
    private readonly log: Logger,
  ) {}

  static async start(options: DaemonOptions): Promise<Daemon> {
    const dirs = dataDir(options.dataDir);
    mkdirSync(dirs.root, { recursive: true, mode: 0o750 });
    const lock = DataDirLock.tryAcquire(dirs.lock);
    if (!lock) throw new ConfdError('STORE_LOCKED', `another appliance is already running on ${dirs.root}`);
    let engine: ConfigEngine;
    try {
      engine = await openDevice({ dataDir: dirs.root, logger: options.logger });
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
    const ops = new Operations(engine, options.logger);
    const socket = new SocketServer(ops, options.logger.child({ part: 'socket' }), dirs.socket);
    try {
      await socket.listen();
    } catch (e) {
      engine.close();
      engine.store.close();
      lock.release();
      throw e;
    }
    options.logger.info({ dataDir: dirs.root, txid: engine.store.lastTxid, nodes: engine.running.size }, 'appliance started');
    return new Daemon(dirs, engine, ops, socket, lock, options.logger);
  }

  async stop(): Promise<void> {
    await this.socket.close();
    for (const s of this.engine.listSessions()) await this.engine.closeSession(s, 'shutdown');
    this.engine.close();
    this.engine.store.close();
    this.lock.release();
    this.log.info('appliance stopped');
  }
}
