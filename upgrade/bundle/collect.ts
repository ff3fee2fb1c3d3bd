/**
 * @module upgrade/bundle/collect
 * Which files of a built appliance tree go into a bundle: package.json, bin/, dist/ (without
 * tests, benchmarks and source maps), schemas/, daemons/ and web/ (the status page) if present, the compiled addons under
 * native/ (their *.node only: native/peercred reads the kernel's peer credentials), and the production
 * dependency closure under node_modules computed from package-lock.json, trimmed to what
 * require() needs at run time (no docs, tests, source maps, TypeScript sources or declarations,
 * or native build intermediates). Symbolic links are refused: a bundle holds only regular files.
 * Imports only node built-ins and confd/api.
 */
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleInputFile } from './create.js';
import { asUpgradeError, errnoCode, refusal, type Fail } from './refusal.js';

/** Decides, for a path relative to the tree being walked, whether to descend into a directory or take a file. */
type Include = (rel: string, name: string, isDir: boolean) => boolean;

const SKIP_DIRS_IN_PACKAGES = new Set(['node_modules', 'test', 'tests', '__tests__', '.github']);
/** Compiler output of node-gyp that nothing loads at run time. */
const BUILD_INTERMEDIATE_DIRS = new Set(['obj', 'obj.target', '.deps']);
/** Documentation, source maps and TypeScript sources/declarations: node never loads them. */
const NOT_RUN = /\.(md|markdown|map|ts|mts|cts)$/i;
const BUILD_INTERMEDIATE_FILES = /\.(a|o|mk|gypi|d)$|^Makefile$/;

