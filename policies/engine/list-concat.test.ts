// Lists built by concatenation stay shallow on both engines (list-concat.ts):
// the planner runs map and filter as `accu + [x]` per element, and a lazily
// concatenated result 60,000 nodes deep overflowed the stack when iterated.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_LIMITS, EvaluationBudget } from "./budget.ts";
import { CelEvaluationError, compileCel } from "./cel.ts";
import { jsonToCel } from "./cel-values.ts";
import { MAX_DEPTH } from "./list-concat.ts";
import { deepestConcatenationRead } from "./testing/work-counters.ts";

/** 62,501 parts once split at the commas. */
const BLOB = "abcdefg,".repeat(62_500);
const bindings = { object: jsonToCel({ spec: { blob: BLOB } }) };
/** A concatenation 200 deep of a 20-element list, so no step of it is small. */
const TWENTY = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]";
const deepChain = `(${TWENTY}${` + ${TWENTY}`.repeat(200)})`;

/**
 * Runs `expression` on `engine` with the default limits on a clock that never
 * moves (only the cost and iteration limits can stop it, however loaded the
 * machine), and reports, besides the outcome, the deepest lazy concatenation
 * any read went through: a read costs a step per level, so a walk stays
 * linear while that depth is bounded (timing it would fail by chance under load).
 */
function run(expression: string, engine: "auto" | "planner") {
  const compiled = compileCel(expression, { variables: ["object"], engine, maxLength: 100_000 });
  assert.ok(compiled.ok, JSON.stringify(compiled));
  const budget = new EvaluationBudget(DEFAULT_LIMITS, () => 0);
  const { result, depth } = deepestConcatenationRead(() => {
    try {
      return { value: compiled.evaluateCel(bindings, budget) };
    } catch (error) {
      assert.ok(error instanceof CelEvaluationError, String(error));
      return { error: error.message };
    }
  });
  return { ...result, cost: budget.cost, iterations: budget.iterations, depth };
}

describe("lists built by concatenation are read in linear time on both engines", () => {
  const cases = [
    { name: "mapping the result of a map over 62,501 elements", expression: "object.spec.blob.split(',').map(x, x).map(y, y).size() == 62501", value: true },
    {
      name: "iterating the result of a filter over 62,501 elements",
      expression: "object.spec.blob.split(',').filter(x, true).exists(y, y == 'z')",
      value: false,
    },
    { name: "membership in the result of a map", expression: "'z' in object.spec.blob.split(',').map(x, x)", value: false },
    { name: "reading the last element of a mapped list", expression: "object.spec.blob.split(',').map(x, x)[62500] == ''", value: true },
    { name: "iterating a concatenation 200 deep", expression: `${deepChain}.exists(x, x == 20)`, value: false },
  ];
  for (const { name, expression, value } of cases) {
    test(name, () => {
      const [compiled, planner] = [run(expression, "auto"), run(expression, "planner")];
      assert.equal(planner.value, value, JSON.stringify(planner));
      assert.deepEqual({ ...compiled, depth: 0 }, { ...planner, depth: 0 });
      for (const { depth } of [compiled, planner]) assert.ok(depth <= MAX_DEPTH, `a read went ${depth} lazy concatenations deep`);
    });
  }
});

describe("appending shares storage without changing any list already built", () => {
  const cases = [
    {
      name: "two appends to the same mapped list",
      expression: "[[1, 2, 3].map(x, x)].all(l, l + [9] == [1, 2, 3, 9] && l + [8] == [1, 2, 3, 8] && l == [1, 2, 3])",
    },
    {
      name: "an append to a list that was appended to",
      expression: "[[1, 2, 3].map(x, x) + [4]].all(l, (l + [5]) + [6] == [1, 2, 3, 4, 5, 6] && l + [7] == [1, 2, 3, 4, 7] && size(l) == 4)",
    },
    {
      name: "a large list appended to a mapped one",
      expression: `[[1, 2].map(x, x)].all(l, l + ${TWENTY} == [1, 2] + ${TWENTY} && (l + ${TWENTY})[21] == 19)`,
    },
  ];
  for (const { name, expression } of cases) {
    test(name, () => {
      for (const engine of ["auto", "planner"] as const) assert.equal(run(expression, engine).value, true, engine);
    });
  }
});
