// Calls of hostgate's pure functions on string constants are evaluated once,
// at compile time (folding.ts), and still look like calls to an evaluation:
// the same value, the same cost charged, the same error at the same column,
// on both engines.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { celEnvironment, compileCel } from "../cel.ts";
import type { CompiledCel } from "../cel.ts";
import { GENEROUS, observe } from "./testing.ts";

function compile(source: string, engine?: "planner"): CompiledCel {
  const program = compileCel(source, { variables: ["object"], ...(engine === undefined ? {} : { engine }) });
  if (!program.ok) assert.fail(`${source} does not compile: ${program.message}`);
  return program;
}

const LONG_NAME = `${"a".repeat(60)}.example.com`;

const cases: Array<[name: string, source: string, limits?: { maxExpressionCost: number }]> = [
  ["a literal prefix is its canonical form", "cidr('10.1.2.3/8')"],
  ["a method on a folded receiver and a request value", "cidr('240.0.0.0/4').containsIP(object.ip)"],
  ["a method whose receiver is a literal", "'::1'.isLoopback() && '10.0.0.1'.isPrivate() && '10.0.0.1'.family() == 4"],
  ["two literal arguments", "grantCovers('*.example.com', 'a.example.com') && hostnameUnder('a.b.example.com', 'example.com')"],
  ["ip() of a literal joins a string", "ip('2001:DB8::1') + ' is canonical'"],
  ["isIP and isCIDR of bad literals are false, not errors", "isIP('010.0.0.1') || isCIDR('10.0.0.0/33')"],
  ["a prefix too long for its family is the call's error", "object.ip == '' || cidr('10.0.0.0/33') == ''"],
  ["a bad receiver is the method's error", "'nope'.family() == 4"],
  ["a bad argument to a method is the method's error", "cidr('10.0.0.0/8').containsCIDR('10.0.0.0/99')"],
  [
    "the charge of a folded call can exhaust the expression's cost limit",
    `isHostname('${LONG_NAME}') && isHostname('${LONG_NAME}')`,
    { maxExpressionCost: 10 },
  ],
  ["a folded call's charge is made on every evaluation, in a loop too", `[1, 2, 3].all(i, isHostname('${LONG_NAME}'))`, { maxExpressionCost: 20 }],
];

describe("calls of pure functions on constants", () => {
  const bindings = { object: new Map([["ip", "241.0.0.1"]]) };
  for (const [name, source, limits] of cases) {
    test(`${name}: the same value or error, column and cost on both engines`, () => {
      const fast = compile(source);
      assert.equal(fast.engine, "compiled");
      const observed = observe(fast, bindings, { ...GENEROUS, ...limits });
      assert.deepEqual(observed, observe(compile(source, "planner"), bindings, { ...GENEROUS, ...limits }));
      // Evaluated again, a folded call charges again: its cost is not paid once at compile time.
      assert.deepEqual(observe(fast, bindings, { ...GENEROUS, ...limits }), observed);
    });
  }

  test("a folded call's cost is the cost rule's, the same as a call on a request value", () => {
    const folded = observe(compile(`isHostname('${LONG_NAME}')`), {});
    const unfolded = observe(compile("isHostname(object.name)"), { object: new Map([["name", LONG_NAME]]) });
    assert.deepEqual([folded.outcome, folded.cost], [{ value: true }, 8]);
    assert.equal(unfolded.cost, folded.cost);
  });

  test("the function runs once, when the expression is compiled, not on each evaluation", () => {
    const group = celEnvironment().funcs.find("cidr")!;
    const call = group.call;
    let calls = 0;
    // Counting the group's calls for this test only; restored below.
    group.call = function (this: typeof group, ...args: Parameters<typeof call>) {
      calls++;
      return call.apply(this, args);
    };
    try {
      const fast = compile("cidr('10.1.2.3/8')");
      const afterCompile = calls;
      for (let i = 0; i < 3; i++) assert.deepEqual(observe(fast, {}).outcome, { value: "10.1.2.3/8" });
      assert.deepEqual([afterCompile, calls], [1, 1]);
      const planner = compile("cidr('10.1.2.3/8')", "planner");
      for (let i = 0; i < 3; i++) observe(planner, {});
      assert.equal(calls, 4, "the planner calls it on every evaluation");
    } finally {
      delete (group as { call?: unknown }).call;
      if (group.call !== call) group.call = call;
    }
  });

  test("a call whose evaluation fails is not folded: it fails on every evaluation, as on the planner", () => {
    const source = "object.ip != '' && cidr('10.0.0.0/33') != ''";
    const fast = compile(source);
    const bindings = { object: new Map([["ip", "10.0.0.1"]]) };
    const expected = observe(compile(source, "planner"), bindings).outcome;
    assert.match((expected as { error: string }).error, /^invalid CIDR: "10\.0\.0\.0\/33"$/);
    for (let i = 0; i < 2; i++) assert.deepEqual(observe(fast, bindings).outcome, expected);
  });
});
