/**
 * @module main/output
 * What commands print: results on stdout, one-line reasons on stderr, and the exit status.
 */
import { ConfdError } from '../confd/core/errors.js';
import { escapeTerminal } from '../confd/core/terminal.js';

/** Prints `text` on stdout, with what a terminal would act on escaped (confd/core/terminal). */
export function out(text: string): void {
  const safe = escapeTerminal(text);
  process.stdout.write(safe.endsWith('\n') ? safe : safe + '\n');
}

export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** One line per problem: the path it concerns, then the reason. */
export function describeError(e: unknown): string {
  if (e instanceof ConfdError) {
    return escapeTerminal(e.flatten().map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n'));
  }
  return escapeTerminal(e instanceof Error ? e.message : String(e));
}

export class UsageError extends Error {}

/**
 * A reader that went away (`appliance config history | head -1`) ends the tool without a
 * word, as it ends cat: the output nobody reads is not an error worth a stack trace.
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
}
