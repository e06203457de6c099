// How the Lua tests pick and run an interpreter: LuaJIT when installed,
// wasmoon otherwise, HOSTGATE_LUA to force one; both run a program alike,
// and every run starts from a fresh environment.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseLua, describeLua, openLua } from "./testing/lua-interpreter.ts";
import type { LuaChoice } from "./testing/lua-interpreter.ts";
import type { LuaInterpreter, LuaProgram } from "./testing/lua-program.ts";
import { luaJitInterpreter } from "./testing/luajit.ts";

const MISSING = "luajit-that-does-not-exist";
const LUAJIT = "LuaJIT 2.1.0-beta3";

describe("chooseLua", () => {
  const choices: { setting: string | undefined; luajit: string | undefined; expected: LuaChoice | RegExp }[] = [
    { setting: undefined, luajit: LUAJIT, expected: { kind: "luajit", reason: "luajit is on PATH" } },
    { setting: "", luajit: LUAJIT, expected: { kind: "luajit", reason: "luajit is on PATH" } },
    { setting: "auto", luajit: undefined, expected: { kind: "wasmoon", reason: "luajit is not on PATH" } },
    { setting: undefined, luajit: undefined, expected: { kind: "wasmoon", reason: "luajit is not on PATH" } },
    { setting: "wasmoon", luajit: LUAJIT, expected: { kind: "wasmoon", reason: "HOSTGATE_LUA=wasmoon" } },
    { setting: "luajit", luajit: LUAJIT, expected: { kind: "luajit", reason: "HOSTGATE_LUA=luajit" } },
    { setting: "luajit", luajit: undefined, expected: /HOSTGATE_LUA=luajit, but luajit is not on PATH\. Install it with: apt-get install -y luajit/ },
    { setting: "lua5.4", luajit: LUAJIT, expected: /HOSTGATE_LUA="lua5\.4" is not one of auto, luajit, wasmoon/ },
  ];
  for (const { setting, luajit, expected } of choices) {
    const when = `HOSTGATE_LUA is ${setting === undefined ? "unset" : JSON.stringify(setting)} and luajit is ${luajit ? "installed" : "missing"}`;
    if (expected instanceof RegExp) {
      it(`fails, never skips, when ${when}`, () => assert.throws(() => chooseLua(setting, luajit), expected));
    } else {
      it(`runs ${expected.kind} when ${when}`, () => assert.deepEqual(chooseLua(setting, luajit), expected));
    }
  }
});

describe("openLua", () => {
  it("starts one interpreter per test process and hands the same one to every caller", async () => {
    assert.equal(await openLua(), await openLua());
  });

  it("falls back to wasmoon's Lua 5.4 when luajit is not on PATH", async () => {
    const lua = await openLua({ setting: "auto", luajit: MISSING });
    assert.equal(lua.kind, "wasmoon");
    assert.match(describeLua(lua), /^Lua 5\.4 \(wasmoon \d+\.\d+\.\d+, WebAssembly\), as luajit is not on PATH$/);
  });

  it("fails with the install command when HOSTGATE_LUA=luajit and luajit is not on PATH", async () => {
    await assert.rejects(openLua({ setting: "luajit", luajit: MISSING }), /apt-get install -y luajit/);
  });

  it("fails with the install command when luajit disappears before a run", () => {
    const gone = luaJitInterpreter(LUAJIT, "test", MISSING);
    assert.throws(() => gone.run({ files: { "main.lua": "" }, main: "main.lua" }), /not on PATH.*apt-get install -y luajit/);
  });
});

// The chosen interpreter, and wasmoon as well when the chosen one is LuaJIT,
// so that CI (which has LuaJIT) also checks the fresh-machine path.
const chosen = await openLua();
const interpreters: LuaInterpreter[] = chosen.kind === "wasmoon" ? [chosen] : [chosen, await openLua({ setting: "wasmoon" })];

