/**
 * @module cli/commands/configuration
 * The configuration-mode command table: `set`, `delete`, `edit`, `up`, `top`, `show [| compare]`,
 * `commit [check] [confirmed M] [comment "…"] [and-quit]`, `rollback N`, `load`, `save`, `run`,
 * `status`, `help`, `exit [discard|configuration-mode]`. Values are never checked here: `set`
 * sends its edit and the appliance answers with its own words.
 */
import type { JsonObject } from '../../confd/api/index.js';
import { CommandTable, type ArgSpec, type Args, type CommandSpec } from '../command-table.js';
import type { CommandContext } from '../context.js';
import { deleteEdit, setEdit } from '../edit-tree.js';
import { topOf, upFrom } from '../grammar.js';
import type { Action } from '../messages.js';
import { TEXT_PIPES, type PipeName } from '../pipes.js';
import { isPrompted } from '../path-parser.js';
import { problem } from '../problem.js';
import { insert, renameOrCopy, wildcardDelete } from './entry-verbs.js';
import { consentToDiscard, exit, leave } from './leave.js';
import { activate, annotate, deactivate } from './notes.js';
import { applyLoad, load, save, TERMINAL } from './load-save.js';
import { editorLines, helpCommand, type Editor } from './operational.js';
import { showConfig } from './show-config.js';

type Spec = CommandSpec<CommandContext>;

const TO: ArgSpec = { kind: 'choice', name: 'word', choices: [{ word: 'to', help: 'The new keys follow' }] };

const ALL_PIPES: PipeName[] = ['display', 'compare', ...TEXT_PIPES];
/** Minutes a confirmed commit waits when none are given, and the most it may wait (as Junos). */
const DEFAULT_CONFIRM_MINUTES = 10;
const MAX_CONFIRM_MINUTES = 65535;

async function edit(cx: CommandContext, tree: JsonObject, action: Action): Promise<number> {
  try {
    await cx.backend.request('config.edit', { edit: tree });
    return 0;
  } catch (e) {
    return cx.fail(e, { action });
  } finally {
    await cx.changed('candidate');
  }
}

function duration(seconds: number): string {
  return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
}

async function commit(cx: CommandContext, args: Args): Promise<number> {
  if (args.has('check')) {
    if (['confirmed', 'comment', 'and-quit'].some((o) => args.has(o))) {
      return cx.problem(problem('bad-argument', "'commit check' takes no other option"));
    }
    try {
      await cx.backend.request('validate', { datastore: 'candidate' });
    } catch (e) {
      return cx.fail(e, { action: 'check' });
    }
    cx.out('configuration check succeeds\n');
    return 0;
  }
  let timeout: number | undefined;
  if (args.has('confirmed')) {
    const minutes = args.number('confirmed') ?? DEFAULT_CONFIRM_MINUTES;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_CONFIRM_MINUTES) {
      return cx.problem(problem('bad-argument', `a confirmed commit waits 1 to ${MAX_CONFIRM_MINUTES} minutes, not ${minutes}`));
    }
    timeout = minutes * 60;
  }
  const comment = args.text('comment');
  let result: { txid: number | null; confirmedPending: boolean; confirmed?: { session: number; user: string } };
  try {
    // A CLI confirmed commit outlives this session: log out, log back in, `commit` to confirm (Junos).
    result = await cx.backend.request('commit', {
      ...(comment !== undefined ? { comment } : {}),
      ...(timeout !== undefined ? { confirmed: true, confirmTimeout: timeout, anySession: true } : {}),
    });
  } catch (e) {
    return cx.fail(e, { action: 'commit' });
  } finally {
    await cx.changed('running');
  }
  if (result.confirmedPending && timeout !== undefined) {
    cx.out(`commit confirmed will be automatically rolled back in ${duration(timeout)} unless confirmed\n`);
    cx.out("confirm it with 'commit' from any session (it stays pending if this one ends)\n");
  } else if (result.confirmed) {
    cx.out(`confirmed the pending commit of ${result.confirmed.user} (session ${result.confirmed.session}): it will not be rolled back\n`);
  }
  cx.out('commit complete\n');
  return args.has('and-quit') ? leave(cx) : 0;
}

