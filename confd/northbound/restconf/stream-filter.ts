/**
 * @module confd/northbound/restconf/stream-filter
 * The `filter` query parameter of an event stream (RFC 8040 §4.8.4): an XPath 1.0 expression
 * over the content of each notification (the event element, e.g. `netconf-config-change`),
 * which is sent when the expression selects a node. The notification's RFC 7951 JSON is read as
 * an XML document (member names as elements, a module name as the namespace and usable as a
 * prefix: `/ietf-netconf-notifications:netconf-config-change`; unprefixed names match any
 * module), evaluated by the same evaluator as NETCONF's :xpath, with a budget of node visits
 * per notification.
 * Pure.
 */
import { ConfdError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/tree.js';
import type { DeviceSchema } from '../../schema/model.js';
import type { XmlElement } from '../netconf/xml-element.js';
import { xpathSelect } from '../netconf/xpath-filter.js';

/** Longer filters are refused unread (the same bound as NETCONF's select). */
const MAX_FILTER_CHARS = 4096;
/** Node visits per notification (they are small): past it the expression is refused, or its stream ended. */
export const MAX_EVENT_VISITS = 50_000;

export type EventFilter = (event: JsonObject) => boolean;

function elementsOf(member: string, value: JsonValue, parentModule: string): XmlElement[] {
  const colon = member.indexOf(':');
  const module = colon > 0 ? member.slice(0, colon) : parentModule;
  const name = colon > 0 ? member.slice(colon + 1) : member;
  const one = (v: JsonValue): XmlElement => {
    const isObject = v !== null && typeof v === 'object' && !Array.isArray(v);
    return {
      name, ns: module, attributes: [],
      children: isObject ? Object.entries(v).flatMap(([k, c]) => elementsOf(k, c, module)) : [],
      text: isObject || v === null ? '' : String(v),
    };
  };
  return Array.isArray(value) ? value.map(one) : [one(value)];
}

/** Each notification is read once, however many subscribers filter it. */
const converted = new WeakMap<JsonObject, XmlElement[]>();

/** The event elements of a notification: its members but the eventTime. */
function content(event: JsonObject): XmlElement[] {
  let elements = converted.get(event);
  if (!elements) {
    const body = (event['ietf-restconf:notification'] ?? {}) as JsonObject;
    elements = Object.entries(body).filter(([k]) => k !== 'eventTime').flatMap(([k, v]) => elementsOf(k, v, ''));
    converted.set(event, elements);
  }
  return elements;
}

/**
 * The predicate of `expression`, checked now on an empty notification so a malformed one is a
 * 400 at subscription, not a silent stream. Prefixes are module names.
 */
export function eventFilter(schema: DeviceSchema, expression: string): EventFilter {
  if (expression.length > MAX_FILTER_CHARS) throw new ConfdError('RC_BAD_QUERY', `the filter is longer than ${MAX_FILTER_CHARS} characters`, { details: { parameter: 'filter' } });
  const run = (event: JsonObject, namespaces: Record<string, string>) => {
    try {
      return xpathSelect(schema, content(event), expression, namespaces, MAX_EVENT_VISITS).length > 0;
    } catch (e) {
      throw new ConfdError('RC_BAD_QUERY', `query parameter 'filter': ${(e as Error).message}`, { details: { parameter: 'filter' } });
    }
  };
  // Every prefix of the expression names a module, whose name is the namespace of its elements here.
  const prefixes = Object.fromEntries([...expression.matchAll(/([A-Za-z_][\w.-]*):(?!:)/g)].map((m) => [m[1]!, m[1]!]));
  run({ 'ietf-restconf:notification': {} }, prefixes);
  // Throws RC_BAD_QUERY on an event past the budget: a replay is then refused, a live stream ended.
  return (event) => run(event, prefixes);
}
