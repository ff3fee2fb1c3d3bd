/**
 * @module test/helpers/netconf-rig
 * One device of a given schema version with a NETCONF server publishing that version's YANG
 * modules, and in-process clients on it (linked pairs, no sockets), plus the reply readers the
 * YANG-facing tests share.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SCHEMAS_DIR } from '../../confd/main/app-paths.js';
import { NetconfServer } from '../../confd/northbound/netconf/server.js';
import { NETCONF_BASE_NS, type XmlElement } from '../../confd/northbound/netconf/xml-element.js';
import { linkedPair } from '../../confd/northbound/transport.js';
import { Operations } from '../../confd/rpc/operations.js';
import type { JsonObject } from '../../confd/core/tree.js';
import { publishedModules } from '../../confd/schema/yang-files.js';
import type { ConfigEngine } from '../../confd/txn/engine.js';
import { openTestDevice, quietLogger, testSchema, type TestDevice } from './device.js';
import { settleEngine } from './engine-fixtures.js';
import { NetconfClient } from './netconf-client.js';

const ADMIN = { name: 'admin', role: 'admin' };

export interface NetconfRig {
  readonly device: TestDevice;
  readonly engine: ConfigEngine;
  readonly server: NetconfServer;
  connect(user?: string): Promise<NetconfClient>;
  close(): Promise<void>;
}

/** A device of schema `version` holding `config` (with user admin added) and its NETCONF server. */
export async function openNetconfRig(version: number, config: JsonObject = {}): Promise<NetconfRig> {
  const device = await openTestDevice({ schema: testSchema(version) });
  const engine = device.engine;
  const tree = structuredClone(config) as { system?: { users?: { user?: JsonObject[] } } };
  const users = tree.system?.users?.user ?? [];
  if (!users.some((u) => u.name === 'admin')) {
    tree.system = { ...tree.system, users: { ...tree.system?.users, user: [...users, ADMIN] } };
  }
  await engine.load(engine.systemSession, tree as JsonObject, { merge: false, source: 'test' });
  const ops = new Operations(engine, quietLogger);
  const state = { engine, softwareVersion: 'test', sysClassNet: join(device.dir, 'no-sys-class-net') };
  const server = new NetconfServer({ ops, log: quietLogger, state, modules: publishedModules(SCHEMAS_DIR, version) });
  const clients: NetconfClient[] = [];
  let port = 41000;
  return {
    device, engine, server,
    async connect(user = 'admin') {
      const [serverSide, clientSide] = linkedPair();
      assert.ok(server.accept(serverSide, user, `192.0.2.7:${port++}`));
      const c = await NetconfClient.connect(clientSide);
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) if (c.isOpen) await c.close();
      server.closeAll();
      await settleEngine(engine);
      device.close();
    },
  };
}

export function kids(el: XmlElement, name: string, ns: string): XmlElement[] {
  return el.children.filter((c) => c.name === name && c.ns === ns);
}

/** The <data> of a reply, failing with the reply when it is anything else. */
export function replyData(reply: XmlElement, ns = NETCONF_BASE_NS): XmlElement {
  const data = kids(reply, 'data', ns);
  assert.equal(data.length, 1, `expected <data> in ${JSON.stringify(reply)}`);
  return data[0]!;
}

export interface ReplyError { type?: string; tag?: string; appTag?: string; path?: string; info: Record<string, string> }

export function replyErrors(reply: XmlElement): ReplyError[] {
  return kids(reply, 'rpc-error', NETCONF_BASE_NS).map((e) => {
    const t = (n: string): string | undefined => kids(e, n, NETCONF_BASE_NS)[0]?.text.trim();
    const info: Record<string, string> = {};
    for (const i of kids(e, 'error-info', NETCONF_BASE_NS)) for (const c of i.children) info[c.name] = c.text.trim();
    return { type: t('error-type'), tag: t('error-tag'), appTag: t('error-app-tag'), path: t('error-path'), info };
  });
}
