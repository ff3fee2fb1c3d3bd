/**
 * @module confd/rpc/selector
 * A protocol-neutral description of which parts of a configuration to read: NETCONF subtree
 * filters and CLI paths both become a Selector, which confd/rpc/select evaluates against a
 * datastore view, looking list entries up by key where the selector names them.
 */
import type { JsonScalar } from '../core/tree.js';

export interface Selector {
  /**
   * Child nodes to descend into, by name. Absent: everything below this node is selected.
   * An empty map selects nothing below (only what `match` names).
   */
  readonly children?: ReadonlyMap<string, Selector>;
  /**
   * Content-match leaves at this level (RFC 6241 §6.2.5): for a list, only entries whose
   * leaves equal these values are selected (keys among them are looked up directly).
   * On a leaf-list's own selector, the entry named after the leaf-list selects that one value.
   */
  readonly match?: Readonly<Record<string, JsonScalar>>;
  /**
   * A union: when present, this node selects what any of these selects, and `children` and
   * `match` here are ignored. A subtree filter naming one list (or container) in several
   * sibling elements, e.g. two entries by key, becomes one alternative per element. An
   * empty array selects nothing.
   */
  readonly alternatives?: readonly Selector[];
}
