/**
 * @module confd/syslog/rfc5424
 * An audit record as an RFC 5424 syslog message, and the octet-counting framing of RFC 6587
 * (syslog over TCP: "LEN SP MSG"). Pure: no I/O.
 *
 *   <109>1 2026-12-04T18:24:20.123Z edge-1 appliance 4242 commit [audit@32473 seq="12" …] BOM admin commit running: ok {…}
 *
 * Facility 13 (log audit); the severity follows the result (see severityOf). 32473 is the
 * private enterprise number RFC 5612 reserves for examples and documentation.
 */
import type { AuditRecord } from '../store/audit-chain.js';

export const FACILITY_LOG_AUDIT = 13;
export const SD_ID = 'audit@32473';
export const APP_NAME = 'appliance';

export const SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'] as const;
export type SeverityName = typeof SEVERITIES[number];

/** Severity code of a record: error 3, denied or forced 4 (warning), a failed login 4, else notice 5. */
export function severityOf(r: Pick<AuditRecord, 'result' | 'action'>): number {
  if (r.result === 'error') return 3;
  if (r.result === 'denied' || r.result === 'forced' || r.action === 'login-failed') return 4;
  return 5;
}

/** PRINTUSASCII (33–126) only, at most `max` characters, '-' when empty (RFC 5424 §6: NILVALUE). */
export function printable(text: string, max: number, also: RegExp | null = null): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out += c >= 33 && c <= 126 && !(also && also.test(ch)) ? ch : '_';
    if (out.length >= max) break;
  }
  return out === '' ? '-' : out;
}

/** A PARAM-VALUE: '"', '\' and ']' escaped with a backslash (RFC 5424 §6.3.3). */
function paramValue(v: string): string {
  return v.replace(/["\\\]]/g, (c) => `\\${c}`);
}

export interface MessageContext {
  readonly hostname: string;
  readonly procid: number;
}

/** One RFC 5424 message (without framing) for an audit record. */
export function formatAuditMessage(r: AuditRecord, ctx: MessageContext): string {
  const pri = FACILITY_LOG_AUDIT * 8 + severityOf(r);
  const params: Array<[string, string | number]> = [
    ['seq', r.seq], ['user', r.user], ['source', r.source], ['address', r.address], ['session', r.session],
    ['action', r.action], ['target', r.target], ['result', r.result], ['hash', r.hash],
  ];
  const sd = `[${SD_ID}${params.map(([k, v]) => ` ${k}="${paramValue(String(v))}"`).join('')}]`;
  const text = `${r.user} ${r.action} ${r.target || '-'}: ${r.result}${r.detail ? ` ${JSON.stringify(r.detail)}` : ''}`;
  return `<${pri}>1 ${r.time} ${printable(ctx.hostname, 255)} ${APP_NAME} ${ctx.procid} ${printable(r.action, 32)} ${sd} \uFEFF${text}`;
}

/** A notice that `dropped` records never left the box (the queue was full): msgid audit-loss. */
export function formatLossMessage(dropped: number, time: string, ctx: MessageContext): string {
  const pri = FACILITY_LOG_AUDIT * 8 + 4;
  return `<${pri}>1 ${time} ${printable(ctx.hostname, 255)} ${APP_NAME} ${ctx.procid} audit-loss [${SD_ID} dropped="${dropped}"] \uFEFF${dropped} audit records were dropped: the collector was unreachable and the queue full`;
}

/** RFC 6587 octet counting: the message's length in bytes, a space, the message. */
export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
