// The fast path's CEL semantics, case by case: each expression must run on
// the compiled closures, give the expected value or error, and give exactly
// what @bufbuild/cel's planner gives (value with its CEL types, or error
// message and column, and the loop iterations charged).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EvaluationBudget } from "../budget.ts";
import { CelEvaluationError, compileCel } from "../cel.ts";
import type { CompiledCel } from "../cel.ts";
import { jsonToCel } from "../cel-values.ts";
import { observe, render } from "./testing.ts";
import type { Observed } from "./testing.ts";

const VARIABLES = ["object", "config"];

function both(source: string): { fast: CompiledCel; reference: CompiledCel } {
  const fast = compileCel(source, { variables: VARIABLES });
  const reference = compileCel(source, { variables: VARIABLES, engine: "planner" });
  if (!fast.ok || !reference.ok) assert.fail(`${source} does not compile`);
  return { fast, reference };
}

const object = {
  metadata: { name: "web", labels: { constructor: "a label", app: "web" } },
  spec: { replicas: 3, ratio: 0.5, name: "Web", nothing: null, ports: [80, 443], rules: [{ action: "Allow" }, { action: "Deny" }] },
};
const bindings = {
  object: jsonToCel(object),
  config: new Map<string, unknown>([
    ["limit", 2n],
    ["names", ["a", "b"]],
  ]),
};

/** A scalar value, a value as render() writes it (lists, uints), or an error message pattern. */
type Expected = { value: bigint | number | string | boolean } | { rendered: unknown } | { error: RegExp };

