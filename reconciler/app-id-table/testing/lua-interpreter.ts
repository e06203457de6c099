// Which Lua runs the tests. LuaJIT is the reference (Envoy embeds it, CI
// installs it), so it runs whenever it is on PATH; otherwise wasmoon, which
// `npm ci` installs, so the tests pass on a fresh machine. No Lua test is
// ever skipped: one of the two always runs, or the choice fails loudly.
//
// HOSTGATE_LUA overrides the choice: `luajit` (fail if it is missing),
// `wasmoon` (even when LuaJIT is installed), or `auto` (the default).
import { LUAJIT_MISSING_HINT, luaJitInterpreter, probeLuaJit } from "./luajit.ts";
import type { LuaInterpreter, LuaKind } from "./lua-program.ts";
import { wasmoonInterpreter } from "./wasmoon.ts";

export const LUA_SETTINGS = ["auto", "luajit", "wasmoon"] as const;

export interface LuaChoice {
  readonly kind: LuaKind;
  readonly reason: string;
}

/** Decides from HOSTGATE_LUA's value and `luajit -v` (undefined: not on PATH). */
export function chooseLua(setting: string | undefined, luajitVersion: string | undefined): LuaChoice {
  const value = setting === undefined || setting === "" ? "auto" : setting;
  if (!(LUA_SETTINGS as readonly string[]).includes(value)) {
    throw new Error(`HOSTGATE_LUA=${JSON.stringify(value)} is not one of ${LUA_SETTINGS.join(", ")}; unset it to run LuaJIT when installed, else wasmoon`);
  }
  if (value === "wasmoon") return { kind: "wasmoon", reason: "HOSTGATE_LUA=wasmoon" };
  if (value === "luajit") {
    if (luajitVersion === undefined) {
      throw new Error(`HOSTGATE_LUA=luajit, but luajit is not on PATH. ${LUAJIT_MISSING_HINT}, or unset HOSTGATE_LUA to run the tests under wasmoon`);
    }
    return { kind: "luajit", reason: "HOSTGATE_LUA=luajit" };
  }
  return luajitVersion === undefined ? { kind: "wasmoon", reason: "luajit is not on PATH" } : { kind: "luajit", reason: "luajit is on PATH" };
}

export interface OpenLuaOptions {
  /** HOSTGATE_LUA's value; defaults to the environment's. */
  readonly setting?: string;
  /** The luajit executable; only tests of a missing luajit change it. */
  readonly luajit?: string;
}

/** The chosen interpreter, started once per process and shared by its callers. */
export function openLua(options: OpenLuaOptions = {}): Promise<LuaInterpreter> {
  if (options.setting !== undefined || options.luajit !== undefined) return start(options);
  shared ??= start(options);
  return shared;
}

let shared: Promise<LuaInterpreter> | undefined;

async function start(options: OpenLuaOptions): Promise<LuaInterpreter> {
  const luajit = options.luajit ?? "luajit";
  const version = probeLuaJit(luajit);
  const choice = chooseLua(options.setting ?? process.env.HOSTGATE_LUA, version);
  if (choice.kind === "wasmoon") return wasmoonInterpreter(choice.reason);
  return luaJitInterpreter(version ?? luajit, choice.reason, luajit);
}

/** "LuaJIT 2.1.0-beta3, as luajit is on PATH": how test titles name what ran and why. */
export function describeLua(lua: LuaInterpreter): string {
  return `${lua.name}, as ${lua.reason}`;
}
