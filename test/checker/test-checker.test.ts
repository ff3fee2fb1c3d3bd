/**
 * The test checker `npm test` runs first: what it flags (.only/.skip/todo, tests without a
 * body or without an assertion) and what it accepts (assertions direct, through functions of
 * the same file, through the allowlisted helpers, which must themselves assert).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ASSERTING_HELPERS, checkTestSource, helperAsserts } from './test-checker.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HEADER = "import assert from 'node:assert/strict';\nimport { describe, it, test } from 'node:test';\n";

/** The problems found in `body` (after the imports), as [line, problem]. */
function problems(body: string): Array<[number, string]> {
  return checkTestSource('fixture.test.ts', HEADER + body).map((f) => [f.line - 2, f.problem]);
}

test('the fixture file: its assertion-free test is flagged, the one that asserts is not', () => {
  const file = 'test/checker/fixtures/assertion-free.fixture.ts';
  const findings = checkTestSource(file, readFileSync(ROOT + file, 'utf8'));
  assert.deepEqual(findings, [{ file, line: 16, problem: 'a test body that calls no assertion' }]);
});

test('.only, .skip and todo, as methods, options or on the test context, are flagged', () => {
  assert.deepEqual(problems([
    "test.only('a', () => { assert.ok(1); });",
    "it.skip('b', () => { assert.ok(1); });",
    "describe.todo('c', () => {});",
    "test('d', { skip: true }, () => { assert.ok(1); });",
    "it('e', { todo: 'later' }, () => { assert.ok(1); });",
    "describe('f', { only: true }, () => {});",
    "test('g', (t) => { t.skip(); assert.ok(1); });",
    "test('h');",
  ].join('\n')), [
    [1, '.only left in a test'], [2, '.skip left in a test'], [3, '.todo left in a test'], [4, 'option skip left in a test'],
    [5, 'option todo left in a test'], [6, 'option only left in a test'], [7, '.skip left in a test'], [8, 'a test without a body'],
  ]);
});

test('assertions count directly, through t.assert, through functions and methods of the file, and through allowlisted helpers', () => {
  assert.deepEqual(problems(`
function check(x: number) { assert.equal(x, 1); }
const indirect = (x: number) => check(x);
class Probe { expect(x: number) { assert.ok(x); } }
declare function rejectsWith(p: Promise<unknown>, code: string): Promise<unknown>;
test('direct', () => { assert.ok(true); });
test('t.assert', (t) => { t.assert.ok(true); });
test('through two functions', () => { indirect(1); });
test('through a method', () => { new Probe().expect(1); });
test('through an allowlisted helper', async () => { await rejectsWith(Promise.reject(new Error('x')), 'X'); });
it('a named body', check);
describe('nested', () => { it('inside a loop', () => { for (const x of [1]) assert.equal(x, 1); }); });
`), []);
});

test('a test whose helpers never assert, or that only calls code, is flagged', () => {
  assert.deepEqual(problems(`
function log(x: unknown) { return String(x); }
const recursive = (n: number): number => (n > 0 ? recursive(n - 1) : 0);
declare function someImportedHelper(): void;
test('logs', () => { log(1); });
test('recursion proves nothing', () => { recursive(3); });
test('an unknown helper', () => { someImportedHelper(); });
it('empty', async () => {});
`), [[5, 'a test body that calls no assertion'], [6, 'a test body that calls no assertion'],
    [7, 'a test body that calls no assertion'], [8, 'a test body that calls no assertion']]);
});

test('every allowlisted helper asserts where it is defined; a helper that does not is caught', () => {
  for (const [name, files] of Object.entries(ASSERTING_HELPERS)) {
    for (const file of files) assert.ok(helperAsserts(file, readFileSync(ROOT + file, 'utf8'), name), `${name} in ${file}`);
  }
  assert.equal(helperAsserts('x.ts', 'export function quiet() { return 1; }', 'quiet'), false);
});
