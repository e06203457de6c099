// Builtins are charged by the size of their inputs and output (cost.ts), on
// both engines, before they do the work: a policy written to be slow on a
// large object is stopped at the cost limit and denies, naming itself.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RE2JS } from "@bufbuild/re2";
import { EvaluationBudget } from "./budget.ts";
import { CelEvaluationError, compileCel } from "./cel.ts";
import { jsonToCel } from "./cel-values.ts";
import { runMutations, runValidations } from "./evaluate.ts";
import { RequestContext } from "./request-context.ts";
import { compileModule, makePolicySet } from "./module-loader.ts";
import type { AdmissionInput } from "./types.ts";
import { concatLists } from "./list-concat.ts";
import { countingCalls, CountingList } from "./testing/work-counters.ts";

/** Two of these make an object close to the 1 MiB limit; a separator every 8 characters. */
const BLOB = "abcdefg,".repeat(62_500);
const ITEMS = Array.from({ length: 2000 }, (_, i) => `item-${i}`);

const doubled = (times: number): string => `[object.spec.blob]${".map(x, x + x)".repeat(times)}.size() > 0`;
const nested = (name: string, depth: number): string => `[${name}]${".map(x, [x, x])".repeat(depth)}`;
/** A literal list of n ints, to repeat a call n times. */
const times = (n: number): string => `[${Array.from({ length: n }, (_, i) => i).join(", ")}]`;

const SLOW: ReadonlyArray<{ name: string; expression: string }> = [
  { name: "splitting large strings into characters", expression: "object.spec.blob.split('').size() + object.spec.copy.split('').size() > 0" },
  { name: "doubling a string again and again", expression: doubled(12) },
  { name: "replacing the empty string in a large string", expression: "object.spec.blob.replace('', 'xx') != ''" },
  { name: "joining with a large separator", expression: `${times(6).replace(/\d+/g, "object.spec.blob")}.join(object.spec.blob) != ''` },
  { name: "replacing in a large string over and over", expression: `${times(10)}.all(i, object.spec.blob.replace('a', 'b') != '')` },
  { name: "searching a large string over and over", expression: `${times(12)}.exists(i, object.spec.blob.find('b+c+d+z') != '')` },
  { name: "matching a large string over and over", expression: `${times(10)}.exists(i, object.spec.blob.matches('^(a|b)*z$'))` },
  { name: "concatenating a large string in a loop", expression: `${times(11)}.exists(i, size(object.spec.blob + object.spec.blob) == 0)` },
  { name: "membership tests in a list, for every element of it", expression: "object.spec.items.all(a, a in object.spec.items)" },
  { name: "list indexOf for every element of the list", expression: "object.spec.items.all(a, object.spec.items.indexOf(a) >= 0)" },
  { name: "comparing a large string with another in a loop", expression: `${times(25)}.all(i, object.spec.blob == object.spec.copy)` },
  { name: "comparing two nested lists that share their parts", expression: `${nested("object.spec.blob", 20)} == ${nested("object.spec.copy", 20)}` },
  { name: "sizing a large string in a loop", expression: `${times(25)}.all(i, size(object.spec.blob) > 0)` },
];

const spec = { blob: BLOB, copy: `${BLOB.slice(0, -1)},`, items: ITEMS };

/**
 * A clock that never moves: only a cost limit can stop these runs, however
 * loaded the machine is. What proves a refusal came before its work is
 * deterministic: the cost-limit message (where the work, done first, would
 * end otherwise: a string too long to build, a walk of 2^41 elements), and
 * counters of the work itself (elements read, patterns compiled, strings
 * parsed; testing/work-counters.ts), never how long the run took.
 */
const FROZEN_CLOCK = () => 0;

/** For a refusal whose work has no counter here: runs it, counts nothing. */
function noCounter(run: () => void): number {
  run();
  return 0;
}

/**
 * Runs `expression` on both engines, each with a fresh budget of `limits`
 * on a frozen clock, and asserts that each stops it at the per-expression
 * cost limit, having charged the same cost over the same iterations; `work`
 * (a counter of the work the refused call would do) must stay at 0 on both.
 */
