/**
 * A local-socket client run as another uid by the local-socket test (setpriv): connects to the
 * socket in argv[2] declaring the user in argv[3], sends each [method, params] of the JSON
 * argv[4] in order, and prints one JSON object: the hello outcome and each request's.
 */
import { SocketClient } from '../../confd/northbound/socket/client.js';
import type { ConfdError } from '../../confd/core/errors.js';

type Outcome = { ok: unknown } | { error: { code: string; message: string } };
const failed = (e: unknown): Outcome => ({ error: { code: (e as ConfdError).code ?? 'NONE', message: (e as Error).message } });

const [socket, declared, requests] = process.argv.slice(2) as [string, string, string];
const out: { uid: number; hello: Outcome; results: Outcome[] } = { uid: process.getuid!(), hello: { ok: null }, results: [] };
let client: SocketClient | undefined;
try {
  client = await SocketClient.connect(socket, declared, 'peer-test');
  out.hello = { ok: { user: client.user } };
  for (const [method, params] of JSON.parse(requests) as Array<[string, Record<string, unknown>]>) {
    try { out.results.push({ ok: await client.request(method, params) }); } catch (e) { out.results.push(failed(e)); }
  }
} catch (e) {
  out.hello = failed(e);
} finally {
  client?.close();
}
process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0));
