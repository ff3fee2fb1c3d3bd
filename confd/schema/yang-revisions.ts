/**
 * @module confd/schema/yang-revisions
 * The YANG revision date of each schema version. A schema records its own in the root keyword
 * `x-revision`; version 1 was frozen before that keyword existed, so its date is kept here
 * (the date it was released), never in its file.
 */

type Json = Record<string, unknown>;

const FROZEN: Readonly<Record<number, string>> = {
  1: '2026-11-22',
};

export function revisionOf(json: Json, version: number): string {
  const own = json['x-revision'];
  const frozen = FROZEN[version];
  if (typeof own === 'string' && frozen !== undefined && own !== frozen) {
    throw new Error(`schema v${version} says revision ${own}, but it was released as ${frozen}`);
  }
  const date = typeof own === 'string' ? own : frozen;
  if (date === undefined) throw new Error(`schema v${version} has no x-revision`);
  return date;
}
