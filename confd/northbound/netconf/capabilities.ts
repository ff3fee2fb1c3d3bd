/**
 * @module confd/northbound/netconf/capabilities
 * The capabilities this server advertises in its hello: exactly those it implements, plus
 * one per published YANG module and the YANG library (yang-library.ts).
 */
import type { YangLibrary } from './yang-library.js';

export const BASE_10 = 'urn:ietf:params:netconf:base:1.0';
export const BASE_11 = 'urn:ietf:params:netconf:base:1.1';
export const NOTIFICATION_NS = 'urn:ietf:params:xml:ns:netconf:notification:1.0';
export const NETCONF_NOTIFICATIONS_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-notifications';
export const MONITORING_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring';
/** The upgrade manager's operations (software-add, software-status, software-rollback). */
export const SOFTWARE_NS = 'urn:appliance:software';
/**
 * RFC 6243: the store records which leaves a client set, even to their default value, so a
 * read reports what was set (explicit, the basic mode), or everything (report-all), or trims
 * or tags the values equal to their default.
 */
export const WITH_DEFAULTS_CAPABILITY = 'urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit&also-supported=report-all,trim,report-all-tagged';

const PROTOCOL_CAPABILITIES = [
  BASE_10,
  BASE_11,
  'urn:ietf:params:netconf:capability:candidate:1.0',
  'urn:ietf:params:netconf:capability:confirmed-commit:1.1',
  'urn:ietf:params:netconf:capability:rollback-on-error:1.0',
  'urn:ietf:params:netconf:capability:validate:1.0',
  'urn:ietf:params:netconf:capability:validate:1.1',
  'urn:ietf:params:netconf:capability:startup:1.0',
  'urn:ietf:params:netconf:capability:notification:1.0',
  'urn:ietf:params:netconf:capability:interleave:1.0',
  // XPath 1.0 filters with every core function (xpath-filter.ts; test/confd/northbound/netconf/xpath-filter.test.ts).
  'urn:ietf:params:netconf:capability:xpath:1.0',
  WITH_DEFAULTS_CAPABILITY,
];

export function serverCapabilities(library: YangLibrary): string[] {
  return [...PROTOCOL_CAPABILITIES, ...library.capabilities()];
}
