/**
 * Item: SSH algorithms as current OpenSSH offers them. hmac-sha1 and pre-authentication zlib
 * are refused; curve25519, chacha20-poly1305 / AES-GCM / AES-CTR, SHA-2 MACs (ETM first, as OpenSSH) and
 * zlib@openssh.com are negotiated; strict KEX is offered.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PASSWORD } from './ssh-netconf.js';

const dir = tempDir('appliance-sec-algo-');
let app: RunningAppliance;
before(async () => { app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: PASSWORD }); });
after(async () => { await app.stop(); dir.remove(); });

/** Connects offering only `algorithms`; the negotiated set, or null when the handshake failed. */
function negotiate(algorithms: ssh2.Algorithms): Promise<ssh2.NegotiatedAlgorithms | null> {
  return new Promise((resolve) => {
    const conn = new ssh2.Client();
    let negotiated: ssh2.NegotiatedAlgorithms | null = null;
    conn.on('handshake', (n) => { negotiated = n; });
    conn.on('ready', () => { conn.end(); resolve(negotiated); });
    conn.on('error', () => resolve(null));
    conn.connect({ host: '127.0.0.1', port: app.port, username: 'admin', password: PASSWORD, algorithms, readyTimeout: 10_000 });
  });
}

test('SHA-1 MACs, pre-authentication zlib, SHA-1 key exchange and CBC are refused', async () => {
  assert.equal(await negotiate({ hmac: ['hmac-sha1'], cipher: ['aes128-ctr'] }), null);
  assert.equal(await negotiate({ compress: ['zlib'] }), null);
  assert.equal(await negotiate({ kex: ['diffie-hellman-group14-sha1'] }), null);
  assert.equal(await negotiate({ cipher: ['aes128-cbc'] }), null);
});

test('the modern set is negotiated', async () => {
  assert.equal((await negotiate({ kex: ['curve25519-sha256'] }))?.kex, 'curve25519-sha256');
  assert.equal((await negotiate({ cipher: ['aes256-gcm@openssh.com'] }))?.cs.cipher, 'aes256-gcm@openssh.com');
  const ctr = await negotiate({ cipher: ['aes128-ctr'], hmac: ['hmac-sha2-512-etm@openssh.com'] });
  assert.equal(ctr?.cs.mac, 'hmac-sha2-512-etm@openssh.com');
  // Clients without ETM (libssh2 before 1.11, which yangcli uses) get plain SHA-2, as from OpenSSH.
  assert.equal((await negotiate({ cipher: ['aes128-ctr'], hmac: ['hmac-sha2-256'] }))?.cs.mac, 'hmac-sha2-256');
  assert.equal((await negotiate({ compress: ['zlib@openssh.com'] }))?.cs.compress, 'zlib@openssh.com');
});
