/**
 * @module cli/path-parser
 * Configuration paths as the CLI writes them — `interfaces interface eth0 mtu 9000`: node
 * names, list keys positionally after the list name (all keys of a multi-key list, in order),
 * then for `set` a value (or `[ a b ]` for a leaf-list). One small state machine serves both
 * parsing (a PathTarget, or a problem pointing at the bad token with the nearest valid words)
 * and completion (what may come next, after any prefix of the words). Pure.
 */
import type { JsonScalar } from '../confd/api/index.js';
import { typedValue, type DataSegment, type GNode, type Location } from './grammar.js';
import { problem, type CliProblem } from './problem.js';
import { isBare, type Token } from './tokenizer.js';

/** What the path is for: what it may name and whether a value follows. */
export type PathPurpose = 'set' | 'delete' | 'edit' | 'show';

export interface PathTarget {
  /** The node named: a container, list (entry, or the whole list), leaf or leaf-list. */
  readonly node: GNode;
  /** Data path from the top to the node; a list entry's segment carries its keys. */
  readonly segments: readonly DataSegment[];
  /** `set`: the value(s); `delete` of a leaf-list: the one value to remove. */
  readonly values?: readonly JsonScalar[];
}

/** What may follow a prefix of a path. */
export interface PathExpectation {
  /** Names of nodes below the current one. */
  readonly nodes: readonly GNode[];
  /** The next word is the key `keyIndex` of an entry of `list` (under `parent`, earlier keys `given`). */
  readonly key?: { readonly list: GNode; readonly parent: readonly DataSegment[]; readonly given: readonly JsonScalar[] };
  /** The next word is a value of this leaf or leaf-list. */
  readonly value?: GNode;
  readonly openBracket: boolean;
  readonly closeBracket: boolean;
  /** The path may end here. */
  readonly canEnd: boolean;
}

type State =
  | { readonly at: 'node'; readonly node: GNode; readonly segments: readonly DataSegment[] }
  | { readonly at: 'keys'; readonly list: GNode; readonly segments: readonly DataSegment[]; readonly given: readonly JsonScalar[] }
  | { readonly at: 'leaf'; readonly leaf: GNode; readonly segments: readonly DataSegment[]; readonly value?: JsonScalar; readonly quoted?: boolean }
  | {
    readonly at: 'leaf-list'; readonly leaf: GNode; readonly segments: readonly DataSegment[];
    readonly values?: readonly JsonScalar[]; readonly open: boolean;
  };

export interface PathWalk {
  readonly state: State;
  /** How many words were consumed (all of them, unless `problem`). */
  readonly consumed: number;
  readonly valueTokens: readonly number[];
  readonly problem?: CliProblem;
}

/** Follows `tokens` (words only) from `start` as far as they are valid. */
export function walkPath(start: Location, tokens: readonly Token[], purpose: PathPurpose): PathWalk {
  let state: State = { at: 'node', node: start.node, segments: start.segments };
  const valueTokens: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = step(state, t, purpose, i === 0);
    if ('kind' in next) return { state, consumed: i, valueTokens, problem: next };
    if (next.valueToken) valueTokens.push(i);
    state = next.state;
  }
  return { state, consumed: tokens.length, valueTokens };
}

/** Parses a whole path: every token must belong to it, and it must be complete for `purpose`. */
/** A clear-text password leaf: `set` without a value prompts for it, without echo (as Junos). */
export function isPrompted(leaf: { readonly name: string; readonly sensitive: boolean }): boolean {
  return leaf.sensitive && leaf.name === 'plain-text-password';
}

export function parsePathWords(start: Location, tokens: readonly Token[], purpose: PathPurpose, endOffset: number): PathTarget | CliProblem {
  const walk = walkPath(start, tokens, purpose);
  if (walk.problem) return walk.problem;
  const done = finish(walk.state, purpose, tokens.length > 0);
  return 'kind' in done ? { ...done, offset: endOffset } : done;
}

/** What may follow the words a walk consumed. */
export function expectAfter(walk: PathWalk, purpose: PathPurpose): PathExpectation {
  const s = walk.state;
  const none = { nodes: [], openBracket: false, closeBracket: false };
  switch (s.at) {
    case 'node': {
      const nodes = s.node.children.words.map((w) => s.node.children.get(w)!)
        .filter((c) => purpose !== 'edit' || c.kind === 'container' || c.kind === 'list');
      return { ...none, nodes, canEnd: canEndAtNode(s.node, purpose, walk.consumed > 0) };
    }
    case 'keys':
      return { ...none, key: { list: s.list, parent: s.segments, given: s.given }, canEnd: (purpose === 'show' || purpose === 'delete') && s.given.length === 0 };
    case 'leaf':
      return purpose === 'set' && s.value === undefined ? { ...none, value: s.leaf, canEnd: isPrompted(s.leaf) } : { ...none, canEnd: true };
    case 'leaf-list':
      if (purpose === 'set') {
        if (s.open) return { ...none, value: s.leaf, closeBracket: true, canEnd: false };
        if (s.values === undefined) return { ...none, value: s.leaf, openBracket: true, canEnd: false };
        return { ...none, canEnd: true };
      }
      if (purpose === 'delete' && s.values === undefined) return { ...none, value: s.leaf, canEnd: true };
      return { ...none, canEnd: true };
  }
}

function canEndAtNode(node: GNode, purpose: PathPurpose, consumedAny: boolean): boolean {
  switch (purpose) {
    case 'show': return true;
    case 'edit': return consumedAny;
    case 'delete': return consumedAny;
    case 'set': return consumedAny && node.kind === 'list';
  }
}

