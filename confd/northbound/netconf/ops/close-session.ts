/**
 * @module confd/northbound/netconf/ops/close-session — RFC 6241 §7.8: the session closes after
 * the reply. Always permitted, whatever the access rules (RFC 8341 §3.4.4).
 */
export function closeSession(): undefined {
  return undefined;
}
