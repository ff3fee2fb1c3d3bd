/**
 * @module cli/problem
 * What the CLI itself finds wrong with a command line before anything reaches the appliance:
 * an unknown or ambiguous word, a missing argument, a stray word, an open quote. These are
 * expected outcomes, so they are values, not exceptions; cli/messages words them.
 */

export type ProblemKind =
  | 'unknown-word' | 'ambiguous-word' | 'incomplete' | 'unexpected-word' | 'bad-argument' | 'open-quote' | 'unavailable';

export interface CliProblem {
  readonly kind: ProblemKind;
  readonly message: string;
  /** Offset in the line of the character the caret points at. */
  readonly offset?: number;
  /** Nearest valid words (for an unknown word) or the candidates (for an ambiguous one). */
  readonly suggestions?: readonly string[];
  /** A hint shown on a line of its own. */
  readonly hint?: string;
}

export function problem(kind: ProblemKind, message: string, extra: Omit<CliProblem, 'kind' | 'message'> = {}): CliProblem {
  return { kind, message, ...extra };
}

export function isProblem(v: unknown): v is CliProblem {
  return typeof v === 'object' && v !== null && 'kind' in v && 'message' in v && !(v instanceof Error);
}