async function walk(root: string, rel: string, bundlePrefix: string, include: Include, out: BundleInputFile[], fail: Fail): Promise<void> {
  const abs = rel === '' ? root : join(root, rel);
  let entries;
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch (e) {
    throw asUpgradeError(e, fail, `reading ${abs}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    const bundlePath = `${bundlePrefix}${childRel}`;
    if (entry.isSymbolicLink()) {
      if (!include(childRel, entry.name, false) && !include(childRel, entry.name, true)) continue;
      throw fail('UPG_UNSAFE_PATH', `${join(root, childRel)} is a symbolic link; a bundle holds only regular files`, { path: bundlePath });
    }
    if (entry.isDirectory()) {
      if (include(childRel, entry.name, true)) await walk(root, childRel, bundlePrefix, include, out, fail);
    } else if (entry.isFile()) {
      if (include(childRel, entry.name, false)) out.push({ path: bundlePath, absolute: join(root, childRel) });
    } else if (include(childRel, entry.name, false)) {
      throw fail('UPG_UNSAFE_PATH', `${join(root, childRel)} is not a regular file`, { path: bundlePath });
    }
  }
}

async function kind(path: string): Promise<'missing' | 'file' | 'dir' | 'link' | 'other'> {
  try {
    const st = await lstat(path);
    return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return 'missing';
    throw e;
  }
}

/** native/<addon>/build/Release/<addon>.node, nothing else of native/ (sources, build tree). */
const nativeRule: Include = (rel, name, isDir) => {
  const parts = rel.split('/');
  if (isDir) return parts.length <= 3 && (parts.length < 2 || parts[1] === 'build') && (parts.length < 3 || parts[2] === 'Release');
  return parts.length === 4 && parts[1] === 'build' && parts[2] === 'Release' && name.endsWith('.node');
};

const distRule: Include = (rel, name, isDir) => {
  if (isDir) return rel !== 'test' && rel !== 'bench';
  return !name.endsWith('.map');
};

/** Rules for one package directory under node_modules. */
async function packageRule(pkgDir: string, name: string): Promise<Include> {
  if (name === 'better-sqlite3') {
    // Only what its lib/ loads: the sqlite sources and build tree are 25 MB of no use at run time.
    return (rel, _n, isDir) => isDir
      ? rel === 'lib' || rel.startsWith('lib/') || rel === 'build' || rel === 'build/Release'
      : rel === 'package.json' || rel.startsWith('lib/') || rel === 'build/Release/better_sqlite3.node';
  }
  // Directories holding a binding.gyp are native addons: keep only the compiled *.node of their build.
  const nativeDirs = new Set<string>();
  const findNative = async (rel: string): Promise<void> => {
    const entries = await readdir(rel === '' ? pkgDir : join(pkgDir, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.isFile() && e.name === 'binding.gyp') nativeDirs.add(rel);
      if (e.isDirectory() && !SKIP_DIRS_IN_PACKAGES.has(e.name) && !BUILD_INTERMEDIATE_DIRS.has(e.name)) {
        await findNative(rel === '' ? e.name : `${rel}/${e.name}`);
      }
    }
  };
  await findNative('');
  /** The innermost native directory holding `rel`, and `rel` relative to it. */
  const nativeParent = (rel: string): { dir: string; sub: string } | undefined => {
    let best: { dir: string; sub: string } | undefined;
    for (const dir of nativeDirs) {
      const prefix = dir === '' ? '' : `${dir}/`;
      if (rel.startsWith(prefix) && (best === undefined || dir.length > best.dir.length)) best = { dir, sub: rel.slice(prefix.length) };
    }
    return best;
  };
  return (rel, n, isDir) => {
    if (isDir) {
      if (SKIP_DIRS_IN_PACKAGES.has(n) || BUILD_INTERMEDIATE_DIRS.has(n)) return false;
      const native = nativeParent(rel);
      return !(native && (native.sub === 'src' || native.sub === 'deps'));
    }
    if (NOT_RUN.test(n) || BUILD_INTERMEDIATE_FILES.test(n)) return false;
    const native = nativeParent(rel);
    if (native && (native.sub.startsWith('build/') || native.sub.startsWith('src/') || native.sub.startsWith('deps/'))) {
      return native.sub.startsWith('build/') && n.endsWith('.node');
    }
    return true;
  };
}

interface LockEntry {
  readonly name?: string;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The lock key node would load `name` from when required by the package at `from` ("" is the root). */
function resolve(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const key = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (Object.hasOwn(packages, key)) return key;
    if (base === '') return undefined;
    const at = base.lastIndexOf('/node_modules/');
    base = at < 0 ? '' : base.slice(0, at);
  }
}

/** Lock keys ("node_modules/a", "node_modules/a/node_modules/b") of the production closure present on disk. */
async function productionPackages(appRoot: string, fail: Fail): Promise<string[]> {
  const lockFile = join(appRoot, 'package-lock.json');
  let lock: { lockfileVersion?: unknown; packages?: Record<string, LockEntry> };
  try {
    lock = JSON.parse(await readFile(lockFile, 'utf8')) as typeof lock;
  } catch (e) {
    throw asUpgradeError(e, fail, `reading ${lockFile}`);
  }
  const packages = lock.packages;
  const root = packages?.[''];
  if (typeof packages !== 'object' || packages === null || root === undefined) {
    throw fail('UPG_IO', `${lockFile} has no "packages" map (lockfileVersion 2 or 3 is needed)`, { reason: 'incomplete-build' });
  }
  const chosen = new Set<string>();
  const queue: Array<{ from: string; name: string; optional: boolean }> = [];
  const enqueue = (from: string, e: LockEntry, withPeers: boolean): void => {
    for (const name of Object.keys(e.dependencies ?? {})) queue.push({ from, name, optional: false });
    for (const name of Object.keys(e.optionalDependencies ?? {})) queue.push({ from, name, optional: true });
    if (withPeers) for (const name of Object.keys(e.peerDependencies ?? {})) queue.push({ from, name, optional: true });
  };
  enqueue('', root, false);
  while (queue.length > 0) {
    const { from, name, optional } = queue.shift()!;
    const key = resolve(packages, from, name);
    if (key === undefined) {
      if (optional) continue;
      throw fail('UPG_IO', `${lockFile} has no entry for ${name}, needed by ${from || 'the appliance'}`, { reason: 'incomplete-build' });
    }
    if (chosen.has(key)) continue;
    const entry = packages[key]!;
    if (entry.dev === true) continue;
    if (entry.link === true) {
      throw fail('UPG_UNSAFE_PATH', `${key} is a linked package; a bundle holds only regular files`, { path: key });
    }
    const onDisk = await kind(join(appRoot, key));
    if (onDisk === 'missing') {
      if (optional || entry.optional === true || entry.devOptional === true) continue;
      throw fail('UPG_IO', `${key} is a production dependency but is not installed; run npm ci`, { reason: 'incomplete-build', path: key });
    }
    if (onDisk !== 'dir') throw fail('UPG_UNSAFE_PATH', `${join(appRoot, key)} is not a directory`, { path: key });
    chosen.add(key);
    enqueue(key, entry, true);
  }
  return [...chosen].sort();
}

/** The files of the build at `appRoot` to ship, sorted by bundle path. */
export async function collectBuildFiles(appRoot: string): Promise<BundleInputFile[]> {
  const fail = refusal(`cannot collect the build in ${appRoot}`, { appRoot });
  const out: BundleInputFile[] = [];
  try {
    const pkg = await kind(join(appRoot, 'package.json'));
    if (pkg !== 'file') throw fail('UPG_IO', `${join(appRoot, 'package.json')} is missing or not a regular file`, { reason: 'incomplete-build' });
    out.push({ path: 'package.json', absolute: join(appRoot, 'package.json') });
    for (const [dir, rule, required] of [
      ['bin', () => true, true], ['dist', distRule, true], ['schemas', () => true, true], ['native', nativeRule, true],
      ['daemons', () => true, false], ['web', (rel: string) => rel !== 'tsconfig.json', false],
    ] as const) {
      const k = await kind(join(appRoot, dir));
      if (k === 'missing' && !required) continue;
      if (k === 'link') throw fail('UPG_UNSAFE_PATH', `${join(appRoot, dir)} is a symbolic link`, { path: dir });
      if (k !== 'dir') throw fail('UPG_IO', `${join(appRoot, dir)} is missing or not a directory; build first`, { reason: 'incomplete-build', path: dir });
      await walk(join(appRoot, dir), '', `${dir}/`, rule, out, fail);
    }
    for (const key of await productionPackages(appRoot, fail)) {
      const pkgDir = join(appRoot, key);
      const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
      await walk(pkgDir, '', `${key}/`, await packageRule(pkgDir, name), out, fail);
    }
  } catch (e) {
    throw asUpgradeError(e, fail, 'collecting the build');
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
