import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runMutations, runValidations } from "./evaluate.ts";
import { RequestContext } from "./request-context.ts";
import { compileModule, makePolicySet } from "./module-loader.ts";
import { MAX_NESTING_DEPTH, serializedSizeOver } from "./object-size.ts";
import type { AdmissionInput } from "./types.ts";

const exact = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe("the object size bound", () => {
  const objects: Array<[string, object]> = [
    [
      "a small DomainRoute",
      {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        metadata: { name: "web" },
        spec: { domain: "a.example.com", port: 8080, ratio: 0.25, on: true, none: null },
      },
    ],
    ["strings that need escapes", { quote: '"', newline: "\n", control: "\u0001", backslash: "\\" }],
    ["multi-byte characters and a lone surrogate", { text: "äöü€😀", lone: "\ud800" }],
    ["arrays with holes and undefined", { list: [1, undefined, null, [], {}], skipped: undefined }],
    ["numbers JSON writes long", { small: -2.2250738585072014e-308, big: 1.7976931348623157e308, nan: Number.NaN }],
  ];
  for (const [name, object] of objects) {
    test(`${name}: at a limit of its exact size it is not over the limit`, () => {
      // The bound may clear it (-1) or defer to the exact size; either way it is within.
      assert.ok(serializedSizeOver(object, exact(object)) <= exact(object));
    });
    test(`${name}: under the default 1 MiB limit it is cleared by the bound alone`, () => {
      assert.equal(serializedSizeOver(object, 1_048_576), -1);
    });
    test(`${name}: over a limit below its size, the exact serialised size is reported`, () => {
      assert.equal(serializedSizeOver(object, exact(object) - 1), exact(object));
    });
  }

  test("an object with a toJSON method is measured by serialising it", () => {
    const object = { when: { toJSON: () => "x".repeat(50) } };
    assert.equal(serializedSizeOver(object, 10), exact(object));
  });

  test("a structure deeper than the walk's limit is measured by serialising it", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 300; i++) deep = [deep];
    assert.equal(serializedSizeOver(deep as object, 10), exact(deep));
  });
});

/** A list nested `depth` levels deep, as JSON.parse builds it from a body (which it parses without recursion). */
const nested = (depth: number): unknown => JSON.parse("[".repeat(depth) + "]".repeat(depth));

describe("the nesting bound", () => {
  test("an object nested deeper than the limit is reported as such without being serialised (JSON.stringify overflowed its stack)", () => {
    for (const depth of [MAX_NESTING_DEPTH + 1, 5_000, 100_000]) assert.equal(serializedSizeOver({ x: nested(depth) }, 10), Infinity, `depth ${depth}`);
  });

  test("an object nested exactly to the limit is measured", () => {
    const object = nested(MAX_NESTING_DEPTH) as object;
    assert.equal(serializedSizeOver(object, 10), exact(object));
  });

  test("policies deny an object nested 100,000 levels deep with the reason, in both phases, instead of throwing", () => {
    const compiled = compileModule(
      {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "PolicyModule",
        metadata: { name: "any-policy" },
        spec: {
          description: "a policy and a mutation that match every DomainRoute",
          match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE"] }],
          validations: [{ expression: "true", message: "never" }],
          mutations: [{ patchType: "JSONPatch", expression: "[]" }],
        },
      },
      "any-policy.yaml",
    );
    if ("problems" in compiled) assert.fail(compiled.problems.join("\n"));
    const input: AdmissionInput = {
      operation: "CREATE",
      kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
      namespace: "team-a",
      name: "web",
      object: { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "web", namespace: "team-a" }, spec: { x: nested(100_000) } },
      oldObject: null,
    };
    const set = makePolicySet([compiled.module]);
    const request = () => new RequestContext(input, { config: new Map(), cluster: new Map() });
    for (const violations of [runValidations(set, request()), runMutations(set, request()).violations]) {
      assert.deepEqual(
        violations.map((v) => [v.policy, v.reason, v.message]),
        [
          [
            "any-policy",
            "RequestEntityTooLarge",
            `the object nests lists and maps more than ${MAX_NESTING_DEPTH} levels deep; policies evaluate objects nested at most that deep, so it is denied unevaluated`,
          ],
        ],
      );
    }
  });
});