function assertRefusedAlikeOnBothEngines(
  expression: string,
  bindings: Record<string, unknown>,
  limits: { maxIterations: number; timeoutMs: number },
  work: (run: () => void) => number = noCounter,
): void {
  const outcomes = (["auto", "planner"] as const).map((engine) => {
    const compiled = compileCel(expression, { variables: ["object"], engine });
    assert.ok(compiled.ok, JSON.stringify(compiled));
    const budget = new EvaluationBudget(limits, FROZEN_CLOCK);
    const done = work(() => assert.throws(() => compiled.evaluateCel(bindings, budget), /cost limit of 1000000 units per expression/, engine));
    assert.equal(done, 0, `${engine}: the refused call did its work before it was charged`);
    return { cost: budget.cost, iterations: budget.iterations };
  });
  assert.deepEqual(outcomes[0], outcomes[1]);
}

function request(): AdmissionInput {
  return {
    operation: "CREATE",
    kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
    namespace: "team-a",
    name: "web",
    object: { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "web", namespace: "team-a" }, spec },
    oldObject: null,
  };
}

/** A compiled module for DomainRoute CREATE requests. */
function testModule(name: string, spec: Record<string, unknown>) {
  const result = compileModule(
    {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name },
      spec: { match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE"] }], ...spec },
    },
    `${name}.yaml`,
  );
  if ("problems" in result) assert.fail(result.problems.join("\n"));
  return result.module;
}

/** The request's context, on a clock that never moves. */
function frozenContext(): RequestContext {
  return new RequestContext(request(), { config: new Map(), cluster: new Map(), now: FROZEN_CLOCK });
}

/** Runs `module` alone on the request: it must be denied once, at the per-expression cost limit; its violation. */
function deniedAtExpressionCostLimit(module: ReturnType<typeof testModule>) {
  const violations = runValidations(makePolicySet([module]), frozenContext());
  assert.equal(violations.length, 1, JSON.stringify(violations));
  const [violation] = violations;
  assert.match(violation!.message, /cost limit of 1000000 units per expression/);
  return violation!;
}

function slowPolicy(expression: string) {
  return testModule("slow-on-purpose", { description: "written to be slow on a large object", validations: [{ expression, message: "never mind" }] });
}

describe("a policy written to be slow on a large object is stopped at the cost limit and denies", () => {
  for (const { name, expression } of SLOW) {
    test(name, () => {
      const violation = deniedAtExpressionCostLimit(slowPolicy(expression));
      assert.equal(violation.policy, "slow-on-purpose");
      assert.equal(violation.action, "Deny");
      assert.match(violation.message, /the request is denied because policy errors fail closed/);
    });
  }
});

/**
 * A module whose variables double a two-element list 40 times: CEL
 * concatenates lists lazily, so `variables.huge` holds 2^41 elements at no
 * cost. A call that walked it to price itself would never return.
 */
function lazilyDoubled(expression: string) {
  const variables = [{ name: "v0", expression: "['a', 'b']" }];
  for (let i = 1; i <= 40; i++) variables.push({ name: `v${i}`, expression: `variables.v${i - 1} + variables.v${i - 1}` });
  variables.push({ name: "huge", expression: "variables.v40" });
  return testModule("lazy-doubling", {
    description: "a list of 2^41 elements built for free",
    variables,
    validations: [{ expression, message: "never mind" }],
  });
}

describe("a list of 2^41 elements, built for free by lazy concatenation, is refused before any walk of it", () => {
  const cases = [
    { name: "joining it", expression: "variables.huge.join('') != ''" },
    { name: "a membership test in it", expression: "'z' in variables.huge" },
    { name: "comparing it with itself", expression: "variables.huge == variables.huge" },
    { name: "indexOf in it", expression: "variables.huge.indexOf('z') < 0" },
    { name: "checking whether it is sorted", expression: "variables.huge.isSorted()" },
    { name: "its largest element", expression: "variables.huge.max() != ''" },
    // 40 lazy nodes deep; 30 more concatenations make it too deep to stay lazy, and copying it flat is charged (list-concat.ts).
    { name: "concatenating to it until it is too deep to stay lazy", expression: `size(variables.huge${" + variables.v4".repeat(30)}) > 0` },
  ];
  for (const { name, expression } of cases) {
    test(name, () => {
      assert.equal(deniedAtExpressionCostLimit(lazilyDoubled(expression)).policy, "lazy-doubling");
    });
  }

  for (const expression of ["size(variables.huge) == 2199023255552", "variables.huge != ['a']"]) {
    test(`${expression} is answered at once: the list itself is legal, only walking it is priced (lists of different sizes are unequal unwalked)`, () => {
      assert.deepEqual(runValidations(makePolicySet([lazilyDoubled(expression)]), frozenContext()), []);
    });
  }
});

