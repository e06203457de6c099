import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EvaluationBudget } from "./budget.ts";
import { CelEvaluationError } from "./cel.ts";
import type { CompiledCel } from "./cel.ts";
import { RequestContext } from "./request-context.ts";
import type { AdmissionInput } from "./types.ts";

const input = (object: unknown): AdmissionInput => ({
  operation: "CREATE",
  kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
  namespace: "a",
  object,
  oldObject: null,
});
const env = { config: new Map(), cluster: new Map() };

/** A shareable expression that counts its evaluations and answers (or throws) what it is told. */
function counted(answer: () => unknown): { program: CompiledCel; calls: () => number } {
  let calls = 0;
  const program = {
    evaluateCel: () => {
      calls++;
      return answer();
    },
  } as unknown as CompiledCel;
  return { program, calls: () => calls };
}

function evaluate(request: RequestContext, program: CompiledCel): unknown {
  const budget = new EvaluationBudget(request.limits, request.now, request.deadline, request.cost);
  try {
    return request.evaluateShared(program, 0, request.bindings() as unknown as Record<string, unknown>, budget);
  } catch (error) {
    return error;
  }
}

describe("one request's context", () => {
  test("a shareable expression is evaluated once while the object stays the same, and again for a new object", () => {
    const object = { spec: {} };
    const request = new RequestContext(input(object), env);
    const { program, calls } = counted(() => 1n);
    const steps: Array<[string, () => void, number]> = [
      ["the first module to ask evaluates it", () => evaluate(request, program), 1],
      ["a second module reads the result", () => evaluate(request, program), 1],
      ["the same object given again keeps the result", () => request.useObject(object), 1],
      ["... and is not evaluated again", () => evaluate(request, program), 1],
      ["a new object (a patch) starts afresh", () => request.useObject({ spec: { patched: true } }), 1],
      ["... and is evaluated on it", () => evaluate(request, program), 2],
    ];
    for (const [name, step, expected] of steps) {
      step();
      assert.equal(calls(), expected, name);
    }
  });

  test("a CEL failure is remembered like a value; a spent budget is not", () => {
    const request = new RequestContext(input({}), env);
    const failing = counted(() => {
      throw new CelEvaluationError("no such key: x");
    });
    assert.ok(evaluate(request, failing.program) instanceof CelEvaluationError);
    assert.ok(evaluate(request, failing.program) instanceof CelEvaluationError);
    assert.equal(failing.calls(), 1);
    const spent = counted(() => {
      throw new CelEvaluationError("the evaluation budget is spent", { budgetExhausted: true });
    });
    const other = new RequestContext(input({}), env);
    evaluate(other, spent.program);
    evaluate(other, spent.program);
    assert.equal(spent.calls(), 2, "another module with budget left evaluates it itself");
  });

  test("the bindings are built once, and their object follows useObject", () => {
    const request = new RequestContext(input({ a: 1 }), env);
    const first = request.bindings();
    assert.equal(request.bindings(), first, "one bindings object per request");
    const view = first.object;
    request.useObject({ a: 2 });
    assert.equal(request.bindings(), first);
    assert.notEqual(request.bindings().object, view, "the new object gets its own CEL view");
    assert.equal(request.bindings().oldObject, first.oldObject);
  });

  test("an object is measured once, and a new object is measured anew", () => {
    const request = new RequestContext(input({ blob: "x".repeat(2000) }), { ...env, limits: { maxObjectBytes: 1000 } });
    const denial = request.tooLarge();
    assert.match(denial!.message, /the object is \d+ bytes; policies evaluate objects of at most 1000 bytes/);
    assert.equal(request.tooLarge(), denial);
    request.useObject({ small: true });
    assert.equal(request.tooLarge(), undefined);
  });

  test("the deadline is fixed when the request starts, from its limits", () => {
    let clock = 5;
    const request = new RequestContext(input({}), { ...env, now: () => clock, limits: { timeoutMs: 10 } });
    clock = 100;
    assert.equal(request.deadline, 15);
  });
});
