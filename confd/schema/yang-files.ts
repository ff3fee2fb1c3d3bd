/**
 * @module confd/schema/yang-files
 * The YANG modules of a schema version as files: generated from schemas/vN/device.schema.json
 * (with the earlier versions for the revision history) and kept under schemas/vN/yang/ as
 * NAME@REVISION.yang; the standard modules they use or the server implements are under
 * schemas/ietf/. Reading them is what the NETCONF server publishes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileDeviceSchema, listSchemaVersions } from './loader.js';
import { type YangModule, yangModules } from './yang.js';

type Json = Record<string, unknown>;

export const STANDARD_MODULES_DIR = 'ietf';

function readJson(schemasDir: string, version: number): Json {
  return JSON.parse(readFileSync(join(schemasDir, `v${version}`, 'device.schema.json'), 'utf8')) as Json;
}

/** The modules of `version`, generated now from its JSON Schema. */
export function generateYang(schemasDir: string, version: number): YangModule[] {
  const json = readJson(schemasDir, version);
  const history = new Map<number, Json>();
  for (const v of listSchemaVersions(schemasDir)) if (v < version) history.set(v, readJson(schemasDir, v));
  return yangModules(json, compileDeviceSchema(json, version), history);
}

export function yangFileName(m: { name: string; revision: string }): string {
  return `${m.name}@${m.revision}.yang`;
}

export interface YangSource {
  readonly name: string;
  readonly revision: string;
  readonly text: string;
}

/** The .yang files of a folder, parsed from their names (NAME@REVISION.yang). */
export function readYangDir(dir: string): YangSource[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yang')).sort().map((f) => {
    const m = /^([A-Za-z0-9_.-]+)@([0-9]{4}-[0-9]{2}-[0-9]{2})\.yang$/.exec(f);
    if (!m) throw new Error(`YANG file ${f} is not named NAME@REVISION.yang`);
    return { name: m[1]!, revision: m[2]!, text: readFileSync(join(dir, f), 'utf8') };
  });
}

export interface PublishedModule extends YangSource {
  readonly namespace: string;
  /** true for the appliance's own modules (generated from the schema). */
  readonly own: boolean;
}

function namespaceOf(m: YangSource): string {
  const ns = /^\s*namespace\s+"([^"]+)"\s*;/m.exec(m.text);
  if (!ns) throw new Error(`module ${m.name} has no namespace statement`);
  return ns[1]!;
}

/** The committed modules of `version` and the standard ones beside them, as the server publishes them. */
export function publishedModules(schemasDir: string, version: number): PublishedModule[] {
  const own = readYangDir(join(schemasDir, `v${version}`, 'yang')).map((m) => ({ ...m, namespace: namespaceOf(m), own: true }));
  const standard = readYangDir(join(schemasDir, STANDARD_MODULES_DIR)).map((m) => ({ ...m, namespace: namespaceOf(m), own: false }));
  return [...own, ...standard];
}