/** 32 elements doubled 36 times by list-concat.ts, as the variables above do: 2^41 elements, 36 lazy nodes deep, none of them read. */
function countedHugeList(): { huge: unknown; leaf: CountingList; tail: CountingList } {
  const leaf = new CountingList(Array.from({ length: 32 }, (_, i) => `e${i}`));
  let huge = leaf as unknown as Parameters<typeof concatLists>[0];
  for (let i = 0; i < 36; i++) huge = concatLists(huge, huge);
  return { huge, leaf, tail: new CountingList(Array.from({ length: 32 }, (_, i) => `t${i}`)) };
}

describe("the same calls on a list of 2^41 elements read none of its elements, on both engines", () => {
  const refused = [
    "huge.join('') != ''",
    "'z' in huge",
    "huge == huge",
    "huge.indexOf('z') < 0",
    "huge.isSorted()",
    "huge.max() != ''",
    // 36 lazy nodes deep; 30 more concatenations make it too deep to stay lazy: the flat copy is charged first.
    `size(huge${" + tail".repeat(30)}) > 0`,
  ];
  for (const expression of refused) {
    test(`${expression} is refused at the cost limit`, () => {
      for (const engine of ["auto", "planner"] as const) {
        const compiled = compileCel(expression, { variables: ["huge", "tail"], engine });
        assert.ok(compiled.ok, JSON.stringify(compiled));
        const { huge, leaf, tail } = countedHugeList();
        const budget = new EvaluationBudget({ maxIterations: 1_000_000, timeoutMs: 60_000 }, FROZEN_CLOCK);
        assert.throws(() => compiled.evaluateCel({ huge, tail }, budget), /cost limit of 1000000 units per expression/, engine);
        assert.deepEqual({ engine, reads: leaf.reads + tail.reads }, { engine, reads: 0 });
      }
    });
  }

  for (const [expression, value] of [
    ["size(huge) == 2199023255552", true],
    ["huge != ['a']", true],
  ] as const) {
    test(`${expression} is answered`, () => {
      for (const engine of ["auto", "planner"] as const) {
        const compiled = compileCel(expression, { variables: ["huge"], engine });
        assert.ok(compiled.ok, JSON.stringify(compiled));
        const { huge, leaf } = countedHugeList();
        const budget = new EvaluationBudget({ maxIterations: 1_000_000, timeoutMs: 60_000 }, FROZEN_CLOCK);
        assert.equal(compiled.evaluateCel({ huge }, budget), value, engine);
        assert.deepEqual({ engine, reads: leaf.reads }, { engine, reads: 0 });
      }
    });
  }
});

describe("both engines charge a slow expression the same and stop it", () => {
  const bindings = { object: jsonToCel({ spec }) };
  for (const { name, expression } of SLOW) {
    test(name, () => {
      const outcomes = (["auto", "planner"] as const).map((engine) => {
        const compiled = compileCel(expression, { variables: ["object"], engine });
        assert.ok(compiled.ok, JSON.stringify(compiled));
        const budget = new EvaluationBudget({ maxIterations: 1_000_000, timeoutMs: 60_000 });
        let stopped: unknown;
        try {
          compiled.evaluateCel(bindings, budget);
        } catch (error) {
          stopped = error;
        }
        assert.ok(
          stopped instanceof CelEvaluationError && stopped.budgetExhausted,
          `${engine}: the expression was not stopped by the cost limit (${String(stopped)})`,
        );
        return { message: stopped.message, cost: budget.cost, iterations: budget.iterations };
      });
      assert.deepEqual(outcomes[0], outcomes[1]);
      assert.match(outcomes[0]!.message, /cost limit/);
    });
  }
});

