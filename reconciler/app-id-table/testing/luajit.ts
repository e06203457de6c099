// Runs programs under the real LuaJIT (the interpreter Envoy embeds, and the
// reference: CI installs it). A missing luajit is an error, never a skip.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkProgram } from "./lua-program.ts";
import type { LuaInterpreter, LuaProgram } from "./lua-program.ts";

export const LUAJIT_MISSING_HINT = "Install it with: apt-get install -y luajit";

/** The version line of `luajit -v` ("LuaJIT 2.1.0-beta3"), or undefined when `luajit` is not on PATH. */
export function probeLuaJit(luajit = "luajit"): string | undefined {
  try {
    return execFileSync(luajit, ["-v"], { stdio: ["ignore", "pipe", "pipe"] })
      .toString("utf8")
      .split(" -- ")[0]
      .trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`${luajit} -v failed: ${String((error as { stderr?: unknown }).stderr ?? "") || (error as Error).message}`);
  }
}

export function luaJitInterpreter(name: string, reason: string, luajit = "luajit"): LuaInterpreter {
  return { kind: "luajit", name, reason, run: (program) => runLuaJit(program, luajit) };
}

function runLuaJit(program: LuaProgram, luajit: string): Buffer {
  checkProgram(program);
  const dir = mkdtempSync(join(tmpdir(), "hostgate-lua-"));
  try {
    for (const [name, source] of Object.entries(program.files)) writeFileSync(join(dir, name), source);
    return execFileSync(luajit, [program.main, ...(program.args ?? [])], {
      cwd: dir,
      input: program.stdin ?? "",
      env: { ...process.env, ...program.env },
      maxBuffer: 256 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`${luajit} is not on PATH, and HOSTGATE_LUA asks for LuaJIT. ${LUAJIT_MISSING_HINT}`);
    }
    throw new Error(`luajit failed: ${String((error as { stderr?: unknown }).stderr ?? "") || (error as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
