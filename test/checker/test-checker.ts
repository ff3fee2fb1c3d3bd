/**
 * The test-suite checker's rules, over one test file's source (TypeScript compiler API, no
 * type checking): no `.only`, `.skip` or `.todo` (as a method, an option or on the test
 * context), no test without a body, and no test body that calls no assertion — directly
 * (`assert…`, `t.assert…`), through a function or method of the same file that asserts, or
 * through one of the asserting helpers of test/helpers named in ASSERTING_HELPERS.
 */
import ts from 'typescript';

/**
 * Helpers defined outside the test file that assert (the checker verifies that each one
 * does, in every file named here). Keep it short: a helper that asserts belongs here only when
 * tests call it as their only check.
 */
export const ASSERTING_HELPERS: Readonly<Record<string, readonly string[]>> = {
  rejectsWith: ['test/helpers/engine-fixtures.ts', 'test/upgrade/bundle/helpers.ts'],
  refusedWith: ['test/helpers/upgrade-fixtures.ts'],
  assertOnGoodSlot: ['test/helpers/upgrade-fixtures.ts'],
  assertAuditedOutcome: ['test/helpers/upgrade-fixtures.ts'],
  assertAuditedRefusal: ['test/helpers/upgrade-fixtures.ts'],
  assertHistoryContinues: ['test/helpers/upgrade-fixtures.ts'],
};

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
}

const TEST_FUNCTIONS = new Set(['test', 'it']);
const SUITE_FUNCTIONS = new Set(['test', 'it', 'describe', 'suite']);
const FORBIDDEN = new Set(['only', 'skip', 'todo']);

type FunctionLike = ts.FunctionLikeDeclaration;

function isFunctionLike(n: ts.Node): n is FunctionLike {
  return ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n);
}

/** The name a call is made by: `f(…)` → f, `x.y.f(…)` → f. */
function calleeName(call: ts.CallExpression): string | undefined {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** Whether a call is an assertion itself: assert(…), assert.x(…), t.assert.x(…). */
function isAssertCall(call: ts.CallExpression): boolean {
  let e: ts.Expression = call.expression;
  while (ts.isPropertyAccessExpression(e)) {
    if (e.name.text === 'assert') return true;
    e = e.expression;
  }
  return ts.isIdentifier(e) && e.text === 'assert';
}

/** Functions and methods of a file by name (those of the same name share one entry). */
function localFunctions(source: ts.SourceFile): Map<string, FunctionLike[]> {
  const byName = new Map<string, FunctionLike[]>();
  const add = (name: string, f: FunctionLike) => byName.set(name, [...(byName.get(name) ?? []), f]);
  const visit = (n: ts.Node): void => {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name && (ts.isIdentifier(n.name) || ts.isPrivateIdentifier(n.name)) && n.body) {
      add(n.name.text.replace(/^#/, ''), n);
    } else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && isFunctionLike(n.initializer)) {
      add(n.name.text, n.initializer);
    } else if (ts.isPropertyAssignment(n) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) && isFunctionLike(n.initializer)) {
      add(n.name.text, n.initializer);
    } else if (ts.isPropertyDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && isFunctionLike(n.initializer)) {
      add(n.name.text, n.initializer);
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return byName;
}

/** Decides, with memory, whether a piece of code reaches an assertion. */
class AssertionFinder {
  private readonly memo = new Map<FunctionLike, boolean>();

  constructor(private readonly functions: Map<string, FunctionLike[]>, private readonly helpers: ReadonlySet<string>) {}

  asserts(node: ts.Node): boolean {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(n)) {
        const name = calleeName(n);
        if (isAssertCall(n) || (name !== undefined && (this.helpers.has(name) || this.functionAsserts(name)))) {
          found = true;
          return;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
    return found;
  }

  /** Whether a function or method of this file named `name` reaches an assertion. */
  functionAsserts(name: string): boolean {
    return (this.functions.get(name) ?? []).some((f) => {
      const known = this.memo.get(f);
      if (known !== undefined) return known;
      this.memo.set(f, false); // a recursive call proves nothing
      const result = f.body !== undefined && this.asserts(f.body);
      this.memo.set(f, result);
      return result;
    });
  }
}

/** The findings in one test file. */
export function checkTestSource(file: string, text: string, helpers: ReadonlySet<string> = new Set(Object.keys(ASSERTING_HELPERS))): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const finder = new AssertionFinder(localFunctions(source), helpers);
  const findings: Finding[] = [];
  const report = (n: ts.Node, problem: string) =>
    findings.push({ file, line: source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1, problem });

  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const e = n.expression;
      // test.only(…), it.skip(…), describe.todo(…), t.skip(), t.todo()
      if (ts.isPropertyAccessExpression(e) && FORBIDDEN.has(e.name.text) && ts.isIdentifier(e.expression)) {
        report(n, `.${e.name.text} left in a test`);
      }
      const name = ts.isIdentifier(e) ? e.text : undefined;
      if (name !== undefined && SUITE_FUNCTIONS.has(name)) {
        for (const arg of n.arguments) {
          if (!ts.isObjectLiteralExpression(arg)) continue;
          for (const p of arg.properties) {
            const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
            if (key !== undefined && FORBIDDEN.has(key)) report(p, `option ${key} left in a test`);
          }
        }
      }
      if (name !== undefined && TEST_FUNCTIONS.has(name)) {
        const body = n.arguments.length > 0 ? n.arguments[n.arguments.length - 1]! : undefined;
        if (!body || !(isFunctionLike(body) || ts.isIdentifier(body))) report(n, 'a test without a body');
        else if (!(isFunctionLike(body) ? finder.asserts(body) : finder.functionAsserts(body.text))) report(n, 'a test body that calls no assertion');
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return findings;
}

/** Whether the helper `name` is a function of `text` whose body reaches an assertion. */
export function helperAsserts(file: string, text: string, name: string): boolean {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const functions = localFunctions(source);
  const finder = new AssertionFinder(functions, new Set());
  return (functions.get(name) ?? []).some((f) => f.body !== undefined && finder.asserts(f.body));
}
