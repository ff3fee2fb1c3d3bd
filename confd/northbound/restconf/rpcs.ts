/**
 * @module confd/northbound/restconf/rpcs
 * The operations resource (RFC 8040 §3.3.2, §4.4.2): GET lists the appliance's RPCs, POST
 * /restconf/operations/<module>:<name> runs one with its input ({"<module>:input": {…}} or
 * <input xmlns=…>) and answers its output (204 when it has none). The software operations
 * of appliance-software (relayed to the boot loader) and the commit history's history,
 * compare and rollback (appliance-history), each through confd/rpc with its access check.
 */
import { ConfdError } from '../../core/errors.js';
import { isObject, type JsonObject, type JsonValue } from '../../core/tree.js';
import type { Operations } from '../../rpc/operations.js';
import type { Session } from '../../txn/session.js';
import type { Body, RcReply, RcRequest, RcServices } from './context.js';
import { instanceIdentifier } from './paths.js';

type Input = Readonly<Record<string, JsonValue>>;
interface Rpc {
  readonly namespace: string;
  readonly inputs: readonly string[];
  run(ops: Operations, s: Session, input: Input, svc: RcServices): Promise<JsonObject | undefined> | JsonObject | undefined;
}

const SOFTWARE_NS = 'urn:appliance:software';
const HISTORY_NS = 'urn:appliance:history';

const flag = (v: JsonValue | undefined): boolean => v !== undefined && v !== false;
const text = (v: JsonValue | undefined): string | undefined => (v === undefined || v === null ? undefined : String(v));
function int(v: JsonValue | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConfdError('SCHEMA_INVALID_VALUE', `'${name}' takes a whole number, 0 or more`);
  return n;
}

const software = (method: 'software.status' | 'software.add' | 'software.rollback' | 'software.confirm' | 'software.sanity-check',
  params: (i: Input) => Record<string, unknown> = () => ({})) =>
  async (ops: Operations, s: Session, i: Input) => ({ result: JSON.stringify(await ops.software(s, method, params(i))) });

const RPCS: Readonly<Record<string, Rpc>> = {
  'appliance-software:software-add': {
    namespace: SOFTWARE_NS, inputs: ['bundle', 'dry-run', 'force', 'confirm-within'],
    run: (ops, s, i) => {
      const bundle = text(i.bundle);
      if (!bundle) throw new ConfdError('SCHEMA_MISSING_ELEMENT', 'software-add needs its input bundle', { path: '/operations/software-add/bundle' });
      const within = int(i['confirm-within'], 'confirm-within');
      return software('software.add', () => ({ bundle, dryRun: flag(i['dry-run']), force: flag(i.force), ...(within !== undefined ? { confirmWithin: within } : {}) }))(ops, s, i);
    },
  },
  'appliance-software:software-status': { namespace: SOFTWARE_NS, inputs: [], run: software('software.status') },
  'appliance-software:software-rollback': {
    namespace: SOFTWARE_NS, inputs: ['confirm', 'dry-run'],
    run: software('software.rollback', (i) => ({ confirm: flag(i.confirm), dryRun: flag(i['dry-run']) })),
  },
  'appliance-software:software-confirm': { namespace: SOFTWARE_NS, inputs: [], run: software('software.confirm') },
  'appliance-software:software-sanity-check': { namespace: SOFTWARE_NS, inputs: [], run: software('software.sanity-check') },
  'appliance-history:history': {
    namespace: HISTORY_NS, inputs: ['limit', 'before'],
    run: (ops, s, i) => ({ commit: ops.history(s, int(i.limit, 'limit') ?? 20, int(i.before, 'before')).map((c) => ({ ...c })) }),
  },
  'appliance-history:compare': {
    namespace: HISTORY_NS, inputs: ['from', 'to'],
    run: (ops, s, i, svc) => {
      const point = (v: JsonValue | undefined, name: string) => (v === 'running' || v === undefined ? 'running' : int(v, name)!);
      return { change: ops.compare(s, point(i.from, 'from'), point(i.to, 'to')).map((c) => ({ ...c, path: instanceIdentifier(svc.schema, c.path) }) as JsonObject) };
    },
  },
  'appliance-history:rollback': {
    namespace: HISTORY_NS, inputs: ['txid', 'back', 'comment'],
    run: async (ops, s, i) => {
      const txid = int(i.txid, 'txid'), back = int(i.back, 'back');
      if ((txid === undefined) === (back === undefined)) throw new ConfdError('TXN_BAD_ARGUMENT', 'rollback takes either txid or back');
      const out = await ops.rollback(s, txid !== undefined ? { txid } : { back: back! }, text(i.comment) ?? 'restconf rollback');
      return { txid: out.header?.txid ?? ops.engine.store.lastTxid };
    },
  },
};

