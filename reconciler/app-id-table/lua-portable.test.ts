// The generated filter stays inside the Lua that LuaJIT (Lua 5.1, what Envoy
// embeds) and Lua 5.4 (wasmoon) both accept alike. Running it covers only the
// interpreter at hand; this reads the source, so it holds under either.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { LUA_ENTRIES_PER_CHUNK, renderAppIdTableLua } from "./lua.ts";
import { entries, manyEntries } from "./testing/fixtures.ts";
import { HOSTILE_STRINGS } from "./testing/hostile-strings.ts";
import { nonPortableLua } from "./testing/lua-portable.ts";

describe("nonPortableLua", () => {
  const snippets: { source: string; constructs: string[] }[] = [
    { source: "local t = {}\nt['a'] = 'b'\nif t.a ~= 'c' then return end", constructs: [] },
    { source: "goto done\n::done::", constructs: ["goto", "goto", "goto"] },
    { source: "local n = 7 // 2", constructs: ["floor division"] },
    { source: "local n = a & b | c ~ d << 1 >> 2", constructs: Array(5).fill("bitwise operator") },
    { source: "local half = n / 2", constructs: ["division or power"] },
    { source: "local square = n ^ 2", constructs: ["division or power"] },
    { source: "local size = #list", constructs: ["length operator"] },
    { source: "local limit <const> = 3", constructs: ["variable attribute"] },
    { source: "local a, b = unpack(list)", constructs: ["Lua 5.1-only function"] },
    { source: "setfenv(1, {})", constructs: ["Lua 5.1-only function"] },
    { source: "local a, b = table.unpack(list)", constructs: ["Lua 5.2+ library"] },
    { source: "local n = utf8.len(s)", constructs: ["Lua 5.2+ library"] },
    { source: "local x = bit.band(a, b)", constructs: ["Lua 5.2+ library"] },
    { source: "local s = string.format('%d', n)", constructs: ["string.format"] },
    { source: "local s = ('%d'):format(n)", constructs: ["string.format"] },
    { source: "local f = 0x1p4", constructs: ["hexadecimal float"] },
    { source: "local big = 9007199254740993", constructs: ["large integer"] },
    { source: "local s = '\\x41'", constructs: ["escape \\x"] },
    { source: "local s = 'a\\z  b'", constructs: ["escape \\z"] },
    { source: "local s = '\\u{1F600}'", constructs: ["escape \\u"] },
    { source: "local s = '\\256'", constructs: ["escape \\256"] },
    { source: "local s = '\\255\\0\\n\\'\\\\'", constructs: [] },
    { source: "local s = 'goto // # / ^ & unpack(x)' -- goto # /\n--[==[ goto\n# ]==] local l = [[ // ]]", constructs: [] },
    { source: "local s = 'never closed\nreturn 1", constructs: ["unterminated string"] },
    { source: "local s = [=[ never closed ]]", constructs: ["unclosed long bracket"] },
  ];
  for (const { source, constructs } of snippets) {
    const what = constructs.length === 0 ? "nothing" : [...new Set(constructs)].join(", ");
    it(`finds ${what} in ${JSON.stringify(source)}`, () =>
      assert.deepEqual(
        nonPortableLua(source).map((f) => f.construct),
        constructs,
      ));
  }

  it("names the line of each finding and why it is not portable", () => {
    assert.deepEqual(nonPortableLua("local a = 1\nlocal b = a // 2"), [{ line: 2, construct: "floor division", why: "// is Lua 5.3+" }]);
  });
});

describe("the generated identity filter", () => {
  const hostile = HOSTILE_STRINGS.map((value, i) => ({ host: `h${i}.example.com${value}`, appId: value, route: { namespace: "ns", name: `r${i}` } }));
  const filters: { name: string; lua: string }[] = [
    { name: "an empty table", lua: renderAppIdTableLua([], "x-app-id") },
    { name: "a small table", lua: renderAppIdTableLua(entries({ "a.example.com": "a", "[::1]": "v6" }), "x-app-id") },
    { name: "hostile hosts, appIds and header name", lua: renderAppIdTableLua(hostile, `x-'id"]]\\`) },
    { name: "a table filled in several functions", lua: renderAppIdTableLua(manyEntries(2 * LUA_ENTRIES_PER_CHUNK + 1), "x-app-id") },
  ];
  for (const { name, lua } of filters) {
    it(`uses only Lua that LuaJIT and Lua 5.4 read alike, for ${name}`, () => assert.deepEqual(nonPortableLua(lua), []));
  }

  it("keeps each fill function's constants under LuaJIT's 65,536 per function (Lua 5.4 allows more)", () => {
    // Every entry costs two string constants: its host and its appId.
    assert.ok(2 * LUA_ENTRIES_PER_CHUNK + 8 <= 65_536);
  });
});

describe("the Envoy stub the tests run the filter in", () => {
  it("runs alike under both interpreters too, apart from the hex formatting it needs", () => {
    const stub = readFileSync(new URL("./testing/envoy-stub.lua", import.meta.url), "utf8");
    // The stub counts header values with # on lists it builds without holes,
    // and formats bytes (integers in both) with %02x.
    const allowed = new Set(["length operator", "string.format"]);
    assert.deepEqual(
      nonPortableLua(stub).filter((f) => !allowed.has(f.construct)),
      [],
    );
  });
});
