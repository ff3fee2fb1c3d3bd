// Builds the peercred addon with node-gyp, offline: the Node headers are taken from the
// running Node's own prefix (<prefix>/include/node, as Debian's nodejs and the nodejs.org
// tarballs install them) unless npm's `nodedir` names them. Run by `npm ci` (the install script).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = dirname(dirname(process.execPath));
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : '');
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
const r = spawnSync(cmd, [...args, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], { cwd: here, stdio: 'inherit' });
if (r.error) { console.error(`peercred: cannot run node-gyp: ${r.error.message}`); process.exit(1); }
process.exit(r.status ?? 1);
