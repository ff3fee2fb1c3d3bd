/**
 * @module confd/northbound/netconf/capabilities
 * The capabilities this server advertises in its hello: exactly those it implements, plus
 * one per part of the device model (its namespace, from the schema).
 */
import type { DeviceSchema } from '../../schema/model.js';

export const BASE_10 = 'urn:ietf:params:netconf:base:1.0';
export const BASE_11 = 'urn:ietf:params:netconf:base:1.1';
export const NOTIFICATION_NS = 'urn:ietf:params:xml:ns:netconf:notification:1.0';
export const NETCONF_NOTIFICATIONS_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-notifications';
export const MONITORING_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring';
/** The upgrade manager's operations (software-add, software-status, software-rollback). */
export const SOFTWARE_NS = 'urn:appliance:software';

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
];

export function serverCapabilities(schema: DeviceSchema): string[] {
  // No revision: the model is not YANG, and a revision must be a YANG date (RFC 6020 §5.6.4).
  const models = [...schema.namespaces].map(([part, ns]) => `${ns}?module=${part}`);
  return [
    ...PROTOCOL_CAPABILITIES,
    ...models,
    `${NETCONF_NOTIFICATIONS_NS}?module=ietf-netconf-notifications&revision=2012-02-06`,
    `${SOFTWARE_NS}?module=software`,
  ];
}
