import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LUA_ENTRIES_PER_CHUNK, renderAppIdTableLua } from "./lua.ts";
import { entries, manyEntries } from "./testing/fixtures.ts";
import { HOSTILE_STRINGS } from "./testing/hostile-strings.ts";

describe("renderAppIdTableLua", () => {
  it("opens with a comment naming hostgate and the entry count, and no timestamp", () => {
    const lua = renderAppIdTableLua(entries({ "a.example.com": "a", "b.example.com": "b" }), "x-app-id");
    const firstLine = lua.split("\n")[0];
    assert.match(firstLine, /^-- hostgate identity table, 2 entries/);
    assert.doesNotMatch(firstLine, /\d{4}-\d{2}-\d{2}|\d{2}:\d{2}/);
  });

  it("writes one assignment per entry, sorted by host, whatever the input order", () => {
    const lua = renderAppIdTableLua(entries({ "c.example.com": "c-id", "a.example.com": "a-id", "b.example.com": "b-id" }), "x-app-id");
    const assignments = lua.split("\n").filter((line) => line.startsWith("t["));
    assert.deepEqual(assignments, ["t['a.example.com']='a-id'", "t['b.example.com']='b-id'", "t['c.example.com']='c-id'"]);
    assert.equal(renderAppIdTableLua(entries({ "a.example.com": "a-id", "b.example.com": "b-id", "c.example.com": "c-id" }), "x-app-id"), lua);
  });

  it("writes the header name as an escaped literal", () => {
    assert.match(renderAppIdTableLua([], "x-'id"), /^local header='x-\\039id'$/m);
  });

  const chunkings = [
    { count: 0, chunks: 0 },
    { count: 1, chunks: 1 },
    { count: LUA_ENTRIES_PER_CHUNK, chunks: 1 },
    { count: LUA_ENTRIES_PER_CHUNK + 1, chunks: 2 },
    { count: 2 * LUA_ENTRIES_PER_CHUNK + 1, chunks: 3 },
  ];
  for (const { count, chunks } of chunkings) {
    it(`fills a table of ${count} entries in ${chunks} function(s) of at most ${LUA_ENTRIES_PER_CHUNK} entries`, () => {
      const lines = renderAppIdTableLua(manyEntries(count), "x-app-id").split("\n");
      const sizes: number[] = [];
      for (const line of lines) {
        if (line === "fill=function(t)") sizes.push(0);
        else if (line.startsWith("t[")) sizes[sizes.length - 1]++;
      }
      assert.equal(sizes.length, chunks);
      assert.equal(
        sizes.reduce((a, b) => a + b, 0),
        count,
      );
      assert.ok(sizes.every((size) => size <= LUA_ENTRIES_PER_CHUNK));
    });
  }

  it("keeps each entry on its own line whatever the values hold", () => {
    const hostile = HOSTILE_STRINGS.map((value, i) => ({ host: `h${i}.example.com${value}`, appId: value, route: { namespace: "ns", name: `r${i}` } }));
    const lines = renderAppIdTableLua(hostile, "x-app-id")
      .split("\n")
      .filter((line) => line.startsWith("t["));
    assert.equal(lines.length, hostile.length);
    for (const line of lines) assert.match(line, /^t\['[^']*'\]='[^']*'$/);
  });

  it("refuses a host listed twice rather than let input order pick the winner", () => {
    assert.throws(
      () => renderAppIdTableLua(entries({ "a.example.com": "one" }).concat(entries({ "a.example.com": "two" })), "x-app-id"),
      /a\.example\.com.*twice/,
    );
  });
});