const cases: Array<[name: string, source: string, expected: Expected]> = [
  // && and || absorb an error on the side that does not decide, in either order.
  ["false && error is false", "false && object.missing == 1", { value: false }],
  ["error && false is false", "object.missing == 1 && false", { value: false }],
  ["true || error is true", "true || object.missing == 1", { value: true }],
  ["error || true is true", "object.missing == 1 || true", { value: true }],
  ["error && true is the error", "object.missing == 1 && true", { error: /missing/ }],
  ["of two errors the first in operand order wins", "object.first.x == 1 || object.second.y == 1", { error: /first/ }],
  ["a longer chain still lets a later false win over an earlier error", "true && object.missing == 1 && true && false", { value: false }],
  ["a non-bool operand of && is a type mismatch", "1 && true", { error: /type mismatch: expected bool, got int/ }],
  ["a non-bool operand loses to a deciding one", "1 || true", { value: true }],
  ["an erroring condition is the conditional's result", "object.missing ? 1 : 2", { error: /missing/ }],
  ["a non-bool condition is a no-overload error", "1 ? 'a' : 'b'", { error: /no matching overload for _\?_:_/ }],
  ["only the chosen branch is evaluated", "true ? 1 : object.missing", { value: 1n }],
  // int64 overflow and no implicit numeric conversion.
  ["int addition overflows", "9223372036854775807 + 1", { error: /int overflow/ }],
  ["int subtraction overflows", "-9223372036854775808 - 1", { error: /int overflow/ }],
  ["int multiplication overflows", "9223372036854775807 * 2", { error: /int overflow/ }],
  ["a double too large for int fails the conversion", "int(1e19)", { error: /int overflow/ }],
  ["int division by zero is an error", "1 / 0", { error: /divide by zero/ }],
  ["double division by zero is infinity", "1.0 / 0.0", { value: Number.POSITIVE_INFINITY }],
  ["int plus double has no overload", "1 + 1.0", { error: /no matching overload for '_\+_' applied to '\(int, double\)'/ }],
  ["int equals double across types", "1 == 1.0", { value: true }],
  ["uint equals int across types", "2u == 2", { value: true }],
  ["int orders against double", "1 < 1.5", { value: true }],
  ["uint arithmetic stays uint", "1u + 2u", { rendered: { uint: "3" } }],
  ["uint plus int has no overload", "1u + 1", { error: /no matching overload/ }],
  ["NaN is not equal to itself", "0.0 / 0.0 == 0.0 / 0.0", { value: false }],
  // has() and absent keys.
  ["has() is true for a present field", "has(object.spec)", { value: true }],
  ["has() is false for an absent field", "has(object.nope)", { value: false }],
  ["has() is true for a field holding null", "has(object.spec.nothing)", { value: true }],
  ["has() on a string is false", "has(object.spec.name.x)", { value: false }],
  ["has() through an absent field is an error", "has(object.nope.x)", { error: /nope/ }],
  ["selecting an absent field is an error", "object.spec.nope", { error: /field not found: nope/ }],
  ["indexing a map by an absent key is an error", "{'a': 1}['b']", { error: /b/ }],
  ["indexing a list past its end is an error", "object.spec.ports[5]", { error: /index 5 out of bounds/ }],
  ["indexing a map by an unsupported key type is an error", "{'a': 1}[null]", { error: /unsupported key type/ }],
  ["a double holding an integer finds the int key", "{1: 'one'}[1.0]", { value: "one" }],
  ["a duplicate map literal key is an error", "{'a': 1, 'a': 2}", { error: /map key conflict/ }],
  // in on lists and maps.
  ["in finds a string in a list", "'b' in ['a', 'b']", { value: true }],
  ["in compares across numeric types in a list", "1 in [1.0, 2.0]", { value: true }],
  ["in finds a key of a map", "'replicas' in object.spec", { value: true }],
  ["in on a map with a null element key has no overload", "null in {'a': 1}", { error: /no matching overload for '@in'/ }],
  ["in against a config list", "'b' in config.names", { value: true }],
  // JavaScript prototype names are ordinary keys, or absent.
  ["a label named constructor is read as a key", "object.metadata.labels.constructor", { value: "a label" }],
  ["constructor is not a field of an object without it", "object.constructor", { error: /constructor/ }],
  ["__proto__ is not a field", "object.__proto__", { error: /__proto__/ }],
  ["toString is not present", "has(object.toString)", { value: false }],
  ["__proto__ is not a key", "'__proto__' in object", { value: false }],
  ["constructor as a map literal key is a key", "{'constructor': 1}.constructor", { value: 1n }],
  ["__proto__ as an index on a field is absent", "object.spec['__proto__']", { error: /__proto__/ }],
  // Types.
  ["type of an int is int", "type(1) == int", { value: true }],
  ["type of a string is not int", "type('a') != int", { value: true }],
  ["type of a list literal is list", "type([]) == list", { value: true }],
  ["type of a JSON object is map", "type(object.spec) == map", { value: true }],
  ["type of null is null_type", "type(object.spec.nothing) == null_type", { value: true }],
  ["type of a type is type", "type(type(1)) == type", { value: true }],
  ["type of a uint is uint", "type(1u) == uint", { value: true }],
  // Strings.
  ["startsWith, endsWith and contains", "'checkout.example.com'.startsWith('check') && 'a.com'.endsWith('.com') && 'abc'.contains('b')", { value: true }],
  ["lowerAscii lowers only ASCII", "'ÄBc'.lowerAscii()", { value: "Äbc" }],
  ["size counts code points", "size('héllo') + size('😀')", { value: 6n }],
  ["matches uses RE2", "'web-1'.matches('^[a-z]+-[0-9]$')", { value: true }],
  ["an invalid pattern is an error", "'x'.matches('(')", { error: /missing closing \)|error parsing regexp/ }],
  ["substring out of range is an error", "'abc'.substring(5)", { error: /out of range|index/ }],
  // Comprehensions.
  ["exists finds an element", "object.spec.ports.exists(p, p == 443)", { value: true }],
  ["all over map keys", "object.metadata.labels.all(k, k != '')", { value: true }],
  ["exists_one counts exactly one", "[1, 2, 3].exists_one(x, x > 2)", { value: true }],
  ["map transforms", "[1, 2].map(x, x * 2)", { rendered: { list: [{ int: "2" }, { int: "4" }] } }],
  ["map with a filter", "[1, 2, 3].map(x, x > 1, x * 10)", { rendered: { list: [{ int: "20" }, { int: "30" }] } }],
  ["filter keeps matches", "object.spec.rules.filter(r, r.action == 'Allow').size()", { value: 1n }],
  ["exists absorbs an error when a later element decides", "[0, 1].exists(x, 1 / x == 1)", { value: true }],
  ["all keeps the error when no element decides false", "[0, 1].all(x, 1 / x == 1)", { error: /divide by zero/ }],
  ["all is false when a later element is false despite an earlier error", "[0, 2].all(x, 1 / x == 1)", { value: false }],
  ["filter fails with its predicate's error", "[0, 1].filter(x, 1 / x == 1)", { error: /divide by zero/ }],
  ["map fails with its step's error", "[1, 0].map(x, 1 / x)", { error: /divide by zero/ }],
  ["a non-bool predicate in exists is a type mismatch", "[1].exists(x, x)", { error: /type mismatch/ }],
  ["iterating a string is a type mismatch", "'abc'.all(c, true)", { error: /type mismatch: iterable/ }],
  // hostgate's functions run their own implementations.
  ["isHostname", "isHostname('a.example.com') && !isHostname('A.example.com')", { value: true }],
  ["grantCovers", "grantCovers('*.example.com', 'a.b.example.com')", { value: true }],
  ["cidr and ip", "cidr('10.0.0.0/8').containsIP(ip('10.1.2.3'))", { value: true }],
  ["an invalid address is the function's error", "ip('nope') == ''", { error: /invalid IP address/ }],
  ["list max compares with CEL ordering", "[1, 3, 2].max()", { value: 3n }],
  ["a function called with the wrong types has no matching overload", "isHostname(1)", { error: /no matching overload for 'isHostname' applied to '\(int\)'/ }],
  // Paths read more than once keep their first successful value; failures are each occurrence's own.
  ["a path read several times", "has(object.spec) && object.spec.replicas > 1 && object.spec.replicas < 5", { value: true }],
  ["a failing path fails with the failing occurrence's position", "(has(object.nope) ? object.nope.x : 0) == 0 && object.nope.x == 1", { error: /nope/ }],
];

