/**
 * @module main/output
 * What commands print: results on stdout, one-line reasons on stderr, and the exit status.
 */
import { ConfdError } from '../confd/core/errors.js';

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** One line per problem: the path it concerns, then the reason. */
export function describeError(e: unknown): string {
  if (e instanceof ConfdError) {
    return e.flatten().map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
  }
  return e instanceof Error ? e.message : String(e);
}

export class UsageError extends Error {}
