/**
 * @module confd/northbound/tcp-listen
 * Listening on a TCP address (the SSH and HTTPS listeners): resolves with the address bound
 * (the port chosen when 0 was asked), rejects when it cannot be bound.
 */
import type { AddressInfo } from 'node:net';

export interface Listenable {
  once(event: 'error', fn: (e: Error) => void): unknown;
  off(event: 'error', fn: (e: Error) => void): unknown;
  listen(port: number, host: string, fn: () => void): unknown;
  address(): unknown;
}

export function listenTcp(server: Listenable, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
