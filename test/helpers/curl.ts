/**
 * Test helpers: real curl against the appliance's HTTPS listener (self-signed certificate,
 * so -k), the reply as status, lower-case headers and body.
 */
import { execFile } from 'node:child_process';

export interface CurlReply { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string }

/** Runs `curl -sk -i ARGS… URL`; 1xx interim replies are skipped. */
export function curl(url: string, args: readonly string[] = [], timeoutMs = 20_000): Promise<CurlReply> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sk', '-i', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args, url], { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs + 5000 },
      (err, stdout) => {
        if (err && stdout === '') { reject(err); return; }
        let rest = stdout;
        for (;;) {
          const end = rest.indexOf('\r\n\r\n');
          const head = end < 0 ? rest : rest.slice(0, end);
          const m = /^HTTP\/[\d.]+ (\d{3})/.exec(head);
          if (!m) { reject(new Error(`no HTTP reply from curl: ${stdout.slice(0, 200)}`)); return; }
          const body = end < 0 ? '' : rest.slice(end + 4);
          if (m[1]!.startsWith('1') && body.startsWith('HTTP/')) { rest = body; continue; }
          const headers: Record<string, string> = {};
          for (const line of head.split('\r\n').slice(1)) {
            const c = line.indexOf(':');
            if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
          }
          resolve({ status: Number(m[1]), headers, body });
          return;
        }
      });
  });
}
