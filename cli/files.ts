/**
 * @module cli/files
 * Where `load` and `save` read and write: a capability the host gives the session. Over SSH it
 * is the user's own directory (<data-dir>/files/<user>/), where names may not climb out with
 * `..` or be absolute; for `appliance cli` it is the caller's working directory, any path
 * allowed. Writes are durable (temp file, fsync, rename).
 */
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { writeFileDurably } from '../confd/api/index.js';

export interface FileStore {
  /** What `load`/`save` say when a name is refused or missing, e.g. "files/admin". */
  readonly description: string;
  read(name: string): Promise<string>;
  write(name: string, text: string): Promise<string>;
  /** File names for completion (best effort). */
  list(): Promise<string[]>;
  /** The absolute path of a name (for requests that name a file on the appliance, e.g. a bundle). */
  path(name: string): string;
}

export class FileNameError extends Error {}

/** A store rooted at `dir`. `confined`: names are relative and stay inside it. */
export function directoryFiles(dir: string, options: { confined: boolean; description?: string }): FileStore {
  const root = resolve(dir);
  const where = (name: string): string => {
    if (name === '') throw new FileNameError('a file name is needed');
    if (options.confined) {
      if (isAbsolute(name) || name.includes('\0')) throw new FileNameError(`'${name}': only names inside ${options.description ?? 'your file directory'} are allowed`);
      const n = normalize(name);
      if (n === '..' || n.startsWith('..' + sep) || n.split(sep).includes('..')) {
        throw new FileNameError(`'${name}': names may not leave ${options.description ?? 'your file directory'}`);
      }
    }
    return resolve(root, name);
  };
  return {
    description: options.description ?? root,
    read: async (name) => readFile(where(name), 'utf8'),
    write: async (name, text) => {
      const path = where(name);
      if (options.confined) await mkdir(root, { recursive: true, mode: 0o700 });
      const parent = resolve(path, '..');
      if ((await stat(parent).catch(() => null))?.isDirectory() !== true) throw new FileNameError(`'${name}': no such directory`);
      writeFileDurably(path, text, options.confined ? 0o600 : 0o644);
      return path;
    },
    path: (name) => where(name),
    list: async () => {
      try {
        const entries = await readdir(root, { withFileTypes: true });
        return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
      } catch {
        return [];
      }
    },
  };
}

/** The SSH user's directory under the data directory. */
export function userFiles(dataDir: string, user: string): FileStore {
  // Login names are configured names (no '/', no leading '.'); refuse anything else rather than trust it.
  if (user === '' || user.includes('/') || user.includes('\0') || user.startsWith('.')) {
    throw new FileNameError(`no file directory for the user name '${user}'`);
  }
  return directoryFiles(join(dataDir, 'files', user), { confined: true, description: `files/${user}` });
}
