import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { luaStringLiteral } from "./lua-literal.ts";
import { HOSTILE_STRINGS } from "./testing/hostile-strings.ts";
import { describeLua, openLua } from "./testing/lua-interpreter.ts";

const lua = await openLua();

describe("luaStringLiteral", () => {
  const literals: { value: string; literal: string }[] = [
    { value: "app-1.example.com", literal: "'app-1.example.com'" },
    { value: `say "hi"`, literal: `'say "hi"'` },
    { value: "it's", literal: "'it\\039s'" },
    { value: "back\\slash", literal: "'back\\092slash'" },
    // Always three digits: "\n1" must not read as the escape \101 ("e").
    { value: "\n1", literal: "'\\0101'" },
    { value: "\u00e9", literal: "'\\195\\169'" },
  ];
  for (const { value, literal } of literals) {
    it(`writes ${JSON.stringify(value)} as ${literal}`, () => assert.equal(luaStringLiteral(value), literal));
  }

  it(`keeps every hostile string inside its literal, so ${describeLua(lua)} reads back exactly its bytes`, () => {
    // Each literal is written out with a separator; an escape from a literal
    // would fail to parse, run code, or change the bytes that come back.
    const program = HOSTILE_STRINGS.map((value) => `io.write(${luaStringLiteral(value)}, '\\0\\0|')`).join("\n");
    const output = lua.run({ files: { "literals.lua": program }, main: "literals.lua" });
    const expected = Buffer.concat(HOSTILE_STRINGS.map((value) => Buffer.concat([Buffer.from(value, "utf8"), Buffer.from("\0\0|")])));
    assert.deepEqual(output, expected);
  });

  it("writes nothing but printable ASCII, with no quote other than the delimiters", () => {
    for (const value of HOSTILE_STRINGS) {
      const inner = luaStringLiteral(value).slice(1, -1);
      assert.match(inner, /^[\x20-\x7e]*$/);
      assert.doesNotMatch(inner, /'/);
      assert.doesNotMatch(inner, /\\(?!\d{3})/, "every backslash starts a three-digit escape");
    }
  });
});
