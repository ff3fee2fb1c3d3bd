/**
 * @module cli/entry-arg
 * The argument that names another entry of the list a path argument named an entry of —
 * `[LIST-NAME] KEY…` after `rename … to`, `copy … to`, `insert … before|after` — for parsing
 * and for completion (the keys of existing entries). Pure.
 */
import { NOTHING, type Expectation } from './expectation.js';
import { typedValue, type DataSegment } from './grammar.js';
import type { PathTarget } from './path-parser.js';
import { problem, type CliProblem } from './problem.js';
import type { Token } from './tokenizer.js';

/** `[LIST-NAME] KEY…` naming an entry of the list `of` is an entry of (the entry arguments of rename, copy, insert). */
export function walkEntry(of: PathTarget | undefined, tokens: readonly Token[], datastore: 'running' | 'candidate', endOffset: number): {
  segments?: readonly DataSegment[]; expect: Expectation; problem?: CliProblem; incomplete?: CliProblem;
} {
  const last = of?.segments[of.segments.length - 1];
  if (!of || of.node.kind !== 'list' || !last?.keys) {
    return { expect: NOTHING, problem: problem('bad-argument', 'this command takes a list entry (for example: firewall rule 10)', { offset: tokens[0]?.start ?? endOffset }) };
  }
  const list = of.node;
  let i = 0;
  if (tokens[0] && !tokens[0].quoted && tokens[0].text === list.name) i = 1;
  const keys = tokens.slice(i, i + list.keys.length);
  const parent = of.segments.slice(0, -1);
  if (keys.length < list.keys.length) {
    const given = keys.map((t, k) => typedValue(list.keyLeaves[k]!, t.text));
    const leaf = list.keyLeaves[given.length];
    return {
      expect: { ...NOTHING, ...(i === 0 && given.length === 0 ? { words: [{ word: list.name, help: list.help }] } : {}),
        placeholders: [{ word: `<${leaf?.name ?? 'key'}>`, help: leaf?.help ?? '' }], keys: { list, parent, given }, datastore },
      incomplete: problem('incomplete', `incomplete command: missing the ${leaf?.name ?? 'key'} of the other ${list.name}`, { offset: endOffset }),
    };
  }
  const extra = tokens[i + list.keys.length];
  if (extra) return { expect: NOTHING, problem: problem('unexpected-word', `unexpected word '${extra.text}'`, { offset: extra.start }) };
  const segment: DataSegment = { name: list.name, keys: list.keys.map((k, n) => [k, typedValue(list.keyLeaves[n]!, keys[n]!.text)] as const) };
  return { segments: [...parent, segment], expect: { ...NOTHING, canEnd: true } };
}