describe("the fast path keeps CEL's semantics", () => {
  for (const [name, source, expected] of cases) {
    test(name, () => {
      const { fast, reference } = both(source);
      assert.equal(fast.engine, "compiled", fast.fallbackReason);
      const observed = observe(fast, bindings);
      assert.deepEqual(observed, observe(reference, bindings));
      if ("value" in expected) {
        assert.deepEqual(observed.outcome, { value: render(expected.value) }, source);
      } else if ("rendered" in expected) {
        assert.deepEqual(observed.outcome, { value: expected.rendered }, source);
      } else {
        assert.ok("error" in observed.outcome, `${source} should fail`);
        assert.match(observed.outcome.error, expected.error);
      }
    });
  }
});

describe("bounds hold on the fast path", () => {
  const big = { object: jsonToCel({ items: Array.from({ length: 200 }, (_, i) => i) }) };

  test("a comprehension past the iteration budget stops, on both engines after the same number of iterations", () => {
    const { fast, reference } = both("object.items.map(a, object.items.map(b, a + b)).size() > 0");
    const limits = { maxIterations: 1000, timeoutMs: 60_000 };
    const observed: Observed = observe(fast, big, limits);
    assert.deepEqual(observed, observe(reference, big, limits));
    assert.deepEqual(observed.outcome, { error: "evaluation exceeded its budget of 1000 iterations", column: undefined, budgetExhausted: true });
    assert.equal(observed.iterations, 1001);
  });

  test("an exhausted budget fails the expression even when || would absorb the loop's result", () => {
    const { fast } = both("object.items.exists(a, object.items.exists(b, a + b < 0)) || true");
    const budget = new EvaluationBudget({ maxIterations: 500, timeoutMs: 60_000 });
    assert.throws(
      () => fast.evaluateCel(big, budget),
      (e: unknown) => e instanceof CelEvaluationError && e.budgetExhausted,
    );
  });

  test("the deadline stops a long loop on both engines, read from the injected clock", () => {
    for (const engine of ["auto", "planner"] as const) {
      const program = compileCel("object.items.map(a, object.items.map(b, a + b)).size() > 0", { variables: VARIABLES, engine });
      if (!program.ok) assert.fail(program.message);
      let clock = 0;
      const budget = new EvaluationBudget({ maxIterations: 10_000_000, timeoutMs: 5 }, () => (clock += 1));
      assert.throws(
        () => program.evaluateCel(big, budget),
        (e: unknown) => e instanceof CelEvaluationError && e.budgetExhausted && /deadline of 5 ms/.test(e.message),
        engine,
      );
      // The constructor reads the clock once (deadline 6); ticks read it every 128 iterations (2, 3, ... 7 > 6).
      assert.equal(budget.iterations, 768, engine);
    }
  });

  test("every loop step charges the budget: all, exists, map, filter and exists_one alike", () => {
    for (const source of [
      "[1, 2, 3].all(x, x > 0)",
      "[1, 2, 3].exists(x, x > 5)",
      "[1, 2, 3].map(x, x)",
      "[1, 2, 3].filter(x, true)",
      "[1, 2, 3].exists_one(x, x == 2)",
    ]) {
      const { fast, reference } = both(source);
      const observed = observe(fast, bindings);
      assert.equal(observed.iterations, 3, source);
      assert.deepEqual(observed, observe(reference, bindings), source);
    }
  });
});

describe("the fallback to the planner", () => {
  test("an expression the compiler does not model runs on the planner, and says why", () => {
    const program = compileCel("int.x == 1", { variables: VARIABLES });
    assert.ok(program.ok);
    assert.equal(program.engine, "planner");
    assert.match(program.fallbackReason ?? "", /type name/);
  });

  test("a binding outside the fast path's values (a plain object) is evaluated by the planner, with the planner's result", () => {
    const { fast, reference } = both("object.a + 1");
    const plain = { object: { a: 1n } };
    assert.deepEqual(observe(fast, plain), observe(reference, plain));
    assert.deepEqual(observe(fast, plain).outcome, { value: { int: "2" } });
  });
});
