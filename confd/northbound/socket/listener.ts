/**
 * @module confd/northbound/socket/listener
 * Listening on a Unix domain socket in the data directory: a stale socket file left by a
 * process that died is removed first (the data-dir lock proves nobody serves it), the socket
 * is made group-accessible only (0660), and closing removes it again.
 */
import { chmodSync, rmSync } from 'node:fs';
import type { Server, Socket } from 'node:net';

export function listenUnix(server: Server, path: string): Promise<void> {
  rmSync(path, { force: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      chmodSync(path, 0o660);
      resolve();
    });
  });
}

/** Ends every connection, stops listening and removes the socket file. */
export async function closeUnix(server: Server, path: string, connections: Iterable<Socket>): Promise<void> {
  for (const c of connections) c.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(path, { force: true });
}
