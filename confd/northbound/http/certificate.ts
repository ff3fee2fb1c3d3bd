/**
 * @module confd/northbound/http/certificate
 * The HTTPS listener's key and self-signed certificate, made on first start in the data
 * directory (like the SSH host key) with the system's openssl, and read as they are after.
 * Written to temporary files, fsynced and renamed: a crash leaves either none or both.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfdError } from '../../core/errors.js';
import { syncDirectory, syncFile } from '../../store/durable-file.js';
import { dirname } from 'node:path';

export interface TlsFiles { readonly key: string; readonly cert: string }

export function loadOrCreateCertificate(files: TlsFiles): { key: Buffer; cert: Buffer } {
  if (!existsSync(files.key) || !existsSync(files.cert)) {
    const tmpKey = `${files.key}.tmp`, tmpCert = `${files.cert}.tmp`;
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
        '-keyout', tmpKey, '-out', tmpCert, '-subj', `/CN=${hostname() || 'appliance'}`,
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
      chmodSync(tmpKey, 0o600);
      syncFile(tmpKey);
      syncFile(tmpCert);
      renameSync(tmpCert, files.cert);
      renameSync(tmpKey, files.key);
      syncDirectory(dirname(files.key));
    } catch (e) {
      rmSync(tmpKey, { force: true });
      rmSync(tmpCert, { force: true });
      throw new ConfdError('STORE_IO', `the HTTPS certificate could not be made with openssl: ${(e as Error).message.split('\n')[0]}`, { cause: e });
    }
  }
  return { key: readFileSync(files.key), cert: readFileSync(files.cert) };
}
