/**
 * @module test/security/ssh-netconf
 * Hostile-client helpers for the security suite: a NETCONF session over a real ssh2 client
 * connection to a spawned appliance, and the daemon's resident memory and open file handles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { streamTransport } from '../../confd/northbound/transport.js';
import { NetconfClient } from '../helpers/netconf-client.js';

export const PASSWORD = 'secret-admin-pw';

export interface SshNetconf {
  readonly nc: NetconfClient;
  close(): void;
}

/** Logs in with a password over ssh2 and opens the `netconf` subsystem. */
export function connectNetconf(port: number, user = 'admin', password = PASSWORD, timeoutMs = 10_000): Promise<SshNetconf> {
  return new Promise((resolve, reject) => {
    const conn = new ssh2.Client();
    conn.on('error', reject);
    conn.on('ready', () => {
      // Without it the client's delayed ACKs add 40 ms to every small request.
      conn.setNoDelay(true);
      conn.subsys('netconf', (err, channel) => {
        if (err) { conn.end(); reject(err); return; }
        NetconfClient.connect(streamTransport(channel), { base: '1.0', timeoutMs }).then(
          (nc) => resolve({ nc, close: () => conn.end() }),
          (e: unknown) => { conn.end(); reject(e as Error); });
      });
    });
    conn.connect({ host: '127.0.0.1', port, username: user, password, readyTimeout: timeoutMs });
  });
}

/** The process's resident set size, in bytes. */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** How many file descriptors the process has open. */
export function fdsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** The p-th percentile (0..100) of the values. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