const programs: { name: string; program: LuaProgram; expected: Buffer | RegExp }[] = [
  {
    name: "hands back every byte written to stdout",
    program: { files: { "main.lua": "io.write('a\\0\\255', 1, '\\n') io.stdout:write('b')" }, main: "main.lua" },
    expected: Buffer.from([0x61, 0x00, 0xff, 0x31, 0x0a, 0x62]),
  },
  {
    name: "passes the script name as arg[0] and the arguments as arg[1..] and ...",
    program: { files: { "main.lua": "print(arg[0], arg[1], arg[2], select('#', ...), ...)" }, main: "main.lua", args: ["one", "two"] },
    expected: Buffer.from("main.lua\tone\ttwo\t2\tone\ttwo\n"),
  },
  {
    name: "feeds stdin line by line",
    program: { files: { "main.lua": "for line in io.lines() do io.write('<', line, '>') end" }, main: "main.lua", stdin: "a\n\nb c\n" },
    expected: Buffer.from("<a><><b c>"),
  },
  {
    name: "shows the variables it is given to os.getenv",
    program: {
      files: { "main.lua": "io.write(os.getenv('HOSTGATE_TEST_VALUE'), tostring(os.getenv('HOSTGATE_TEST_UNSET')))" },
      main: "main.lua",
      env: { HOSTGATE_TEST_VALUE: "x=1" },
    },
    expected: Buffer.from("x=1nil"),
  },
  {
    name: "runs another of its files with dofile, in the same globals",
    program: {
      files: { "main.lua": "shared = 'from main' dofile(arg[1]) io.write(back)", "lib.lua": "back = shared .. ', back'" },
      main: "main.lua",
      args: ["lib.lua"],
    },
    expected: Buffer.from("from main, back"),
  },
  {
    name: "fails with the message of a Lua error",
    program: { files: { "main.lua": "io.write('partial') error('boom at the end')" }, main: "main.lua" },
    expected: /boom at the end/,
  },
  {
    name: "fails with the message of a syntax error, naming the file",
    program: { files: { "main.lua": "local = 1" }, main: "main.lua" },
    expected: /main\.lua:1:/,
  },
];

for (const lua of interpreters) {
  describe(`a Lua program under ${describeLua(lua)}`, () => {
    for (const { name, program, expected } of programs) {
      if (expected instanceof RegExp) it(name, () => assert.throws(() => lua.run(program), expected));
      else it(name, () => assert.deepEqual(lua.run(program), expected));
    }

    const run = (source: string) => lua.run({ files: { "main.lua": source }, main: "main.lua" }).toString("utf8");
    const leaks: { name: string; first: string; next: string; expected: string }[] = [
      { name: "a global it defines", first: "leaked = 'yes'", next: "io.write(tostring(leaked))", expected: "nil" },
      { name: "a global it removes", first: "tostring = nil", next: "io.write(tostring(1))", expected: "1" },
      {
        name: "a library function it replaces",
        first: "string.upper = function() return 'hijacked' end",
        next: "io.write(string.upper('a'), ('b'):upper())",
        expected: "AB",
      },
      {
        name: "a library function it removes through the string metatable",
        first: "getmetatable('').__index.rep = nil",
        next: "io.write(('ab'):rep(2))",
        expected: "abab",
      },
      {
        name: "a library table it empties",
        first: "for k in pairs(table) do table[k] = nil end",
        next: "io.write(table.concat({ 'x', 'y' }, ','))",
        expected: "x,y",
      },
    ];
    for (const { name, first, next, expected } of leaks) {
      it(`starts the next program fresh: ${name} does not leak`, () => {
        run(first);
        assert.equal(run(next), expected);
      });
    }
  });
}

describe("wasmoon's sandbox", () => {
  const wasmoon = interpreters.find((lua) => lua.kind === "wasmoon") as LuaInterpreter;
  it("turns os.exit into an error instead of ending the test process, and stays usable", () => {
    assert.throws(() => wasmoon.run({ files: { "main.lua": "os.exit(0)" }, main: "main.lua" }), /the program called os\.exit/);
    assert.deepEqual(wasmoon.run({ files: { "main.lua": "io.write('still here')" }, main: "main.lua" }), Buffer.from("still here"));
  });

  it("refuses a file name that could leave the run's directory", () => {
    assert.throws(() => wasmoon.run({ files: { "../main.lua": "" }, main: "../main.lua" }), /"\.\.\/main\.lua" must be a plain file name/);
  });
});
