import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LruCache } from "./lru.ts";

describe("LruCache", () => {
  test("it evicts the least recently used entry when full", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.get("a"); // "b" is now the oldest
    cache.set("c", 3);
    assert.deepEqual([cache.has("a"), cache.has("b"), cache.has("c"), cache.size], [true, false, true, 2]);
  });

  test("setting an existing key replaces it without growing the cache", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("a", 2);
    assert.deepEqual([cache.get("a"), cache.size], [2, 1]);
  });

  test("a missing key reads as undefined", () => {
    assert.equal(new LruCache<string, number>(1).get("nope"), undefined);
  });

  for (const capacity of [0, -1, 1.5]) {
    test(`a capacity of ${capacity} is refused`, () => {
      assert.throws(() => new LruCache(capacity), RangeError);
    });
  }
});
