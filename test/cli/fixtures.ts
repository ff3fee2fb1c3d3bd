/**
 * Test helpers for the CLI: the schema description, a session over a fake backend (a small
 * in-memory stand-in for the handful of socket methods the CLI calls, recording every call),
 * and a session over the real engine in process (no sockets).
 */
import { ConfdError, type JsonObject, type SchemaDescription } from '../../confd/api/index.js';
import { describeSchema } from '../../confd/schema/describe.js';
import { MethodTable } from '../../confd/northbound/socket/methods.js';
import { Operations } from '../../confd/rpc/operations.js';
import { CliSession, type Backend } from '../../cli/index.js';
import type { FileStore } from '../../cli/files.js';
import { compileGrammar, type Grammar } from '../../cli/grammar.js';
import { openTestDevice, quietLogger, testSchema, type TestDevice } from '../helpers/device.js';

export function description(): SchemaDescription {
  return describeSchema(testSchema());
}

export function grammar(): Grammar {
  return compileGrammar(description());
}

export interface Call { readonly method: string; readonly params: Record<string, unknown> }

type Handler = (params: Record<string, unknown>) => unknown;

/** A backend that answers from handlers (overridable per test) and records what it was asked. */
export class FakeBackend implements Backend {
  readonly calls: Call[] = [];
  running: JsonObject = { system: { hostname: 'r1' } };
  candidate: JsonObject = { system: { hostname: 'r1' } };
  readonly handlers: Record<string, Handler> = {
    'schema': () => description(),
    'config.get': (p) => (p.datastore === 'candidate' ? this.candidate : this.running),
    'config.edit': () => ({}),
    'configure.enter': () => ({}),
    'configure.exit': () => ({}),
    'configure.editors': () => [],
    'configure.owners': () => [],
    'sessions': () => [{ session: 1, user: 'admin', source: 'cli', address: 'local', since: '2024-01-01T00:00:00Z', editing: null, self: true }],
    'compare': () => [],
    'commit': (p) => ({ txid: 2, confirmedPending: p.confirmed === true }),
    'validate': () => ({}),
    'discard': () => ({}),
    'history': () => [{ txid: 3, time: '2024-01-01T00:00:00Z', user: 'admin', session: 1, source: 'cli', comment: '', nodes: 1 }],
    'config.rollback-load': () => ({}),
    'cli.command': () => ({}),
  };

  async request<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    this.calls.push({ method, params });
    const h = this.handlers[method];
    if (!h) throw new ConfdError('SOCK_BAD_REQUEST', `unknown method '${method}'`);
    return h(params) as T;
  }

  /** The calls of one method, in order. */
  of(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  fail(method: string, error: ConfdError): void {
    this.handlers[method] = () => { throw error; };
  }
}

/** Collected output of a session. */
export class Capture {
  text = '';
  readonly write = (s: string) => { this.text += s; };
  take(): string { const t = this.text; this.text = ''; return t; }
}

export interface TestSession {
  readonly session: CliSession;
  readonly out: Capture;
  readonly err: Capture;
  /** Runs a line; returns its status. */
  run(line: string): Promise<number>;
}

export async function openSession(backend: Backend, options: { files?: FileStore; user?: string } = {}): Promise<TestSession> {
  const out = new Capture();
  const err = new Capture();
  const session = await CliSession.open({
    backend, user: options.user ?? 'admin', output: out, errorOutput: err, ...(options.files ? { files: options.files } : {}),
  });
  return { session, out, err, run: async (line) => (await session.execute(line)).status };
}

/** The real engine in process: the socket method table over Operations, as the SSH CLI uses it. */
export async function realBackend(options: { schemaVersion?: number } = {}): Promise<{ backend: Backend; device: TestDevice; close(): Promise<void> }> {
  const device = await openTestDevice(options.schemaVersion ? { schema: testSchema(options.schemaVersion) } : {});
  const ops = new Operations(device.engine, quietLogger);
  const session = ops.openSession({ user: 'admin', source: 'cli', address: 'local' });
  const methods = new MethodTable();
  const backend: Backend = {
    request: async <T>(method: string, params: Record<string, unknown> = {}) => (await methods.call({ ops, session }, method, params)) as T,
  };
  return { backend, device, close: async () => { await ops.closeSession(session); device.close(); } };
}
