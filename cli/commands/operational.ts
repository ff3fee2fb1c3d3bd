/**
 * @module cli/commands/operational
 * The operational-mode command table: `show configuration`, `show system commit|sessions|
 * users|software`, `show audit`, `show subscribers`, `request system software …`,
 * `configure [exclusive|private]`, `help`, `exit`/`quit`. Each entry is its grammar, its help
 * and what it runs; the appliance decides what the user may do and says so.
 */
import { ConfdError } from '../../confd/api/index.js';
import { CommandTable, type CommandSpec } from '../command-table.js';
import type { CommandContext, Editing } from '../context.js';
import { topOf } from '../grammar.js';
import { TEXT_PIPES } from '../pipes.js';
import { problem } from '../problem.js';
import { renderTable, shortTime } from '../render/table.js';
import { candidateChanged, showConfig } from './show-config.js';
import { MONITORING_COMMANDS } from './monitoring.js';

type Spec = CommandSpec<CommandContext>;

interface CommitHeader { txid: number; time: string; user: string; source: string; comment: string }
interface SessionInfo { session: number; user: string; source: string; address: string; since: string; editing: string | null; self: boolean }
interface AuditRecord { seq: number; time: string; user: string; source: string; address: string; action: string; target: string; result: string; detail?: Record<string, unknown> }
interface Subscriber { name: string; paths: string[]; priority: number; validate: boolean; mandatory: boolean; connected: boolean; lastAck: number; lag: number }
export interface Editor { session: number; user: string; address: string; mode: string; since: string; pending: number }

const UNAVAILABLE = 'the upgrade manager is not running on this appliance';

/** Lines `key: value` for a result of the upgrade manager, nested objects indented. */
function keyValues(v: unknown, indent = ''): string[] {
  if (typeof v !== 'object' || v === null) return [`${indent}${String(v)}`];
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'object' && x !== null) out.push(`${indent}${k}:`, ...keyValues(x, indent + '  '));
    else out.push(`${indent}${k}: ${String(x)}`);
  }
  return out;
}

/** A software request relayed to the upgrade manager; an appliance without one says so plainly. */
async function software(cx: CommandContext, method: string, params: Record<string, unknown>): Promise<number> {
  try {
    const result = await cx.backend.request(method, params);
    const lines = keyValues(result);
    if (lines.length > 0) cx.out(lines.join('\n') + '\n');
    return 0;
  } catch (e) {
    if (e instanceof ConfdError && (e.code === 'TXN_NOT_SUPPORTED' || e.code === 'SOCK_BAD_REQUEST')) {
      if (method === 'software.status') { cx.out(`System software information is not available: ${UNAVAILABLE}.\n`); return 0; }
      return cx.problem(problem('unavailable', `${method === 'software.add' ? 'software cannot be installed' : 'software cannot be rolled back'}: ${UNAVAILABLE}`));
    }
    return cx.fail(e, { action: 'other' });
  }
}

/** `Users currently editing the configuration:` lines (other sessions in configuration mode). */
export function editorLines(editors: readonly Editor[], except?: number): string[] {
  const others = editors.filter((e) => e.session !== except);
  if (others.length === 0) return [];
  return ['Users currently editing the configuration:', ...others.map((e) =>
    `  ${e.user} (session ${e.session}, ${e.mode}, from ${e.address}) since ${shortTime(e.since)}${e.pending > 0 ? `, ${e.pending} pending ${e.pending === 1 ? 'change' : 'changes'}` : ''}`)];
}

export const helpCommand: Spec = {
  words: ['help'], help: 'List the commands of this mode',
  run: async (cx) => {
    const table = cx.tables[cx.state.mode];
    const items = table.topWords();
    const width = Math.max(...items.map((i) => i.word.length)) + 2;
    cx.out(items.map((i) => `  ${i.word.padEnd(width)}${i.help}`).join('\n') + '\n');
    cx.out("Type '?' anywhere for what may follow, Tab to complete.\n");
    return 0;
  },
};

