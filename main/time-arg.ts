/**
 * @module main/time-arg
 * The times a tool takes (`audit show --since/--until`): an ISO 8601 time, a time back from now
 * (`30s`, `15m`, `1h`, `2d`, `1w`), or `now`, `today` (since midnight) and `yesterday` (its midnight), local time.
 */
import { UsageError } from './output.js';

export const TIME_FORMS = "an ISO time (2026-12-01 or 2026-12-01T10:00:00Z), a time back from now (30s, 15m, 1h, 2d, 1w), now, today or yesterday";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

function midnight(now: Date, daysBack: number): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysBack);
}

/** The instant `text` names, relative to `now`; a UsageError saying what is accepted otherwise. */
export function parseTime(option: string, text: string, now = new Date()): Date {
  const word = text.trim().toLowerCase();
  if (word === 'now') return now;
  if (word === 'today') return midnight(now, 0);
  if (word === 'yesterday') return midnight(now, 1);
  const relative = /^(\d+)\s*([smhdw])$/.exec(word);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]!]!);
  // Only ISO forms: Date.parse also takes loose forms ("1", "March 7") that mean something else.
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(text.trim())) {
    const t = new Date(text.trim().replace(' ', 'T'));
    if (!Number.isNaN(t.getTime())) return t;
  }
  throw new UsageError(`--${option} takes ${TIME_FORMS}; '${text}' is none of them`);
}
