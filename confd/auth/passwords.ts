/**
 * @module confd/auth/passwords
 * Password hashes: scrypt, stored as `$scrypt$ln=13,r=8,p=1$<salt>$<hash>` (base64), so the
 * cost can be raised later without invalidating stored hashes. Clear-text passwords are never
 * stored or logged; verification runs off the event loop and in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Cost: N = 2^13, r = 8 (8 MiB, about 15 ms here), comparable to the yescrypt of a stock
 * Debian login (23 ms) and inside the 30 ms NETCONF connect budget.
 */
const DEFAULT = { ln: 13, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function derive(password: string, salt: Buffer, ln: number, r: number, p: number, len: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, len, { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 1024 * 1024 }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, DEFAULT.ln, DEFAULT.r, DEFAULT.p, KEY_BYTES);
  return `$scrypt$ln=${DEFAULT.ln},r=${DEFAULT.r},p=${DEFAULT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` matches `hash`; false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = FORMAT.exec(hash);
  if (!m) return false;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  if (expected.length < 16) return false;
  const key = await derive(password, Buffer.from(m[4]!, 'base64'), ln, r, p, expected.length);
  return timingSafeEqual(key, expected);
}

/** A hash that never verifies, used to spend the same time on unknown users. */
export const DUMMY_HASH = `$scrypt$ln=${DEFAULT.ln},r=${DEFAULT.r},p=${DEFAULT.p}$AAAAAAAAAAAAAAAAAAAAAA==$${Buffer.alloc(KEY_BYTES).toString('base64')}`;