const OPERATIONAL: Spec[] = [
  { words: ['show'], help: 'Show information about the appliance' },
  {
    words: ['show', 'configuration'], help: 'Show the running configuration',
    args: [{ kind: 'path', name: 'path', purpose: 'show', optional: true }],
    pipes: ['display', 'compare', ...TEXT_PIPES],
    run: (cx, args, pipes) => showConfig(cx, 'running', args.path('path'), pipes),
  },
  { words: ['show', 'system'], help: 'Show system information' },
  {
    words: ['show', 'system', 'commit'], help: 'Show the commit history (rollback numbers, users, times, comments)',
    args: [{ kind: 'number', name: 'count', help: 'Number of commits to show', optional: true }],
    pipes: TEXT_PIPES,
    run: async (cx, args) => {
      const history = await cx.backend.request<CommitHeader[]>('history', { limit: args.number('count') ?? 50 });
      cx.out(renderTable(['#', 'TIME', 'USER', 'VIA', 'COMMIT', 'COMMENT'],
        history.map((h, i) => [String(i), shortTime(h.time), h.user, h.source, String(h.txid), h.comment])));
      return 0;
    },
  },
  {
    words: ['show', 'system', 'sessions'], help: 'Show the management sessions (CLI, NETCONF, local tools)',
    pipes: TEXT_PIPES,
    run: async (cx) => {
      const sessions = await cx.backend.request<SessionInfo[]>('sessions');
      cx.out(renderTable(['SESSION', 'USER', 'SOURCE', 'FROM', 'SINCE', 'EDITING'],
        sessions.map((s) => [`${s.session}${s.self ? '*' : ''}`, s.user, s.source, s.address, shortTime(s.since), s.editing ?? '-'])));
      return 0;
    },
  },
  {
    words: ['show', 'system', 'users'], help: 'Show the users logged in',
    pipes: TEXT_PIPES,
    run: async (cx) => {
      const sessions = await cx.backend.request<SessionInfo[]>('sessions');
      const byUser = new Map<string, SessionInfo[]>();
      for (const s of sessions) byUser.set(s.user, [...(byUser.get(s.user) ?? []), s]);
      cx.out(renderTable(['USER', 'SESSIONS', 'VIA', 'FROM', 'SINCE', 'EDITING'], [...byUser].map(([user, list]) => [
        user, String(list.length), [...new Set(list.map((s) => s.source))].join(','), [...new Set(list.map((s) => s.address))].join(','),
        shortTime(list.map((s) => s.since).sort()[0] ?? ''), list.some((s) => s.editing) ? 'yes' : 'no',
      ])));
      return 0;
    },
  },
  {
    words: ['show', 'system', 'software'], help: 'Show the installed software and its slots',
    pipes: TEXT_PIPES,
    run: (cx) => software(cx, 'software.status', {}),
  },
  {
    words: ['show', 'audit'], help: 'Show the audit log, newest last',
    args: [{ kind: 'options', options: [
      { word: 'user', help: 'Only the actions of this user', value: { kind: 'text', name: 'user', help: 'User name' } },
      { word: 'last', help: 'Only the last N records (default 20)', value: { kind: 'number', name: 'count', help: 'Number of records' } },
    ] }],
    pipes: TEXT_PIPES,
    run: async (cx, args) => {
      const user = args.text('user');
      const records = await cx.backend.request<AuditRecord[]>('audit.show', { ...(user ? { user } : {}), limit: Math.max(1, args.number('last') ?? 20) });
      cx.out(renderTable(['SEQ', 'TIME', 'USER', 'SOURCE', 'FROM', 'ACTION', 'TARGET', 'RESULT'],
        [...records].reverse().map((r) => [String(r.seq), shortTime(r.time), r.user, r.source, r.address, r.action, r.target || '-', r.result])));
      return 0;
    },
  },
  {
    words: ['show', 'subscribers'], help: 'Show the daemons that follow the configuration',
    pipes: TEXT_PIPES,
    run: async (cx) => {
      const list = await cx.backend.request<Subscriber[]>('subscribers');
      cx.out(renderTable(['NAME', 'PRIORITY', 'STATE', 'LAST-ACK', 'LAG', 'FLAGS', 'PATHS'], list.map((s) => [
        s.name, String(s.priority), s.connected ? 'connected' : 'absent', String(s.lastAck), String(s.lag),
        [s.validate ? 'validate' : '', s.mandatory ? 'mandatory' : ''].filter(Boolean).join(',') || '-', s.paths.join(' '),
      ])));
      return 0;
    },
  },
  { words: ['request'], help: 'Ask the appliance to do something' },
  { words: ['request', 'system'], help: 'System requests' },
  { words: ['request', 'system', 'software'], help: 'Install or roll back system software' },
  {
    words: ['request', 'system', 'software', 'add'], help: 'Install a software bundle into the other slot',
    args: [
      { kind: 'text', name: 'file', help: 'Bundle file', file: true },
      { kind: 'options', options: [
        { word: 'force', help: 'Install even the version that is running' },
        { word: 'confirm-within', help: 'Revert unless confirmed within this many minutes',
          value: { kind: 'number', name: 'minutes', help: 'Minutes', decimal: true } },
      ] },
    ],
    run: (cx, args) => {
      const name = args.text('file')!;
      let bundle = name;
      try {
        if (cx.files) bundle = cx.files.path(name);
      } catch (e) {
        return Promise.resolve(cx.problem(problem('bad-argument', (e as Error).message)));
      }
      const within = args.number('confirm-within');
      return software(cx, 'software.add', { bundle, ...(args.has('force') ? { force: true } : {}), ...(within !== undefined ? { confirmWithin: within } : {}) });
    },
  },
  {
    words: ['request', 'system', 'software', 'sanity-check'], help: 'Run the sanity checks of /system/software now',
    run: (cx) => software(cx, 'software.sanity-check', {}),
  },
  {
    words: ['request', 'system', 'software', 'confirm'], help: 'Keep the software installed with confirm-within',
    run: (cx) => software(cx, 'software.confirm', {}),
  },
  {
    words: ['request', 'system', 'software', 'rollback'], help: 'Boot the previous software slot',
    run: (cx) => software(cx, 'software.rollback', {}),
  },
  ...(['configure', 'edit'] as const).map((word): Spec => ({
    words: [word], help: word === 'configure' ? 'Enter configuration mode' : "Enter configuration mode (as 'configure')",
    args: [{ kind: 'choice', name: 'mode', optional: true, choices: [
      { word: 'exclusive', help: 'Lock the candidate: only this session may change it' },
      { word: 'private', help: 'Edit a candidate of your own; commit applies only your changes' },
    ] }],
    run: (cx, args) => enterConfigure(cx, (args.text('mode') as Editing | undefined) ?? 'shared'),
  })),
  ...MONITORING_COMMANDS,
  helpCommand,
  { words: ['exit'], help: 'Leave the CLI', run: async (cx) => { cx.state.ended = true; return 0; } },
  { words: ['quit'], help: 'Leave the CLI', run: async (cx) => { cx.state.ended = true; return 0; } },
];

async function enterConfigure(cx: CommandContext, mode: Editing): Promise<number> {
  try {
    await cx.backend.request('configure.enter', { mode });
  } catch (e) {
    return cx.fail(e, { action: 'configure' });
  }
  cx.state.mode = 'configuration';
  cx.state.editing = mode;
  cx.state.location = topOf(cx.grammar);
  const lines = [`Entering configuration mode${mode === 'shared' ? '' : ` (${mode})`}`];
  try {
    const editors = await cx.backend.request<Editor[]>('configure.editors');
    const sessions = await cx.backend.request<SessionInfo[]>('sessions').catch(() => []);
    lines.push(...editorLines(editors, sessions.find((s) => s.self)?.session));
    if (mode === 'private') lines.push('warning: uncommitted changes will be discarded on exit');
    else if (await candidateChanged(cx)) lines.push('The configuration has been changed but not committed');
  } catch {
    // Who else edits is advice; a user who may not see it still configures.
  }
  cx.out(lines.join('\n') + '\n');
  await cx.changed('candidate');
  return 0;
}

export function operationalTable(): CommandTable<CommandContext> {
  return new CommandTable('operational', OPERATIONAL);
}
