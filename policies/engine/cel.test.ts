import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EvaluationBudget } from "./budget.ts";
import { CelEvaluationError, compileCel } from "./cel.ts";
import type { CompiledCel } from "./cel.ts";

const VARIABLES = ["object", "cluster"];

function compiled(source: string): CompiledCel {
  const result = compileCel(source, { variables: VARIABLES });
  if (!result.ok) assert.fail(`expected ${source} to compile: ${result.message}`);
  return result;
}

describe("compiling CEL", () => {
  const failures: Array<{ name: string; source: string; message: RegExp; column?: number }> = [
    { name: "a syntax error names its column", source: "object.spec.x == 'a' &&& true", message: /^syntax error/, column: 22 },
    {
      name: "an unknown function is rejected at load, not at request time",
      source: "object.spec.x == frobnicate(1)",
      message: /unknown function 'frobnicate'/,
      column: 18,
    },
    {
      name: "an undeclared variable is rejected and the available ones listed",
      source: "params.x == 1",
      message: /undeclared reference to 'params' \(available: cluster, object\)/,
      column: 1,
    },
    {
      name: "a known function called with the wrong shape lists its overloads",
      source: "isHostname()",
      message: /'isHostname' cannot be called as a function with 0 argument\(s\); overloads: isHostname\(string\)/,
    },
    {
      name: "comprehensions nested deeper than the limit are rejected",
      source: "[1].all(a, [1].all(b, [1].all(c, [1].all(d, true))))",
      message: /nested 4 deep; the limit is 3/,
    },
    { name: "an empty expression is rejected", source: "  ", message: /expression is empty/ },
    { name: "an over-long expression is rejected", source: `true${" && true".repeat(2000)}`, message: /characters long; the limit is 8192/ },
    { name: "message construction is refused", source: "google.protobuf.Duration{seconds: 1} != null", message: /message construction/ },
  ];
  for (const { name, source, message, column } of failures) {
    test(name, () => {
      const result = compileCel(source, { variables: VARIABLES });
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.match(result.message, message);
      if (column !== undefined) assert.equal(result.column, column);
    });
  }

  test("comprehension variables are in scope inside their macro only", () => {
    assert.equal(compileCel("[1, 2].all(x, x > 0)", { variables: [] }).ok, true);
    const outside = compileCel("[1, 2].all(x, x > 0) && x == 1", { variables: [] });
    assert.equal(outside.ok, false);
  });

  test("the variables an expression reads are known after compiling", () => {
    const program = compiled("object.spec.x == 1 && cluster.grants.size() > 0");
    assert.deepEqual([...program.rootsRead].sort(), ["cluster", "object"]);
  });
});

describe("evaluating CEL over JSON", () => {
  const object = {
    metadata: { labels: { constructor: "yes", app: "web" } },
    spec: { replicas: 3, ratio: 0.5, ports: [80, 443], nested: { deep: [{ name: "a" }] } },
  };
  const cases: Array<{ name: string; source: string; expected: unknown }> = [
    { name: "JSON integers are CEL ints", source: "object.spec.replicas + 1", expected: 4n },
    { name: "JSON fractions are CEL doubles", source: "object.spec.ratio * 2.0", expected: 1 },
    { name: "a label named constructor is an ordinary key", source: "object.metadata.labels.constructor", expected: "yes" },
    { name: "has() is false for an absent field", source: "has(object.spec.protection)", expected: false },
    { name: "lists support macros", source: "object.spec.ports.exists(p, p == 443)", expected: true },
    { name: "nested lists of maps are reachable", source: "object.spec.nested.deep[0].name", expected: "a" },
    { name: "map keys are iterable", source: "object.metadata.labels.all(k, k != '')", expected: true },
    { name: "size of a map counts its keys", source: "size(object.metadata.labels)", expected: 2n },
  ];
  for (const { name, source, expected } of cases) {
    test(name, () => assert.deepEqual(compiled(source).evaluate({ object }), expected));
  }

  const errors: Array<{ name: string; source: string; message: RegExp }> = [
    { name: "reading an absent field is an error, not a silent null", source: "object.spec.protection.appId == ''", message: /protection/ },
    { name: "JavaScript prototype names are not reachable", source: "object.constructor", message: /constructor/ },
    { name: "__proto__ is not reachable", source: "object.__proto__", message: /__proto__/ },
    { name: "an out-of-range index is an error", source: "object.spec.ports[5] == 1", message: /./ },
  ];
  for (const { name, source, message } of errors) {
    test(name, () =>
      assert.throws(
        () => compiled(source).evaluate({ object }),
        (e: unknown) => e instanceof CelEvaluationError && message.test(e.message),
      ),
    );
  }

  test("the evaluation error names the column of the failing part", () => {
    assert.throws(
      () => compiled("true && object.spec.missing.x == 1").evaluate({ object }),
      (e: unknown) => e instanceof CelEvaluationError && e.column !== undefined && e.column > 1,
    );
  });
});

describe("bounding evaluation", () => {
  const big = { spec: { items: Array.from({ length: 200 }, (_, i) => i) } };

  test("a comprehension past the iteration budget fails instead of running on", () => {
    const program = compiled("object.spec.items.map(a, object.spec.items.map(b, a + b)).size() > 0");
    const budget = new EvaluationBudget({ maxIterations: 1000, timeoutMs: 60_000 });
    assert.throws(
      () => program.evaluate({ object: big }, budget),
      (e: unknown) => e instanceof CelEvaluationError && e.budgetExhausted && /1000 iterations/.test(e.message),
    );
  });

  test("an exhausted budget is a failure even when CEL's error absorption would yield true", () => {
    const program = compiled("object.spec.items.map(a, object.spec.items.map(b, a + b)).size() > 0 || true");
    const budget = new EvaluationBudget({ maxIterations: 1000, timeoutMs: 60_000 });
    assert.throws(
      () => program.evaluate({ object: big }, budget),
      (e: unknown) => e instanceof CelEvaluationError && e.budgetExhausted,
    );
  });

  test("the deadline stops a long evaluation, read from the injected clock", () => {
    let clock = 0;
    const now = () => (clock += 1);
    const budget = new EvaluationBudget({ maxIterations: 10_000_000, timeoutMs: 5 }, now);
    const program = compiled("object.spec.items.map(a, object.spec.items.map(b, a + b)).size() > 0");
    assert.throws(
      () => program.evaluate({ object: big }, budget),
      (e: unknown) => e instanceof CelEvaluationError && /deadline of 5 ms/.test(e.message),
    );
  });

  test("a spent budget refuses further expressions of the same request", () => {
    const budget = new EvaluationBudget({ maxIterations: 10, timeoutMs: 60_000 });
    assert.throws(() => compiled("object.spec.items.all(x, x >= 0)").evaluate({ object: big }, budget));
    assert.throws(
      () => compiled("true").evaluate({}, budget),
      (e: unknown) => e instanceof CelEvaluationError && e.budgetExhausted,
    );
  });

  test("an evaluation within budget is unaffected by the instrumentation", () => {
    const budget = new EvaluationBudget({ maxIterations: 1000, timeoutMs: 60_000 });
    assert.equal(compiled("object.spec.items.filter(x, x % 2 == 0).size()").evaluate({ object: big }, budget), 100n);
    assert.equal(budget.iterations, 200);
  });

  test("a hostile regular expression runs in linear time (RE2)", () => {
    const program = compiled("object.s.matches('^(a+)+$')");
    assert.equal(program.evaluate({ object: { s: `${"a".repeat(50_000)}!` } }), false);
  });
});