const CONFIGURATION: Spec[] = [
  {
    words: ['set'], help: 'Set a value, or create a list entry',
    args: [{ kind: 'path', name: 'path', purpose: 'set' }],
    run: async (cx, args) => {
      const target = args.path('path')!;
      if (target.values !== undefined || target.node.kind !== 'leaf' || !isPrompted(target.node)) return edit(cx, setEdit(target), 'set');
      // A sensitive leaf without a value (plain-text-password): prompted twice, never echoed.
      const first = await cx.secret('New password: ');
      if (first === null) return cx.problem(problem('bad-argument', `'${target.node.name}' is prompted for on an interactive terminal; give its value instead`));
      if ((await cx.secret('Retype new password: ')) !== first) return cx.problem(problem('bad-argument', 'the passwords do not match; nothing changed'));
      return edit(cx, setEdit({ ...target, values: [first] }), 'set');
    },
  },
  {
    words: ['delete'], help: 'Delete a value, a list entry or a whole level',
    args: [{ kind: 'path', name: 'path', purpose: 'delete' }],
    run: (cx, args) => edit(cx, deleteEdit(args.path('path')!), 'delete'),
  },
  {
    words: ['rename'], help: 'Give a list entry other keys (rename interfaces interface eth1 to interface eth2)',
    args: [{ kind: 'path', name: 'path', purpose: 'edit', until: ['to'] }, TO, { kind: 'entry', name: 'to', of: 'path' }],
    run: (cx, args) => renameOrCopy(cx, args, 'rename'),
  },
  {
    words: ['copy'], help: 'Copy a list entry, with everything under it, to new keys (copy firewall rule 10 to rule 11)',
    args: [{ kind: 'path', name: 'path', purpose: 'edit', until: ['to'] }, TO, { kind: 'entry', name: 'to', of: 'path' }],
    run: (cx, args) => renameOrCopy(cx, args, 'copy'),
  },
  {
    words: ['insert'], help: 'Move an entry of a numbered list before or after another (insert firewall rule 35 before rule 20)',
    args: [
      { kind: 'path', name: 'path', purpose: 'edit', until: ['before', 'after'] },
      { kind: 'choice', name: 'where', choices: [
        { word: 'before', help: 'Just before the other entry' }, { word: 'after', help: 'Just after the other entry' }] },
      { kind: 'entry', name: 'to', of: 'path' },
    ],
    run: (cx, args) => insert(cx, args),
  },
  { words: ['wildcard'], help: 'Act on every list entry whose keys match a pattern' },
  {
    words: ['wildcard', 'delete'], help: 'Delete the entries whose keys match (* any text, ? one character): wildcard delete interfaces interface "eth*"',
    args: [{ kind: 'path', name: 'path', purpose: 'edit' }],
    run: (cx, args) => wildcardDelete(cx, args),
  },
  {
    words: ['deactivate'], help: 'Keep a part of the configuration but take it out of effect (shown as inactive:)',
    args: [{ kind: 'path', name: 'path', purpose: 'delete' }],
    run: (cx, args) => deactivate(cx, args),
  },
  {
    words: ['activate'], help: 'Put a deactivated part of the configuration back in effect',
    args: [{ kind: 'path', name: 'path', purpose: 'delete' }],
    run: (cx, args) => activate(cx, args),
  },
  {
    words: ['annotate'], help: 'Keep a comment with a node, shown as /* … */ ("" removes it)',
    args: [{ kind: 'path', name: 'path', purpose: 'show', leavesLast: true }, { kind: 'text', name: 'comment', help: 'The comment, quoted' }],
    run: (cx, args) => annotate(cx, args),
  },
  {
    words: ['edit'], help: 'Move to a level of the configuration',
    args: [{ kind: 'path', name: 'path', purpose: 'edit' }],
    run: async (cx, args) => {
      const t = args.path('path')!;
      cx.state.location = { node: t.node, segments: t.segments };
      return 0;
    },
  },
  {
    words: ['up'], help: 'Move up one level (or N levels)',
    args: [{ kind: 'number', name: 'levels', help: 'Number of levels', optional: true }],
    run: async (cx, args) => {
      cx.state.location = upFrom(cx.grammar, cx.state.location, args.number('levels') ?? 1);
      return 0;
    },
  },
  { words: ['top'], help: 'Move to the top of the configuration', run: async (cx) => { cx.state.location = topOf(cx.grammar); return 0; } },
  {
    words: ['show'], help: 'Show the candidate configuration at this level (| compare: the pending changes)',
    args: [{ kind: 'path', name: 'path', purpose: 'show', optional: true }],
    pipes: ALL_PIPES,
    run: (cx, args, pipes) => showConfig(cx, 'candidate', args.path('path'), pipes),
  },
  {
    words: ['commit'], help: 'Apply the candidate to the running configuration',
    args: [{ kind: 'options', options: [
      { word: 'check', help: 'Validate the candidate without applying it' },
      { word: 'confirmed', help: `Roll back unless confirmed by a commit from any session within MINUTES (default ${DEFAULT_CONFIRM_MINUTES})`,
        value: { kind: 'number', name: 'minutes', help: `Minutes before the automatic rollback (1..${MAX_CONFIRM_MINUTES})`, optional: true } },
      { word: 'comment', help: 'Record a comment with the commit', value: { kind: 'text', name: 'comment', help: 'Comment text (quoted)' } },
      { word: 'and-quit', help: 'Leave configuration mode after the commit' },
    ] }],
    run: (cx, args) => commit(cx, args),
  },
  {
    words: ['rollback'], help: 'Load the configuration of N commits ago into the candidate (0: discard the pending changes)',
    args: [{ kind: 'number', name: 'number', help: 'Number of commits back (0..)', optional: true }],
    run: async (cx, args) => {
      const back = args.number('number') ?? 0;
      if (back === 0 && !(await consentToDiscard(cx, "'rollback 0'"))) return 0;
      return applyLoad(cx, () => cx.backend.request('config.rollback-load', { back }), { action: 'rollback', rollback: back });
    },
  },
  {
    words: ['load'], help: 'Load configuration from a file into the candidate',
    args: [
      { kind: 'choice', name: 'how', choices: [
        { word: 'merge', help: 'Merge the file into the candidate' },
        { word: 'override', help: 'Replace the whole candidate with the file' },
        { word: 'set', help: 'Run the set/delete commands of the file' },
      ] },
      { kind: 'text', name: 'file', help: `File name, or '${TERMINAL}' to paste (end with Ctrl-D)`, file: true },
    ],
    run: (cx, args) => {
      const file = args.text('file')!;
      return load(cx, args.text('how') as 'merge' | 'override' | 'set', file, args.unquoted('file') && file === TERMINAL);
    },
  },
  {
    words: ['save'], help: 'Save the candidate configuration to a file',
    args: [{ kind: 'text', name: 'file', help: 'File name', file: true }],
    run: (cx, args) => save(cx, args.text('file')!),
  },
  {
    words: ['run'], help: 'Run an operational command',
    args: [{ kind: 'command', name: 'command', mode: 'operational' }],
    pipes: ALL_PIPES,
    run: (cx, args, pipes) => cx.runNested(args.nested('command')!, pipes),
  },
  {
    words: ['status'], help: 'Show who else is editing the configuration',
    run: async (cx) => {
      const editors = await cx.backend.request<Editor[]>('configure.editors');
      const lines = editorLines(editors);
      cx.out((lines.length > 0 ? lines : ['No one else is editing the configuration']).join('\n') + '\n');
      return 0;
    },
  },
  helpCommand,
  ...(['exit', 'quit'] as const).map((word): Spec => ({
    words: [word], help: 'Leave this level, or configuration mode at the top',
    args: [{ kind: 'choice', name: 'how', optional: true, choices: [
      { word: 'discard', help: 'Leave configuration mode, discarding uncommitted changes' },
      { word: 'configuration-mode', help: 'Leave configuration mode from any level' },
    ] }],
    run: (cx, args) => exit(cx, args.text('how')),
  })),
];

export function configurationTable(): CommandTable<CommandContext> {
  return new CommandTable('configuration', CONFIGURATION);
}
