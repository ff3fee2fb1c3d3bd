/**
 * @module cli
 * The operator CLI, for its hosts (the SSH listener's shell and exec channels, `appliance
 * cli`): the interactive shell over a pair of streams, non-interactive command runs, and the
 * file stores `load`/`save` use. Imports only confd/api and Node built-ins.
 */
export { runShell, type ShellNotice, type ShellNotices, type ShellOptions } from './shell.js';
export { runCommands, type RunCommandsOptions } from './exec.js';
export { CliSession, type SessionOptions, type LineResult, type AuditFailure, type AuditOptions, type CliLog } from './session.js';
export type { Backend, Output } from './context.js';
export { directoryFiles, userFiles, type FileStore } from './files.js';
export { GrammarCache, compileGrammar, type Grammar } from './grammar.js';