describe("the cost limits", () => {
  test("one request's policies share the request's cost limit: a later policy is refused once it is spent", () => {
    const spend = (name: string) => {
      // 200,000 units: the concatenation copies 10^6 characters, size() walks them.
      const module = slowPolicy("[1, 2].all(i, size(object.spec.blob + object.spec.blob) == 0)");
      return { ...module, name };
    };
    const set = makePolicySet([spend("first"), spend("second"), spend("third")]);
    const violations = runValidations(
      set,
      new RequestContext(request(), { config: new Map(), cluster: new Map(), limits: { maxRequestCost: 500_000 }, now: FROZEN_CLOCK }),
    );
    assert.deepEqual(
      violations.map((v) => [v.policy, /request's cost limit of 500000 units/.test(v.message)]),
      [
        ["first", false],
        ["second", false],
        ["third", true],
      ],
    );
    assert.equal(violations[0]!.message, "never mind");
  });

  test("a variable's cost counts for the variable, not for the expression that reads it", () => {
    const module = testModule("two-halves", {
      description: "two variables, each within the per-expression limit, together above it",
      variables: [
        // 650,000 units each: copies of 1, 1.5 and 2 x 10^6 characters, and size() over the last.
        { name: "a", expression: "size(object.spec.blob + object.spec.blob + object.spec.blob + object.spec.blob)" },
        { name: "b", expression: "size(object.spec.copy + object.spec.copy + object.spec.copy + object.spec.copy)" },
      ],
      validations: [{ expression: "variables.a + variables.b > 0", message: "empty" }],
    });
    const violations = runValidations(makePolicySet([module]), frozenContext());
    assert.deepEqual(violations, []);
  });

  test("the deadline is read as cost accumulates, so an expression without loops is stopped by it too", () => {
    const compiled = compileCel(`size(${Array.from({ length: 20 }, () => "object.spec.blob").join(" + ")}) > 0`, { variables: ["object"] });
    assert.ok(compiled.ok);
    let clock = 0;
    // Each read of the clock is 10 ms later; cost limits far away, so only the deadline can stop it.
    const budget = new EvaluationBudget({ maxIterations: 10, timeoutMs: 5, maxExpressionCost: 1e12, maxRequestCost: 1e12 }, () => (clock += 10));
    assert.throws(() => compiled.evaluateCel({ object: jsonToCel({ spec }) }, budget), /deadline of 5 ms/);
    assert.equal(budget.iterations, 0);
  });

  test("a call the budget cannot pay for is refused before it runs", () => {
    const compiled = compileCel("object.spec.blob.replace('', object.spec.blob)", { variables: ["object"] });
    assert.ok(compiled.ok);
    const budget = new EvaluationBudget({ maxIterations: 10, timeoutMs: 60_000 });
    // Without the charge first, this would build a string of about 10^12 characters (and fail only on memory).
    assert.throws(() => compiled.evaluateCel({ object: jsonToCel({ spec }) }, budget), /cost limit/);
    assert.ok(budget.cost > 1_000_000);
  });
});

describe("a mutation's result", () => {
  test("one built of shared parts is refused before it is expanded into JSON", () => {
    const module = testModule("exploding-patch", {
      description: "a patch value of 2^30 leaves that CEL builds from 30 shared pairs",
      mutations: [{ patchType: "JSONPatch", expression: `[{'op': 'add', 'path': '/spec/x', 'value': ${nested("1", 30)}}]` }],
    });
    // Expanded first, 2^30 leaves would fail on memory or string length: this message only comes when the size is refused before.
    const outcome = runMutations(makePolicySet([module]), frozenContext());
    assert.deepEqual(outcome.patch, []);
    assert.equal(outcome.violations.length, 1);
    assert.equal(outcome.violations[0]!.policy, "exploding-patch");
    assert.match(outcome.violations[0]!.message, /makes the result larger than 1048576 characters of JSON/);
  });
});

describe("a regular expression from the object is charged for compiling it, on both engines", () => {
  // Before: these ran at a few thousand units; 100,000 `(a)` took 99 s to compile, 64 KB of literal text 8 s.
  const refused = [
    { name: "a pattern longer than the limit", pattern: "(a)".repeat(100_000) },
    { name: "counted repetition written out to a million characters", pattern: "a{1000}".repeat(1000) },
    { name: "a long group repeated a thousand times", pattern: `(${"abcdefghij".repeat(30)}){1000}` },
  ];
  for (const { name, pattern } of refused) {
    test(`${name} is refused before it is compiled`, () => {
      assertRefusedAlikeOnBothEngines(
        "''.matches(object.spec.pattern)",
        { object: jsonToCel({ spec: { pattern } }) },
        { maxIterations: 10, timeoutMs: 60_000 },
        (run) => countingCalls(RE2JS, "compile", (compiled) => compiled === pattern, run, { forbidden: true }).calls,
      );
    });
  }

  test("the planner keeps a compiled pattern too, so a loop of matches with a slow-to-compile literal pattern compiles it once", () => {
    // 252 characters of case-folded Unicode classes take about 1 ms to compile: 2,000 compiles were 2 s, past the deadline.
    const pattern = "(?i)\\p{L}".repeat(28);
    const expression = `object.spec.items.all(x, !x.matches('${pattern.replaceAll("\\", "\\\\")}'))`;
    const { result: results, calls } = countingCalls(
      RE2JS,
      "compile",
      (compiled) => compiled === pattern,
      () =>
        (["auto", "planner"] as const).map((engine) => {
          const compiled = compileCel(expression, { variables: ["object"], engine });
          assert.ok(compiled.ok);
          const budget = new EvaluationBudget({ maxIterations: 1_000_000, timeoutMs: 250 }, FROZEN_CLOCK);
          return { value: compiled.evaluateCel({ object: jsonToCel({ spec }) }, budget), cost: budget.cost };
        }),
    );
    assert.deepEqual(results[1], results[0]);
    assert.deepEqual(results[0], { value: true, cost: 126_000 });
    assert.equal(calls, 1, "4,000 matches on the two engines compile the pattern once");
  });

  test("a hostname pattern with counted repetition costs a few thousand units, and short patterns nothing for compiling", () => {
    const hostname = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$";
    for (const [pattern, units] of [
      [hostname, 3596],
      ["^[a-z]+([.][a-z]+)*$", 0],
    ] as const) {
      const compiled = compileCel("'shop.example.com'.matches(object.spec.pattern)", { variables: ["object"] });
      assert.ok(compiled.ok);
      const budget = new EvaluationBudget({ maxIterations: 10, timeoutMs: 60_000 });
      assert.equal(compiled.evaluateCel({ object: jsonToCel({ spec: { pattern } }) }, budget), true);
      // Matching 16 characters of text costs 2 units per quarter of the pattern's characters; the rest is the compile.
      assert.equal(budget.cost - 2 * Math.ceil(pattern.length / 4), units, pattern);
    }
  });
});

describe("converting a long string to an integer is charged for parsing it whole", () => {
  // The standard library parses the whole string into a BigInt before its range check: 75 ms for a million digits.
  const bindings = {
    object: jsonToCel({ spec: { digits: "1".repeat(1_000_000), short: "00000000000000000000000000000000000000000000000000000000000000000042" } }),
  };
  for (const expression of ["int(object.spec.digits) > 0", "uint(object.spec.digits) > 0u"]) {
    test(`${expression} is refused before the parse, alike on both engines`, () => {
      // The parse is the BigInt of the whole string.
      const parses = (run: () => void) =>
        countingCalls(globalThis, "BigInt", (text) => typeof text === "string" && text.length > 64, run, { forbidden: true }).calls;
      assertRefusedAlikeOnBothEngines(expression, bindings, { maxIterations: 10, timeoutMs: 60_000 }, parses);
    });
  }

  test("a zero-padded number a little longer than any integer still converts, for a few units", () => {
    const compiled = compileCel("int(object.spec.short)", { variables: ["object"] });
    assert.ok(compiled.ok);
    const budget = new EvaluationBudget({ maxIterations: 10, timeoutMs: 60_000 });
    assert.equal(compiled.evaluateCel(bindings, budget), 42n);
    // 68 characters: 7 units to read them, 4 for each of the 4 past 64.
    assert.equal(budget.cost, 23);
  });
});

describe("timestamps and durations are charged by the call, so a loop of them is stopped at the cost limit", () => {
  const repeated = (term: string, times: number) => Array.from({ length: times }, () => term).join(" && ");
  const cases = [
    // Before: 8.4 s at no cost, the clock first read at the loop's 1,024th iteration.
    { name: "time zone accessors repeated in a loop body", expression: `object.spec.items.all(x, ${repeated("timestamp(0).getHours('UTC') >= 0", 220)})` },
    // Before: 0.84 s at 801 units.
    {
      name: "timestamp arithmetic repeated in a loop body",
      expression: `[timestamp(0)].all(t, [duration('1s')].all(d, object.spec.items.all(x, ${repeated("t + d > t", 600)})))`,
    },
  ];
  const bindings = { object: jsonToCel({ spec }) };
  for (const { name, expression } of cases) {
    test(name, () => {
      assertRefusedAlikeOnBothEngines(expression, bindings, { maxIterations: 1_000_000, timeoutMs: 250 });
    });
  }
});