export async function operationsResource(svc: RcServices, req: RcRequest): Promise<RcReply> {
  const name = decodeURIComponent(req.rest.replace(/^\/+/, '').replace(/\/+$/, ''));
  if (name === '') {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new ConfdError('RC_METHOD_NOT_ALLOWED', 'the operations resource is read with GET');
    const list: JsonObject = {};
    for (const n of Object.keys(RPCS)) list[n] = [null];
    const xml = `<operations xmlns="urn:ietf:params:xml:ns:yang:ietf-restconf">${Object.entries(RPCS)
      .map(([n, r]) => `<${n.split(':')[1]} xmlns="${r.namespace}"/>`).join('')}</operations>\n`;
    return { status: 200, format: req.format, body: req.format === 'xml' ? xml : JSON.stringify({ 'ietf-restconf:operations': list }, null, 2) + '\n' };
  }
  const rpc = Object.hasOwn(RPCS, name) ? RPCS[name] : undefined;
  if (!rpc) throw new ConfdError('RC_UNKNOWN_OPERATION', `no operation '${name}' (GET /restconf/operations lists them)`);
  if (req.method === 'OPTIONS') return { status: 200, headers: { allow: 'OPTIONS, POST' } };
  if (req.method !== 'POST') throw new ConfdError('RC_METHOD_NOT_ALLOWED', `an operation is invoked with POST, not ${req.method}`, { details: { allow: 'OPTIONS, POST' } });
  if ([...req.query.keys()].length > 0) throw new ConfdError('RC_BAD_QUERY', 'operations take no query parameters');
  const input = inputOf(name, rpc, await req.body());
  const output = await rpc.run(svc.ops, req.session, input, svc);
  if (output === undefined) return { status: 204 };
  const [module] = name.split(':');
  if (req.format === 'xml') {
    const leaves = Object.entries(output).map(([k, v]) => `<${k}>${escapeXml(typeof v === 'object' ? JSON.stringify(v) : String(v))}</${k}>`).join('');
    return { status: 200, format: 'xml', body: `<output xmlns="${rpc.namespace}">${leaves}</output>\n` };
  }
  return { status: 200, format: 'json', body: JSON.stringify({ [`${module}:output`]: output }, null, 2) + '\n' };
}

function escapeXml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The input members, checked against what the operation takes. */
function inputOf(name: string, rpc: Rpc, body: Body | undefined): Input {
  let raw: Record<string, JsonValue> = {};
  const [module] = name.split(':');
  if (body?.kind === 'json') {
    const v = body.value;
    const inner = isObject(v) ? v[`${module}:input`] ?? v.input : undefined;
    if (!isObject(v) || Object.keys(v).length !== 1 || !isObject(inner)) {
      throw new ConfdError('RC_MALFORMED', `the input of ${name} is {"${module}:input": {…}}`);
    }
    raw = inner;
  } else if (body?.kind === 'xml') {
    if (body.root.name !== 'input' || body.root.ns !== rpc.namespace) {
      throw new ConfdError('RC_MALFORMED', `the input of ${name} is <input xmlns="${rpc.namespace}">…</input>`);
    }
    for (const c of body.root.children) raw[c.name] = c.text;
  }
  for (const k of Object.keys(raw)) {
    if (!rpc.inputs.includes(k)) throw new ConfdError('SCHEMA_UNKNOWN_ELEMENT', `${name} has no input '${k}'`, { path: `/operations/${name}/${k}` });
  }
  return raw;
}
