/**
 * @module cli/exec
 * Non-interactive use: one or more commands separated by `;` or newlines (the SSH exec
 * channel, `appliance cli -c`), run in one session, stopping at the first that fails.
 * Output goes to `output`, errors to `errorOutput`; the result is the exit status, 0 or 1.
 */
import type { Backend, Output } from './context.js';
import type { FileStore } from './files.js';
import type { GrammarCache } from './grammar.js';
import { describeFailure } from './messages.js';
import { CliSession, auditOptions, type AuditOptions } from './session.js';

export interface RunCommandsOptions extends AuditOptions {
  readonly backend: Backend;
  readonly output: Output;
  readonly errorOutput?: Output;
  /** For messages that name the user; the appliance knows who the session is. */
  readonly user?: string;
  readonly files?: FileStore;
  readonly host?: string;
  readonly grammars?: GrammarCache;
}

export async function runCommands(text: string, o: RunCommandsOptions): Promise<number> {
  const errorOutput = o.errorOutput ?? o.output;
  let session: CliSession;
  try {
    session = await CliSession.open({
      backend: o.backend, user: o.user ?? 'user', output: o.output, errorOutput, ...auditOptions(o),
      ...(o.files ? { files: o.files } : {}), ...(o.host ? { host: o.host } : {}), ...(o.grammars ? { grammars: o.grammars } : {}),
    });
  } catch (e) {
    errorOutput.write(describeFailure(e, { action: 'other' }).lines.join('\n') + '\n');
    return 1;
  }
  try {
    const r = await session.execute(text);
    return r.status === 0 ? 0 : 1;
  } finally {
    await session.close();
  }
}
