/**
 * `npm test` runs this before the tests: every test/**\/*.test.ts is held to the rules of
 * test-checker.ts; each finding is printed as FILE:LINE: PROBLEM and the exit status is 1.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSERTING_HELPERS, checkTestSource, helperAsserts, type Finding } from './test-checker.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return testFiles(p);
    return d.name.endsWith('.test.ts') ? [p] : [];
  });
}

const findings: Finding[] = [];
for (const [name, defined] of Object.entries(ASSERTING_HELPERS)) {
  for (const file of defined) {
    if (!helperAsserts(file, readFileSync(join(ROOT, file), 'utf8'), name)) {
      findings.push({ file, line: 1, problem: `allowlisted helper ${name} is not a function here that asserts` });
    }
  }
}
const files = testFiles(join(ROOT, 'test')).sort();
for (const f of files) findings.push(...checkTestSource(relative(ROOT, f), readFileSync(f, 'utf8')));
for (const f of findings) process.stderr.write(`${f.file}:${f.line}: ${f.problem}\n`);
if (findings.length > 0) {
  process.stderr.write(`check-tests: ${findings.length} problem(s) in the tests\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`check-tests: ${files.length} test files: no .only/.skip/todo, every test asserts\n`);
}
