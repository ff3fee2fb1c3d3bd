/**
 * @module upgrade/bundle/platform
 * What a build's compiled parts (better_sqlite3.node) are bound to: the CPU architecture, the
 * Node ABI (process.versions.modules) and the C library. A bundle records its builder's, and
 * verification refuses one built for another platform, before it reaches a slot.
 */
import type { Fail } from './refusal.js';

export interface Platform {
  readonly arch: string;
  readonly nodeAbi: string;
  /** glibc or musl on Linux; none elsewhere. */
  readonly libc: string;
}

export const PLATFORM_KEYS = ['arch', 'nodeAbi', 'libc'] as const;
const WORD = /^[A-Za-z0-9_.-]{1,32}$/;

/** The platform this process runs on. */
export function currentPlatform(): Platform {
  let libc = 'none';
  if (process.platform === 'linux') {
    const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
    libc = header?.glibcVersionRuntime ? 'glibc' : 'musl';
  }
  return { arch: process.arch, nodeAbi: process.versions.modules, libc };
}

/** Validates a manifest's "platform" member (UPG_BAD_MANIFEST). */
export function validatePlatform(v: unknown, fail: Fail): Platform {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail('UPG_BAD_MANIFEST', 'the manifest\'s "platform" is not an object');
  const p = v as Record<string, unknown>;
  for (const k of Object.keys(p)) {
    if (!(PLATFORM_KEYS as readonly string[]).includes(k)) throw fail('UPG_BAD_MANIFEST', `the manifest's "platform" has an unknown member ${JSON.stringify(k)}`);
  }
  for (const k of PLATFORM_KEYS) {
    if (typeof p[k] !== 'string' || !WORD.test(p[k])) throw fail('UPG_BAD_MANIFEST', `the manifest's "platform.${k}" is not a short word`);
  }
  return Object.freeze({ arch: p.arch as string, nodeAbi: p.nodeAbi as string, libc: p.libc as string });
}

/** What differs between a bundle's platform and this one ('' when they match). */
export function platformMismatch(bundle: Platform, here: Platform): string {
  return PLATFORM_KEYS.filter((k) => bundle[k] !== here[k]).map((k) => `${k} ${bundle[k]} (this device: ${here[k]})`).join(', ');
}
