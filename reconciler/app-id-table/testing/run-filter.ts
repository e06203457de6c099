// Runs a rendered identity filter through envoy-stub.lua under the chosen Lua
// (LuaJIT, the interpreter Envoy embeds, or wasmoon: see lua-interpreter.ts),
// with headers passed hex-encoded both ways so that no byte of a hostile
// value is lost or reinterpreted.
import { readFileSync } from "node:fs";
import type { LuaInterpreter } from "./lua-program.ts";

const STUB = readFileSync(new URL("./envoy-stub.lua", import.meta.url), "utf8");

/** Headers in order, as [name, value] pairs. */
export type Headers = readonly (readonly [string, string])[];

export interface FilterRun {
  /** Globals the filter defined when loaded, sorted. */
  readonly globals: readonly string[];
  /** The headers of each request after envoy_on_request, in request order. */
  readonly results: Headers[];
}

export interface FilterRunOptions {
  /** Make the stub's replace() overwrite only the first copy, as Envoy up to 1.15 did. */
  readonly legacyReplace?: boolean;
}

export function runFilter(lua: LuaInterpreter, filter: string, requests: readonly Headers[], options: FilterRunOptions = {}): FilterRun {
  const input = requests.map((headers) => headers.map(([name, value]) => `${hex(name)}:${hex(value)}`).join(" ")).join("\n");
  const output = lua
    .run({
      files: { "envoy-stub.lua": STUB, "filter.lua": filter },
      main: "envoy-stub.lua",
      args: ["filter.lua"],
      stdin: requests.length === 0 ? "" : `${input}\n`,
      env: { ENVOY_STUB_LEGACY_REPLACE: options.legacyReplace ? "1" : "0" },
    })
    .toString("latin1");
  const lines = output.split("\n").slice(0, -1);
  const globals = lines.filter((line) => line.startsWith("global ")).map((line) => line.slice("global ".length));
  const results = lines.filter((line) => !line.startsWith("global ")).map(decodeHeaders);
  if (results.length !== requests.length) throw new Error(`expected ${requests.length} results from ${lua.name}, got ${results.length}:\n${output}`);
  return { globals, results };
}

function hex(text: string): string {
  return Buffer.from(text, "utf8").toString("hex");
}

function decodeHeaders(line: string): [string, string][] {
  if (line === "") return [];
  return line.split(" ").map((token) => {
    const [name, value] = token.split(":");
    return [Buffer.from(name, "hex").toString("utf8"), Buffer.from(value, "hex").toString("utf8")];
  });
}
