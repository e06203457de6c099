import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { celEnv, parse, plan } from "@bufbuild/cel";
import { toCelInput } from "./cel-input.ts";

describe("toCelInput", () => {
  const cases: { name: string; input: unknown; output: unknown }[] = [
    { name: "strings and booleans pass through", input: ["a", true], output: ["a", true] },
    { name: "integers become bigint", input: 300, output: 300n },
    { name: "fractions stay numbers (CEL double)", input: 1.5, output: 1.5 },
    { name: "null stays null", input: null, output: null },
    {
      name: "objects become Maps, recursively, and undefined fields are dropped",
      input: { a: { b: [1, { c: "d" }] }, gone: undefined },
      output: new Map<string, unknown>([["a", new Map([["b", [1n, new Map([["c", "d"]])]]])]]),
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(toCelInput(c.input), c.output));
  }

  it("throws a TypeError for functions, which are a programming error", () => {
    assert.throws(() => toCelInput(() => 1), TypeError);
  });

  it("produces values real CEL compares as int and indexes as map", () => {
    const env = celEnv({});
    const evaluate = plan(env, parse("o.spec.ttl == 300 && 'x' in o.spec.tags && o.spec.tags['x'] == 'y'"));
    assert.equal(evaluate({ o: toCelInput({ spec: { ttl: 300, tags: { x: "y" } } }) } as never), true);
  });
});
