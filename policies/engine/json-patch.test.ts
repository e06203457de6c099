import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyPatch, JsonPatchError, toPatchOperations } from "./json-patch.ts";
import type { JsonPatchOperation } from "./types.ts";

const doc = { spec: { routing: { mode: "Managed" }, paths: ["/a", "/b"], "a/b": 1 } };

describe("applying JSON patches", () => {
  const cases: Array<{ name: string; ops: JsonPatchOperation[]; expected: unknown }> = [
    { name: "add creates a member", ops: [{ op: "add", path: "/spec/dns", value: { ttl: 300 } }], expected: { spec: { ...doc.spec, dns: { ttl: 300 } } } },
    {
      name: "add with - appends to a list",
      ops: [{ op: "add", path: "/spec/paths/-", value: "/c" }],
      expected: { spec: { ...doc.spec, paths: ["/a", "/b", "/c"] } },
    },
    {
      name: "add at an index inserts",
      ops: [{ op: "add", path: "/spec/paths/0", value: "/z" }],
      expected: { spec: { ...doc.spec, paths: ["/z", "/a", "/b"] } },
    },
    {
      name: "replace changes an existing member",
      ops: [{ op: "replace", path: "/spec/routing/mode", value: "External" }],
      expected: { spec: { ...doc.spec, routing: { mode: "External" } } },
    },
    { name: "remove deletes a member", ops: [{ op: "remove", path: "/spec/routing" }], expected: { spec: { paths: ["/a", "/b"], "a/b": 1 } } },
    {
      name: "escaped pointer tokens address keys with slashes",
      ops: [{ op: "replace", path: "/spec/a~1b", value: 2 }],
      expected: { spec: { ...doc.spec, "a/b": 2 } },
    },
    {
      name: "move relocates a value",
      ops: [{ op: "move", from: "/spec/routing", path: "/routing" }],
      expected: { spec: { paths: ["/a", "/b"], "a/b": 1 }, routing: { mode: "Managed" } },
    },
    { name: "a passing test changes nothing", ops: [{ op: "test", path: "/spec/routing/mode", value: "Managed" }], expected: doc },
  ];
  for (const { name, ops, expected } of cases) {
    test(name, () => assert.deepEqual(applyPatch(doc, ops), expected));
  }

  test("the input document is never modified", () => {
    const before = structuredClone(doc);
    applyPatch(doc, [{ op: "remove", path: "/spec/paths/0" }]);
    assert.deepEqual(doc, before);
  });

  const failures: Array<{ name: string; ops: JsonPatchOperation[]; message: RegExp }> = [
    {
      name: "replace of a missing member fails",
      ops: [{ op: "replace", path: "/spec/dns", value: 1 }],
      message: /operation 0 \(replace \/spec\/dns\): path does not exist/,
    },
    { name: "add under a missing parent fails", ops: [{ op: "add", path: "/spec/dns/ttl", value: 1 }], message: /no "dns"/ },
    { name: "an index past the end fails", ops: [{ op: "add", path: "/spec/paths/5", value: "/x" }], message: /out of bounds/ },
    { name: "a failing test fails the patch", ops: [{ op: "test", path: "/spec/routing/mode", value: "External" }], message: /test failed/ },
    { name: "a pointer without a leading slash fails", ops: [{ op: "add", path: "spec", value: 1 }], message: /must start with "\/"/ },
  ];
  for (const { name, ops, message } of failures) {
    test(name, () =>
      assert.throws(
        () => applyPatch(doc, ops),
        (e: unknown) => e instanceof JsonPatchError && message.test(e.message),
      ),
    );
  }
});

describe("checking operations produced by a mutation", () => {
  const bad: Array<{ name: string; value: unknown; message: RegExp }> = [
    { name: "a non-list result is refused", value: { op: "add" }, message: /must produce a list/ },
    { name: "an unknown op is refused", value: [{ op: "merge", path: "/a" }], message: /"op" must be one of/ },
    { name: "an add without a value is refused", value: [{ op: "add", path: "/a" }], message: /needs a "value"/ },
    { name: "an unknown key is refused", value: [{ op: "add", path: "/a", value: 1, extra: true }], message: /unknown key "extra"/ },
    { name: "a move without from is refused", value: [{ op: "move", path: "/a" }], message: /needs a "from"/ },
  ];
  for (const { name, value, message } of bad) {
    test(name, () =>
      assert.throws(
        () => toPatchOperations(value),
        (e: unknown) => e instanceof JsonPatchError && message.test(e.message),
      ),
    );
  }

  test("a well-formed list passes unchanged", () => {
    const ops = [{ op: "add", path: "/spec/x", value: 1 }];
    assert.deepEqual(toPatchOperations(ops), ops);
  });
});
