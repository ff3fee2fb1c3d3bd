/**
 * @module cli/expectation
 * What may follow a prefix of a command line, as the parsers report it to completion and
 * `?`: fixed words with their help, placeholders for free values, the keys of existing list
 * entries (fetched from the appliance by cli/completion), file names, and whether the line
 * may end here or be piped. Pure data.
 */
import type { JsonScalar } from '../confd/api/index.js';
import type { DataSegment, GNode } from './grammar.js';

export interface HelpItem {
  readonly word: string;
  readonly help: string;
}

export interface Expectation {
  /** Words that may come next (Tab completes them). */
  readonly words: readonly HelpItem[];
  /** Free values, shown by `?` as `<name>` (never inserted by Tab). */
  readonly placeholders: readonly HelpItem[];
  /** The next word is a key of an existing or new entry of `list`. */
  readonly keys?: { readonly list: GNode; readonly parent: readonly DataSegment[]; readonly given: readonly JsonScalar[] };
  /** The next word is a leaf value whose list of valid values lives in the configuration (x-ref). */
  readonly refOf?: GNode;
  /** The next word names a file of the session's file store. */
  readonly files?: boolean;
  /** Which datastore dynamic values come from. */
  readonly datastore?: 'running' | 'candidate';
  readonly canEnd: boolean;
  readonly canPipe: boolean;
}

export const NOTHING: Expectation = Object.freeze({ words: [], placeholders: [], canEnd: false, canPipe: false });

export function merge(a: Expectation, b: Expectation): Expectation {
  return {
    words: [...a.words, ...b.words],
    placeholders: [...a.placeholders, ...b.placeholders],
    ...(a.keys ?? b.keys ? { keys: (a.keys ?? b.keys)! } : {}),
    ...(a.refOf ?? b.refOf ? { refOf: (a.refOf ?? b.refOf)! } : {}),
    ...(a.files || b.files ? { files: true } : {}),
    ...(a.datastore ?? b.datastore ? { datastore: (a.datastore ?? b.datastore)! } : {}),
    canEnd: a.canEnd || b.canEnd,
    canPipe: a.canPipe || b.canPipe,
  };
}
