// Runs programs under wasmoon (Lua 5.4 compiled to WebAssembly), the
// interpreter npm installs, for machines without LuaJIT. One Lua state per
// test process (starting one is the costly part); each run gets a fresh
// environment in it (wasmoon-run.lua) and its own directory in the in-memory
// file system, removed afterwards. Files cross as bytes, never as JS strings,
// so no byte of a hostile value is re-encoded on the way.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { LuaFactory } from "wasmoon";
import { luaStringLiteral } from "../lua-literal.ts";
import { checkProgram } from "./lua-program.ts";
import type { LuaInterpreter, LuaProgram } from "./lua-program.ts";

const RUNNER = readFileSync(new URL("./wasmoon-run.lua", import.meta.url), "utf8");
const WASMOON_VERSION = (createRequire(import.meta.url)("wasmoon/package.json") as { version: string }).version;

/** The subset of Emscripten's FS that runs need. */
interface MemFs {
  mkdir(path: string): void;
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string): Uint8Array;
  readdir(path: string): string[];
  unlink(path: string): void;
  rmdir(path: string): void;
  chdir(path: string): void;
}

export async function wasmoonInterpreter(reason: string): Promise<LuaInterpreter> {
  const factory = new LuaFactory();
  const fs = (await factory.getLuaModule()).module.FS as unknown as MemFs;
  const engine = await factory.createEngine();
  const runInState = engine.doStringSync(RUNNER) as (paramsFile: string) => string;
  const version = engine.doStringSync("return _VERSION") as string;
  let runs = 0;
  const run = (program: LuaProgram): Buffer => {
    checkProgram(program);
    const base = `/hostgate-run-${++runs}`;
    const dir = `${base}/files`;
    fs.mkdir(base);
    fs.mkdir(dir);
    try {
      for (const [name, source] of Object.entries(program.files)) fs.writeFile(`${dir}/${name}`, Buffer.from(source, "utf8"));
      fs.writeFile(`${base}/stdin`, Buffer.from(program.stdin ?? "", "utf8"));
      fs.writeFile(`${base}/params.lua`, Buffer.from(paramsSource(program, base), "utf8"));
      fs.chdir(dir);
      const error = runInState(`${base}/params.lua`);
      if (error) throw new Error(`wasmoon (${version}) failed: ${error}`);
      return Buffer.from(fs.readFile(`${base}/stdout`));
    } finally {
      fs.chdir("/");
      removeTree(fs, base);
    }
  };
  return { kind: "wasmoon", name: `${version} (wasmoon ${WASMOON_VERSION}, WebAssembly)`, reason, run };
}

function paramsSource(program: LuaProgram, base: string): string {
  const list = (values: readonly string[]) => `{${values.map(luaStringLiteral).join(",")}}`;
  const env = Object.entries(program.env ?? {}).map(([name, value]) => `[${luaStringLiteral(name)}]=${luaStringLiteral(value)}`);
  return (
    `return {main=${luaStringLiteral(program.main)},args=${list(program.args ?? [])},env={${env.join(",")}},` +
    `stdin=${luaStringLiteral(`${base}/stdin`)},stdout=${luaStringLiteral(`${base}/stdout`)}}\n`
  );
}

function removeTree(fs: MemFs, path: string): void {
  for (const entry of fs.readdir(path)) {
    if (entry === "." || entry === "..") continue;
    const child = `${path}/${entry}`;
    try {
      fs.unlink(child);
    } catch {
      removeTree(fs, child);
    }
  }
  fs.rmdir(path);
}
