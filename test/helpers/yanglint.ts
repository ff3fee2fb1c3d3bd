/**
 * @module test/helpers/yanglint
 * Runs Debian's yanglint (libyang-tools) on the committed modules of a schema version: module
 * checks, and data validation of XML documents (as a get-config or get reply's content).
 */
import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMAS_DIR } from '../../confd/main/app-paths.js';
import { STANDARD_MODULES_DIR } from '../../confd/schema/yang-files.js';
import { tempDir } from './temp-dir.js';

export const IETF_DIR = join(SCHEMAS_DIR, STANDARD_MODULES_DIR);

export interface LintResult { readonly code: number; readonly stderr: string; readonly stdout: string }

export function yanglint(args: readonly string[]): Promise<LintResult> {
  return new Promise((resolve, reject) => {
    execFile('yanglint', args, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') { reject(err); return; }
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

export function versionYangDir(version: number): string {
  return join(SCHEMAS_DIR, `v${version}`, 'yang');
}

/** The appliance modules of `version` and the standard modules, as yanglint arguments. */
export function moduleArgs(version: number, standard: readonly string[] = []): string[] {
  const dir = versionYangDir(version);
  const own = readdirSync(dir).filter((f) => f.endsWith('.yang')).map((f) => join(dir, f));
  const ietf = readdirSync(IETF_DIR).filter((f) => standard.some((s) => f.startsWith(`${s}@`))).map((f) => join(IETF_DIR, f));
  return ['-p', IETF_DIR, '-p', dir, ...own, ...ietf];
}

/** Validates `xml` (top-level data elements) as data of `type` ('config', 'get', 'getconfig'…). */
export async function validateData(version: number, xml: string, type: string, standard: readonly string[] = []): Promise<LintResult> {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'data.xml');
    writeFileSync(file, xml);
    return await yanglint(['-t', type, ...moduleArgs(version, standard), file]);
  } finally {
    dir.remove();
  }
}
