/**
 * @module confd/northbound/netconf/ops
 * The table of NETCONF operations, one module each; they read their parameters, call
 * confd/rpc, and return the reply body (undefined for <ok/>).
 */
import type { Operations } from '../../../rpc/operations.js';
import type { DeviceSchema } from '../../../schema/model.js';
import type { Session } from '../../../txn/session.js';
import { MONITORING_NS, NOTIFICATION_NS, SOFTWARE_NS } from '../capabilities.js';
import type { NetconfServer } from '../server.js';
import type { NetconfSession } from '../session.js';
import { NETCONF_BASE_NS, type XmlElement } from '../xml-element.js';
import { cancelCommit } from './cancel-commit.js';
import { closeSession } from './close-session.js';
import { commit } from './commit.js';
import { copyConfig } from './copy-config.js';
import { createSubscription } from './create-subscription.js';
import { deleteConfig } from './delete-config.js';
import { discardChanges } from './discard-changes.js';
import { editConfig } from './edit-config.js';
import { get } from './get.js';
import { getConfig } from './get-config.js';
import { getSchema } from './get-schema.js';
import { killSession } from './kill-session.js';
import { lock } from './lock.js';
import { unlock } from './unlock.js';
import { validate } from './validate.js';
import { softwareAdd, softwareConfirm, softwareSanityCheck, softwareRollback, softwareStatus } from './software.js';

export interface OpContext {
  readonly ops: Operations;
  readonly session: Session;
  readonly schema: DeviceSchema;
  readonly netconf: NetconfSession;
  readonly server: NetconfServer;
  /** The <rpc> element around the operation (its namespace declarations scope an XPath filter). */
  readonly rpc?: XmlElement;
}

export type OpHandler = (ctx: OpContext, op: XmlElement) => Promise<string | undefined> | string | undefined;

const BASE: Readonly<Record<string, OpHandler>> = {
  'get': get,
  'get-config': getConfig,
  'edit-config': editConfig,
  'copy-config': copyConfig,
  'delete-config': deleteConfig,
  'lock': lock,
  'unlock': unlock,
  'close-session': closeSession,
  'kill-session': killSession,
  'commit': commit,
  'cancel-commit': cancelCommit,
  'discard-changes': discardChanges,
  'validate': validate,
};

const SOFTWARE: Readonly<Record<string, OpHandler>> = {
  'software-add': softwareAdd,
  'software-status': softwareStatus,
  'software-rollback': softwareRollback,
  'software-confirm': softwareConfirm,
  'software-sanity-check': softwareSanityCheck,
};

export function findOperation(op: XmlElement): OpHandler | undefined {
  if (op.ns === NETCONF_BASE_NS) return Object.hasOwn(BASE, op.name) ? BASE[op.name] : undefined;
  if (op.ns === NOTIFICATION_NS && op.name === 'create-subscription') return createSubscription;
  if (op.ns === MONITORING_NS && op.name === 'get-schema') return getSchema;
  if (op.ns === SOFTWARE_NS) return Object.hasOwn(SOFTWARE, op.name) ? SOFTWARE[op.name] : undefined;
  return undefined;
}
