import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { serializedSizeOver } from "./object-size.ts";

const exact = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe("the object size bound", () => {
  const objects: Array<[string, object]> = [
    ["a small DomainRoute", { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "web" }, spec: { domain: "a.example.com", port: 8080, ratio: 0.25, on: true, none: null } }],
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