/** Why a word after a leaf's value is wrong: one leaf per `set`; an unquoted text value may have wanted quotes. */
function extraValueHint(s: { readonly leaf: GNode; readonly quoted?: boolean }): string {
  const one = `one leaf per 'set': '${s.leaf.name}' has its value; set another leaf with its own 'set' (commands may be joined with ';')`;
  return s.quoted || s.leaf.type !== 'string' ? one : `${one}; a value that holds spaces is written in quotes: "…"`;
}

function step(s: State, t: Token, purpose: PathPurpose, first: boolean): { state: State; valueToken?: boolean } | CliProblem {
  switch (s.at) {
    case 'node': {
      const m = t.quoted ? (s.node.children.get(t.text) ? { kind: 'exact' as const, value: s.node.children.get(t.text)! } : { kind: 'none' as const })
        : s.node.children.match(t.text);
      if (m.kind === 'ambiguous') {
        return problem('ambiguous-word', `ambiguous word '${t.text}'`, { offset: t.start, suggestions: m.words });
      }
      if (m.kind === 'none') {
        const where = s.node.kind === 'root' ? '' : ` in ${s.node.name}`;
        const hint = s.node.kind === 'list' && s.node.keys.includes(t.text) ? `'${t.text}' is the key: it is written after '${s.node.name}'` : undefined;
        return problem('unknown-word', `unknown word '${t.text}'${first ? '' : where}`,
          { offset: t.start, suggestions: s.node.children.nearest(t.text), ...(hint ? { hint } : {}) });
      }
      const c = m.value;
      if (purpose === 'edit' && (c.kind === 'leaf' || c.kind === 'leaf-list')) {
        return problem('bad-argument', `'${c.name}' is a value, not a level: use set`, { offset: t.start });
      }
      switch (c.kind) {
        case 'container': return { state: { at: 'node', node: c, segments: [...s.segments, { name: c.name }] } };
        case 'list': return { state: { at: 'keys', list: c, segments: s.segments, given: [] } };
        case 'leaf': return { state: { at: 'leaf', leaf: c, segments: [...s.segments, { name: c.name }] } };
        case 'leaf-list': return { state: { at: 'leaf-list', leaf: c, segments: [...s.segments, { name: c.name }], open: false } };
        case 'root': return problem('unknown-word', `unknown word '${t.text}'`, { offset: t.start });
      }
    }
    case 'keys': {
      const keyLeaf = s.list.keyLeaves[s.given.length];
      if (!keyLeaf) return problem('unexpected-word', `unexpected word '${t.text}'`, { offset: t.start });
      const given = [...s.given, typedValue(keyLeaf, t.text)];
      if (given.length < s.list.keys.length) return { state: { ...s, given } };
      const keys = s.list.keys.map((k, i) => [k, given[i]!] as const);
      return { state: { at: 'node', node: s.list, segments: [...s.segments, { name: s.list.name, keys }] } };
    }
    case 'leaf':
      if (purpose === 'set' && s.value === undefined) return { state: { ...s, value: typedValue(s.leaf, t.text), quoted: t.quoted }, valueToken: true };
      return problem('unexpected-word', `unexpected word '${t.text}'`, { offset: t.start, ...(purpose === 'set' ? { hint: extraValueHint(s) } : {}) });
    case 'leaf-list': {
      if (purpose === 'set') {
        if (s.open) {
          if (isBare(t, ']')) return { state: { ...s, open: false, values: s.values ?? [] } };
          return { state: { ...s, values: [...(s.values ?? []), typedValue(s.leaf, t.text)] }, valueToken: true };
        }
        if (s.values === undefined) {
          if (isBare(t, '[')) return { state: { ...s, open: true, values: [] } };
          return { state: { ...s, values: [typedValue(s.leaf, t.text)] }, valueToken: true };
        }
      } else if (purpose === 'delete' && s.values === undefined) {
        return { state: { ...s, values: [typedValue(s.leaf, t.text)] }, valueToken: true };
      }
      return problem('unexpected-word', `unexpected word '${t.text}'`, { offset: t.start });
    }
  }
}

function finish(s: State, purpose: PathPurpose, consumedAny: boolean): PathTarget | CliProblem {
  switch (s.at) {
    case 'node':
      if (!canEndAtNode(s.node, purpose, consumedAny)) {
        const what = s.node.kind === 'root' && !consumedAny ? 'a configuration path' : `what to ${purpose} in '${s.node.name}'`;
        return problem('incomplete', `incomplete command: missing ${what}`);
      }
      return { node: s.node, segments: s.segments };
    case 'keys':
      if (s.given.length === 0 && (purpose === 'show' || purpose === 'delete')) {
        return { node: s.list, segments: [...s.segments, { name: s.list.name }] };
      }
      return problem('incomplete', `incomplete command: missing ${s.list.keys[s.given.length] ?? 'key'} of ${s.list.name}`);
    case 'leaf':
      if (purpose === 'set' && s.value === undefined && !isPrompted(s.leaf)) return problem('incomplete', `incomplete command: missing the value of '${s.leaf.name}'`);
      return { node: s.leaf, segments: s.segments, ...(s.value !== undefined ? { values: [s.value] } : {}) };
    case 'leaf-list':
      if (purpose === 'set' && (s.values === undefined || s.open)) {
        return problem('incomplete', s.open ? "incomplete command: missing ']'" : `incomplete command: missing a value of '${s.leaf.name}'`);
      }
      return { node: s.leaf, segments: s.segments, ...(s.values !== undefined ? { values: s.values } : {}) };
  }
}
