/**
 * @module main/watch-commands
 * `appliance watch` streams configuration changes as JSON lines; `appliance subscribers` lists
 * the daemons that follow the configuration. Both need the appliance running.
 */
import { ConfigSubscriber, SocketClient } from '../confd/api/index.js';
import { DATA_DIR_OPTION, JSON_OPTION, USER_OPTION, flag, runningSocket, str, toolUser, type Command } from './commands.js';
import { UsageError, out, printJson } from './output.js';

export const watch: Command = {
  summary: 'print every change under the given paths as one JSON object per line',
  usage: 'appliance watch PATH… [--since TXID] [--data-dir D]',
  options: { ...DATA_DIR_OPTION, ...USER_OPTION, since: { type: 'string', arg: 'TXID', describe: 'first replay every change after commit TXID', defaultText: 'the current configuration, then changes' } },
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError('watch needs at least one path (/ for everything)');
    const sinceText = str(ctx, 'since');
    const since = sinceText === undefined ? undefined : Number(sinceText);
    if (since !== undefined && (!Number.isInteger(since) || since < 0)) throw new UsageError('--since takes a commit number');
    const sub = await ConfigSubscriber.connect({
      socket: runningSocket(ctx), name: `watch-${process.pid}`, paths: ctx.positionals, persist: false, user: toolUser(ctx),
      ...(since !== undefined ? { since } : {}),
      onChange: (e) => {
        for (const c of e.changes) {
          out(JSON.stringify({ txid: e.txid, time: e.time, user: e.user, source: e.source, path: c.path, op: c.op,
            old: c.old ?? null, new: c.new ?? null }));
        }
      },
      onConfig: (config, txid, resync) => { out(JSON.stringify({ txid, resync, config })); },
    });
    const stop = () => sub.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await sub.closed;
    return 0;
  },
};

interface Status { name: string; paths: string[]; priority: number; validate: boolean; mandatory: boolean; connected: boolean; lastAck: number; lag: number }

export const subscribers: Command = {
  summary: 'list the daemons subscribed to the configuration, or remove one that is gone for good',
  usage: 'appliance subscribers [--json] [remove NAME] [--data-dir D]',
  subcommands: ['remove'],
  options: { ...DATA_DIR_OPTION, ...USER_OPTION, ...JSON_OPTION },
  async run(ctx) {
    const client = await SocketClient.connect(runningSocket(ctx), toolUser(ctx), 'appliance-subscribers');
    try {
      if (ctx.positionals[0] === 'remove') {
        const name = ctx.positionals[1];
        if (!name) throw new UsageError('remove needs a subscriber name');
        const r = await client.request<{ removed: boolean }>('subscribers.remove', { name });
        out(r.removed ? `removed ${name}` : `no subscriber ${name}`);
        return r.removed ? 0 : 1;
      }
      const list = await client.request<Status[]>('subscribers');
      if (flag(ctx, 'json')) { printJson(list); return 0; }
      out(['NAME', 'PRIORITY', 'STATE', 'LAST-ACK', 'LAG', 'FLAGS', 'PATHS'].join('\t'));
      for (const s of list) {
        const flags = [s.validate ? 'validate' : '', s.mandatory ? 'mandatory' : ''].filter(Boolean).join(',') || '-';
        out([s.name, s.priority, s.connected ? 'connected' : 'absent', s.lastAck, s.lag, flags, s.paths.join(' ')].join('\t'));
      }
      return 0;
    } finally {
      client.close();
    }
  },
};
