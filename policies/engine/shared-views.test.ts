// The shared views must answer every question exactly as the NativeMap and
// ArrayList @bufbuild/cel would wrap the same Map or array in: these tests
// put the two side by side on the same data, including the oddities (a
// null value is absent for has(), a double key holding an integer finds the
// int key, a uint key is found by its int value).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { celList, celMap, celUint, isCelList, isCelMap } from "@bufbuild/cel";
import type { CelInput, CelList, CelMap } from "@bufbuild/cel";
import { sharedCelView } from "./shared-views.ts";

/** A comparable rendering of a CEL value, walking views through their CEL interface only. */
function render(value: unknown): unknown {
  if (isCelList(value)) return { list: Array.from(value, render) };
  if (isCelMap(value)) return { map: Array.from(value.entries(), ([k, v]) => [render(k), render(v)]) };
  if (typeof value === "object" && value !== null && "value" in value) return { uint: (value as { value: bigint }).value };
  return value;
}

/** What a call answers: its value or the message of what it threw. */
function outcome(f: () => unknown): unknown {
  try {
    return { value: render(f()) };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

const uintKey = celUint(7n);
const map = new Map<unknown, unknown>([
  ["name", "web"],
  ["count", 3n],
  ["ratio", 0.5],
  ["none", null],
  ["flag", false],
  ["constructor", "a key like any other"],
  ["nested", new Map<string, unknown>([["deep", ["a", new Map([["x", 1n]])]]])],
  ["list", ["x", 2n, null, ["y"]]],
  [5n, "int key"],
  [true, "bool key"],
  [uintKey, "uint key"],
]);

describe("a shared map view answers as @bufbuild/cel's NativeMap over the same Map", () => {
  const view = sharedCelView(map) as CelMap;
  const native = celMap(map as Map<string, CelInput>);
  const keys: Array<[string, unknown]> = [
    ["a string key", "name"],
    ["an int value", "count"],
    ["a null value", "none"],
    ["a false value", "flag"],
    ["a key named constructor", "constructor"],
    ["__proto__, which is not a key", "__proto__"],
    ["a nested Map", "nested"],
    ["a nested array", "list"],
    ["an absent key", "absent"],
    ["an int key", 5n],
    ["a double holding that int", 5],
    ["a double that is not an integer", 5.5],
    ["a uint holding that int", celUint(5n)],
    ["an int equal to a uint key", 7n],
    ["a bool key", true],
  ];
  for (const [name, key] of keys) {
    test(`get and has agree for ${name}`, () => {
      assert.deepEqual(
        outcome(() => view.get(key as string)),
        outcome(() => native.get(key as string)),
      );
      assert.deepEqual(
        outcome(() => view.has(key as string)),
        outcome(() => native.has(key as string)),
      );
    });
  }

  test("size, keys, values, entries and forEach agree", () => {
    assert.equal(view.size, native.size);
    assert.deepEqual(Array.from(view.keys(), render), Array.from(native.keys(), render));
    assert.deepEqual(Array.from(view.values(), render), Array.from(native.values(), render));
    assert.deepEqual(render(view), render(native));
    const seen: unknown[] = [];
    const expected: unknown[] = [];
    view.forEach((v, k) => {
      seen.push([render(k), render(v)]);
    });
    native.forEach((v, k) => {
      expected.push([render(k), render(v)]);
    });
    assert.deepEqual(seen, expected);
  });

  test("a nested Map or array is converted once and the same view is returned on every read", () => {
    assert.equal(view.get("nested"), view.get("nested"));
    assert.equal(view.get("list"), view.get("list"));
  });

  test("the same Map gets the same view, and a value that is neither Map nor array is returned as it is", () => {
    assert.equal(sharedCelView(map), sharedCelView(map));
    assert.equal(sharedCelView("text"), "text");
    const already = celMap(new Map());
    assert.equal(sharedCelView(already), already);
  });
});

describe("a shared list view answers as @bufbuild/cel's ArrayList over the same array", () => {
  const array = ["x", 2n, null, ["y"], new Map([["k", "v"]])];
  const view = sharedCelView(array) as CelList;
  const native = celList(array as CelInput[]);
  const positions: Array<[string, number]> = [
    ["the first element", 0],
    ["a null element", 2],
    ["a nested array", 3],
    ["a nested Map", 4],
    ["a position past the end", 5],
    ["a negative position", -1],
    ["a position that is not an integer", 1.5],
  ];
  for (const [name, index] of positions) {
    test(`get agrees for ${name}`, () => {
      assert.deepEqual(
        outcome(() => view.get(index)),
        outcome(() => native.get(index)),
      );
    });
  }

  test("size and iteration agree", () => {
    assert.equal(view.size, native.size);
    assert.deepEqual(render(view), render(native));
  });
});
