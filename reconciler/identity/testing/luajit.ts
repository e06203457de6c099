// Spawns the real LuaJIT. A missing luajit is an error, never a skip: a green
// run must mean the Lua was actually executed.
import { execFileSync } from "node:child_process";

export const LUAJIT_MISSING_HINT = "Install it with: apt-get install -y luajit";

export interface LuaJitOptions {
  /** The executable; only tests of the missing-luajit error change it. */
  readonly luajit?: string;
  /** Added to the environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs `luajit args...` with `input` on stdin and returns stdout as bytes. */
export function runLuaJit(args: readonly string[], input = "", options: LuaJitOptions = {}): Buffer {
  const luajit = options.luajit ?? "luajit";
  try {
    return execFileSync(luajit, args, { input, env: { ...process.env, ...options.env }, maxBuffer: 256 * 1024 * 1024, stdio: ["pipe", "pipe", "pipe"] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`${luajit} is not on PATH, and these tests must run the Lua under real LuaJIT. ${LUAJIT_MISSING_HINT}`);
    }
    const stderr = String((error as { stderr?: unknown }).stderr ?? "");
    throw new Error(`luajit failed: ${stderr || (error as Error).message}`);
  }
}
