/**
 * @module confd/main/device-api
 * How a command-line tool talks to a device: through the running appliance's local socket
 * when it runs (so validation, audit and the engine's state are never bypassed), or, when it
 * does not, by opening the device in-process under the data-directory lock. Either way the
 * same socket methods run, so both paths behave the same, and the user is the one the
 * process's uid maps to on both (confd/auth/local-identity); `user` is only noted.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { ConfdError } from '../core/errors.js';
import { SocketClient } from '../northbound/socket/client.js';
import { methodTable } from '../northbound/socket/methods.js';
import { Operations } from '../rpc/operations.js';
import { DataDirLock } from '../store/lock.js';
import { dataDir } from './app-paths.js';
import { openDevice } from './device.js';
import { localIdentity } from '../auth/local-identity.js';

export interface DeviceApi {
  /** true when talking to a running appliance. */
  readonly remote: boolean;
  request<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** `slot` and `schemaVersion` say which database to open when the appliance is not running. */
export async function connectDevice(
  root: string, user: string, logger: Logger, offline: { slot?: string; schemaVersion?: number } = {},
): Promise<DeviceApi> {
  const dirs = dataDir(root, offline.slot);
  if (existsSync(dirs.lock) && DataDirLock.isHeld(dirs.lock)) {
    const client = await SocketClient.connect(dirs.socket, user);
    return { remote: true, request: (m, p) => client.request(m, p), close: async () => client.close() };
  }
  if (!existsSync(dirs.database)) {
    throw new ConfdError('STORE_CORRUPT', `no appliance database in ${dirs.root} (start the appliance once, or check --data-dir)`);
  }
  const lock = DataDirLock.tryAcquire(dirs.lock);
  if (!lock) throw new ConfdError('STORE_LOCKED', 'the appliance started while this tool was connecting; try again');
  try {
    const engine = await openDevice({ dataDir: dirs.root, logger, ...offline });
    const ops = new Operations(engine, logger);
    // The same rule as the socket: this process's own uid (it holds the database) names the user.
    const uid = process.getuid?.() ?? 0;
    const id = localIdentity(engine, { uid, pid: process.pid }, uid, user);
    const session = ops.openSession({ user: id.user, source: 'local', address: 'local', peer: id.peer });
    const methods = methodTable();
    return {
      remote: false,
      request: async <T>(m: string, p: Record<string, unknown> = {}) => (await methods.call({ ops, session }, m, p)) as T,
      close: async () => {
        await ops.closeSession(session, 'tool finished');
        engine.close();
        engine.store.close();
        lock.release();
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}
