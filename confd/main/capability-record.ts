/**
 * @module confd/main/capability-record
 * The NETCONF capabilities the last daemon of this data directory advertised, and the RFC 6470
 * capability changes seen at starts (kept for replay), in one file of the data directory
 * shared by both slots: the daemon of a new slot compares its capabilities with those the
 * previous one advertised. Replaced durably (temp, fsync, rename); an unreadable file is
 * logged and counted as none (the next start writes a good one).
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { type CapabilityChange, diffCapabilities } from '../northbound/netconf/capability-change.js';
import { writeFileDurably } from '../store/durable-file.js';

/** Changes kept for replay: one per upgrade or rollback, so this is years of switches. */
export const KEPT_CAPABILITY_CHANGES = 100;

interface RecordFile { readonly capabilities: string[]; readonly changes: CapabilityChange[] }

function read(file: string, log: Logger): RecordFile | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err: e, file }, 'cannot read the recorded NETCONF capabilities');
    return null;
  }
  try {
    const r = JSON.parse(text) as Partial<RecordFile>;
    const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (!strings(r.capabilities) || !Array.isArray(r.changes)) throw new Error('not a capability record');
    const changes = r.changes.filter((c): c is CapabilityChange => typeof c?.time === 'string' && !Number.isNaN(Date.parse(c.time))
      && strings(c.added) && strings(c.deleted) && strings(c.modified));
    return { capabilities: r.capabilities, changes };
  } catch (e) {
    log.warn({ err: e, file }, 'the recorded NETCONF capabilities are unreadable; starting a new record');
    return null;
  }
}

/**
 * Records `current` as the advertised capabilities; when they differ from the recorded ones,
 * adds the change (at `now`). Returns the kept changes, oldest first, and the new one if any.
 */
export function recordCapabilities(file: string, current: readonly string[], now: Date, log: Logger): { changes: CapabilityChange[]; added: CapabilityChange | null } {
  const prior = read(file, log);
  const change = prior ? diffCapabilities(prior.capabilities, current, now.toISOString()) : null;
  const changes = [...(prior?.changes ?? []), ...(change ? [change] : [])].slice(-KEPT_CAPABILITY_CHANGES);
  if (!prior || change || prior.changes.length !== changes.length) {
    try {
      writeFileDurably(file, JSON.stringify({ capabilities: current, changes }) + '\n', 0o600);
    } catch (e) {
      log.error({ err: e, file }, 'cannot record the NETCONF capabilities');
    }
  }
  if (change) log.info({ added: change.added.length, deleted: change.deleted.length, modified: change.modified.length }, 'NETCONF capabilities changed since the last start');
  return { changes, added: change };
}
