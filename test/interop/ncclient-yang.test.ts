/**
 * Interop with ncclient (Debian's python3-ncclient) for what a schema-driven NMS relies on:
 * get-schema and netconf-state (RFC 6022), with-defaults (RFC 6243), XPath filters, leaf-list content match,
 * unknown-element, every invalid value as its own rpc-error, continue-on-error refused,
 * confirm-timeout 0 with its error-path, and the RFC 6470 session start/end events. The driver
 * (test/interop/ncclient_yang_driver.py) prints what it saw; every assertion is here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/device.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DRIVER = join(REPO, 'test', 'interop', 'ncclient_yang_driver.py');
const PYTHON = '/usr/bin/python3';

interface RpcError { 'error-type': string; 'error-tag': string; 'error-path'?: string; 'error-path-nsmap'?: Record<string, string>; 'error-info'?: Record<string, string> }
interface Outcome { ok: boolean; errors?: RpcError[] }
type Iface = Record<string, string>;
interface NmsResult {
  get_schema_ok: boolean; get_schema_text_start: string; get_schema_unknown: Outcome;
  schemas: string[]; netconf_state_children: string[]; setup: { edit: Outcome; commit: Outcome };
  set_default: { edit: Outcome; commit: Outcome }; absent: Iface[]; explicit: Iface[]; report_all: Iface[]; get_explicit: Iface[];
  copy_config: Record<'report-all' | 'trim' | 'explicit', { outcome: Outcome; candidate: Iface[] }>;
  xpath_capability: boolean; xpath_mtu: { ok: boolean; interfaces: Iface[] }; xpath_unprefixed: { ok: boolean; interfaces: Iface[] }; xpath_bad: Outcome;
  trim: Iface[]; tagged_default_attributes: (string | null)[]; leaf_list_match: Iface[];
  unknown_element: Outcome; two_invalid: Outcome; continue_on_error: Outcome; confirm_timeout_0: Outcome;
  subscribe: Outcome; b_session_id: string; c_session_id: string; kill: Outcome;
  session_events: Record<string, string>[];
}

function drive(port: number, password: string): Promise<NmsResult> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [DRIVER, 'nms', '--port', String(port), '--user', 'admin', '--password', password],
      { timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        let parsed: Record<string, unknown>;
        try { parsed = JSON.parse(stdout) as Record<string, unknown>; } catch {
          reject(new Error(`the driver printed no JSON (${err?.message ?? 'exit 0'}): ${stdout}\n${stderr}`));
          return;
        }
        if (err || parsed.driver_error !== undefined) { reject(new Error(`driver failed: ${String(parsed.driver_error)}\n${String(parsed.traceback ?? '')}`)); return; }
        resolve(parsed as unknown as NmsResult);
      });
  });
}

const tags = (o: Outcome): string[][] => (o.errors ?? []).map((e) => [e['error-type'], e['error-tag']]);

describe('ncclient: what a schema-driven NMS uses', () => {
  const dir = tempDir('appliance-ncclient-yang-');
  const password = randomBytes(12).toString('hex');
  let app: RunningAppliance | undefined;
  let r: NmsResult;
  before(async () => {
    app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: password });
    r = await drive(app.port, password);
  });
  after(async () => {
    if (app) assert.equal(await app.stop(), 0);
    dir.remove();
  });

  test('get-schema returns the module text; an unknown module is invalid-value naming identifier', () => {
    assert.equal(r.get_schema_ok, true);
    assert.match(r.get_schema_text_start, /^module appliance-interfaces \{/);
    assert.deepEqual(tags(r.get_schema_unknown), [['application', 'invalid-value']]);
    assert.equal(r.get_schema_unknown.errors![0]!['error-info']?.['bad-element'], 'identifier');
  });

  test('netconf-state/schemas under a filter lists every module and nothing else', () => {
    assert.deepEqual(r.netconf_state_children, ['schemas']);
    for (const m of ['appliance-interfaces', 'appliance-system', 'appliance-software', 'ietf-netconf', 'ietf-netconf-monitoring',
      'ietf-netconf-notifications', 'ietf-netconf-with-defaults', 'ietf-yang-library', 'ietf-inet-types']) {
      assert.ok(r.schemas.includes(m), `${m} in netconf-state/schemas`);
    }
  });

  const explicit = [{ name: 'eth0', address: '10.0.0.1/24' }, { name: 'eth1', address: '10.0.0.2/24', mtu: '1500' }, { name: 'eth2', mtu: '1400' }];
  const all = [
    { name: 'eth0', address: '10.0.0.1/24', enabled: 'true', mtu: '1500' }, { name: 'eth1', address: '10.0.0.2/24', enabled: 'true', mtu: '1500' },
    { name: 'eth2', enabled: 'true', mtu: '1400' },
  ];

  test('with-defaults explicit (the basic mode) reports what was set, a value equal to its default included, on get-config and get', () => {
    assert.deepEqual(r.setup, { edit: { ok: true }, commit: { ok: true } });
    assert.deepEqual(r.set_default, { edit: { ok: true }, commit: { ok: true } });
    assert.deepEqual(r.absent, explicit);
    assert.deepEqual(r.explicit, explicit);
    // <get> adds each interface's read-only state container.
    assert.deepEqual(r.get_explicit.map(({ state: _, ...config }) => config), explicit);
  });

  test('with-defaults report-all reports every default; trim leaves out values equal to it; report-all-tagged marks them', () => {
    assert.deepEqual(r.report_all, all);
    assert.deepEqual(r.trim, [{ name: 'eth0', address: '10.0.0.1/24' }, { name: 'eth1', address: '10.0.0.2/24' }, { name: 'eth2', mtu: '1400' }]);
    assert.deepEqual(r.tagged_default_attributes, ['true']);
  });

  test('copy-config with-defaults: the candidate gets every default (report-all), none (trim) or what was set (explicit)', () => {
    for (const mode of ['report-all', 'trim', 'explicit'] as const) assert.deepEqual(r.copy_config[mode].outcome, { ok: true }, mode);
    assert.deepEqual(r.copy_config['report-all'].candidate, all);
    assert.deepEqual(r.copy_config.trim.candidate, r.trim);
    assert.deepEqual(r.copy_config.explicit.candidate, explicit);
  });

  test(':xpath is advertised; get-config with an xpath filter (prefixed, or not) selects what it names; a bad one is bad-attribute', () => {
    assert.equal(r.xpath_capability, true);
    assert.deepEqual(r.xpath_mtu, { ok: true, interfaces: [{ name: 'eth2', mtu: '1400' }] });
    assert.deepEqual(r.xpath_unprefixed, { ok: true, interfaces: [{ name: 'eth1' }] });
    assert.deepEqual(tags(r.xpath_bad), [['rpc', 'bad-attribute']]);
  });

  test('a leaf-list content match selects only the entries holding the value', () => {
    assert.deepEqual(r.leaf_list_match, [{ name: 'eth0', address: '10.0.0.1/24' }]);
  });

  test('<get><bogus/></get> is protocol unknown-element', () => {
    assert.deepEqual(tags(r.unknown_element), [['protocol', 'unknown-element']]);
    assert.equal(r.unknown_element.errors![0]!['error-info']?.['bad-element'], 'bogus');
  });

  test('two invalid values in one edit are two rpc-errors, each with its error-path', () => {
    assert.deepEqual(tags(r.two_invalid), [['application', 'invalid-value'], ['application', 'invalid-value']]);
    const paths = r.two_invalid.errors!.map((e) => e['error-path']).sort();
    assert.deepEqual(paths, [
      "/interfaces:interfaces/interfaces:interface[interfaces:name='eth0']/interfaces:mtu",
      "/interfaces:interfaces/interfaces:interface[interfaces:name='eth1']/interfaces:mtu",
    ]);
  });

  test('continue-on-error is refused with operation-not-supported', () => {
    assert.deepEqual(tags(r.continue_on_error), [['protocol', 'operation-not-supported']]);
  });

  test('confirm-timeout 0 is invalid-value with the error-path of the parameter', () => {
    assert.deepEqual(tags(r.confirm_timeout_0), [['protocol', 'invalid-value']]);
    const e = r.confirm_timeout_0.errors![0]!;
    assert.equal(e['error-path'], '/nc:rpc/nc:commit/nc:confirm-timeout');
    assert.equal(e['error-path-nsmap']?.nc, 'urn:ietf:params:xml:ns:netconf:base:1.0');
  });

  test('RFC 6470: session start for each new session, session end killed (with killed-by) and closed', () => {
    assert.deepEqual(r.subscribe, { ok: true });
    assert.deepEqual(r.kill, { ok: true });
    const b = r.b_session_id;
    const c = r.c_session_id;
    assert.deepEqual(r.session_events.map((e) => [e.event, e['session-id'], e['termination-reason'] ?? null, e['killed-by'] ?? null]), [
      ['netconf-session-start', b, null, null],
      ['netconf-session-start', c, null, null],
      ['netconf-session-end', c, 'killed', b],
      ['netconf-session-end', b, 'closed', null],
    ]);
    for (const e of r.session_events) {
      assert.equal(e.username, 'admin');
      assert.equal(e['source-host'], '127.0.0.1');
    }
  });
});
