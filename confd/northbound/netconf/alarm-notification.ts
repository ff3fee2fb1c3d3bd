/**
 * @module confd/northbound/netconf/alarm-notification
 * An alarm change as a NETCONF notification, in the shape of RFC 8632's alarm-notification
 * (resource, alarm-type-id, time, perceived-severity — "cleared" once cleared — and
 * alarm-text) in the appliance's system namespace, plus the operator-state change for
 * acknowledgements and shelving.
 */
import type { AlarmEvent } from '../../monitor/alarms.js';
import { NOTIFICATION_NS } from './capabilities.js';
import { XmlWriter } from './xml-writer.js';

export const ALARM_NS = 'urn:appliance:system';

export function alarmNotification(e: AlarmEvent, eventTime: string): string {
  const a = e.alarm;
  const w = new XmlWriter();
  w.start('notification', { xmlns: NOTIFICATION_NS });
  w.leaf('eventTime', eventTime);
  w.start('alarm-notification', { xmlns: ALARM_NS });
  w.leaf('resource', a.resource);
  w.leaf('alarm-type-id', a.type);
  w.leaf('alarm-id', a.id);
  w.leaf('time', a.changed);
  w.leaf('perceived-severity', a.isCleared ? 'cleared' : a.severity);
  w.leaf('alarm-text', a.text);
  w.leaf('event', e.kind);
  if (e.kind === 'acknowledged' || e.kind === 'shelved' || e.kind === 'unshelved') {
    w.start('operator-state-change');
    w.leaf('operator', e.user ?? '');
    w.leaf('state', e.kind === 'acknowledged' ? 'ack' : e.kind === 'shelved' ? 'shelved' : 'none');
    w.end();
  }
  w.end().end();
  return w.toString();
}
