/**
 * @module main/status-command
 * `appliance status [--json]`: one look at a device for a person or a script — the management
 * daemon (running, version, uptime, SSH addresses, supervised daemons), the A/B slots and the
 * open sessions. Exit 0 when the daemon runs, 3 when it does not (as `systemctl status`).
 */
import { existsSync } from 'node:fs';
import { SocketClient } from '../confd/api/index.js';
import { dataDir } from '../confd/main/app-paths.js';
import { readBootState } from '../upgrade/boot/state.js';
import { deviceLayout } from '../upgrade/layout.js';
import { DATA_DIR_OPTION, JSON_OPTION, USER_OPTION, flag, str, toolUser, type Command } from './commands.js';
import { out, printJson } from './output.js';

export const EXIT_NOT_RUNNING = 3;

interface DaemonStatus {
  uptimeMs: number; commits: number; sessions: number; nodes: number;
  daemons: Array<{ name: string; status: string }>;
}
interface Health { schemaVersion: number; sshListen: Array<{ address: string; port: number }>; valid: boolean; confirmedPending: boolean }
interface SessionRow { session: number; user: string; source: string; address: string; since: string; editing: string | null; self: boolean }

/** What the appliance reports of itself now, read through its socket; null when it is not running. */
async function live(socket: string, user: string): Promise<{ status: DaemonStatus; health: Health; sessions: SessionRow[] } | null> {
  if (!existsSync(socket)) return null;
  let client: SocketClient;
  try {
    client = await SocketClient.connect(socket, user, 'appliance-status');
  } catch {
    return null;
  }
  try {
    const [status, health, sessions] = await Promise.all([
      client.request<DaemonStatus>('status'), client.request<Health>('health'), client.request<SessionRow[]>('sessions'),
    ]);
    return { status, health, sessions: sessions.filter((s) => !s.self) };
  } finally {
    client.close();
  }
}

export const status: Command = {
  summary: 'the state of the device: daemon, slots, sessions (exit 3 when the daemon is not running)',
  usage: 'appliance status [--json] [--data-dir D]',
  options: { ...DATA_DIR_OPTION, ...USER_OPTION, ...JSON_OPTION },
  async run(ctx) {
    const root = str(ctx, 'data-dir')!;
    const boot = readBootState(deviceLayout(root).bootState);
    const now = await live(dataDir(root).socket, toolUser(ctx));
    const report = {
      dataDir: dataDir(root).root,
      daemon: now
        ? { running: true, schemaVersion: now.health.schemaVersion, uptimeMs: now.status.uptimeMs, commits: now.status.commits,
          nodes: now.status.nodes, configValid: now.health.valid, confirmedCommitPending: now.health.confirmedPending,
          ssh: now.health.sshListen, daemons: now.status.daemons }
        : { running: false },
      slots: boot ? { primary: boot.primary, slots: boot.slots } : null,
      sessions: now?.sessions ?? [],
      // Filled once monitoring raises alarms; scripts can rely on the member being there.
      alarms: [] as unknown[],
    };
    if (flag(ctx, 'json')) { printJson(report); return now ? 0 : EXIT_NOT_RUNNING; }
    if (!now) out(`daemon:   not running on ${report.dataDir}`);
    else {
      const d = report.daemon as { schemaVersion: number; uptimeMs: number; commits: number; ssh: Array<{ address: string; port: number }> };
      out(`daemon:   running, schema ${d.schemaVersion}, up ${Math.round(d.uptimeMs / 1000)} s, ${d.commits} commits, `
        + `SSH on ${d.ssh.map((l) => (l.address.includes(':') ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`)).join(', ')}`);
      for (const x of now.status.daemons) out(`  ${x.name}: ${x.status}`);
    }
    if (boot) {
      for (const [name, s] of Object.entries(boot.slots)) {
        out(`slot ${name}:   ${s.status} ${s.version ?? '-'} (schema ${s.schemaVersion ?? '-'})${name === boot.primary ? ' primary' : ''}`);
      }
    }
    out(`sessions: ${report.sessions.length}`);
    for (const s of report.sessions) out(`  ${s.session}\t${s.user}\t${s.source}\t${s.address}\tsince ${s.since}${s.editing ? `\t${s.editing}` : ''}`);
    return now ? 0 : EXIT_NOT_RUNNING;
  },
};
