/**
 * The HTTPS listener on several addresses: one port for all, the same route table on each,
 * and a stop that ends open keep-alive connections at once (a browser or a RESTCONF client
 * left connected must not hold the daemon's shutdown for the keep-alive timeout).
 */
import assert from 'node:assert/strict';
import { Agent, get } from 'node:https';
import { join } from 'node:path';
import pino from 'pino';
import { after, before, test } from 'node:test';
import { BasicAuth } from '../../../../confd/northbound/http/auth.js';
import { loadOrCreateCertificate } from '../../../../confd/northbound/http/certificate.js';
import { HttpServer } from '../../../../confd/northbound/http/server.js';
import { openTestDevice, type TestDevice } from '../../../helpers/device.js';
import { tempDir } from '../../../helpers/temp-dir.js';

const dir = tempDir('appliance-http-');
let device: TestDevice;
before(async () => { device = await openTestDevice(); });
after(() => { device.close(); dir.remove(); });

function status(host: string, port: number, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host, port, path: '/hello', agent, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).once('error', reject);
  });
}

test('listens on every address on one port; close ends keep-alive connections at once', async () => {
  const tls = loadOrCreateCertificate({ key: join(dir.path, 'key.pem'), cert: join(dir.path, 'cert.pem') });
  const http = new HttpServer({
    ...tls, auth: new BasicAuth(device.engine), log: pino({ level: 'silent' }),
    routes: [{ method: 'GET', path: '/hello', reads: '/', public: true, handle: () => ({ status: 200, contentType: 'text/plain', body: 'hello\n' }) }],
  });
  const bound = await http.listen(0, ['127.0.0.1', '::1']);
  const agent = new Agent({ keepAlive: true });
  try {
    await checkAndClose(http, bound, agent);
  } finally {
    agent.destroy();
    await http.close();
  }
});

async function checkAndClose(http: HttpServer, bound: ReadonlyArray<{ port: number }>, agent: Agent): Promise<void> {
  assert.equal(bound.length, 2);
  assert.equal(bound[1]!.port, bound[0]!.port, 'one port for every address');
  assert.deepEqual(await status('127.0.0.1', bound[0]!.port, agent), { status: 200, body: 'hello\n' });
  assert.deepEqual(await status('::1', bound[0]!.port, agent), { status: 200, body: 'hello\n' });
  const t0 = Date.now();
  await http.close();
  assert.ok(Date.now() - t0 < 2000, `closed in ${Date.now() - t0} ms with two keep-alive connections open (their timeout is 5 s)`);
}
