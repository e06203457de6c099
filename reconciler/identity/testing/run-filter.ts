// Runs a rendered identity filter under real LuaJIT (the interpreter Envoy
// embeds) through envoy-stub.lua, with headers passed hex-encoded both ways
// so that no byte of a hostile value is lost or reinterpreted.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLuaJit } from "./luajit.ts";

const STUB = fileURLToPath(new URL("./envoy-stub.lua", import.meta.url));

/** Headers in order, as [name, value] pairs. */
export type Headers = readonly (readonly [string, string])[];

export interface FilterRun {
  /** Globals the filter defined when loaded, sorted. */
  readonly globals: readonly string[];
  /** The headers of each request after envoy_on_request, in request order. */
  readonly results: Headers[];
}

export interface FilterRunOptions {
  /** The luajit executable; only tests of the missing-luajit error change it. */
  readonly luajit?: string;
  /** Make the stub's replace() overwrite only the first copy, as Envoy up to 1.15 did. */
  readonly legacyReplace?: boolean;
}

export function runFilter(lua: string, requests: readonly Headers[], options: FilterRunOptions = {}): FilterRun {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-identity-"));
  try {
    const filter = join(dir, "filter.lua");
    writeFileSync(filter, lua);
    const input = requests.map((headers) => headers.map(([name, value]) => `${hex(name)}:${hex(value)}`).join(" ")).join("\n");
    const output = runLuaJit([STUB, filter], requests.length === 0 ? "" : `${input}\n`, {
      luajit: options.luajit,
      env: { ENVOY_STUB_LEGACY_REPLACE: options.legacyReplace ? "1" : "0" },
    }).toString("latin1");
    const lines = output.split("\n").slice(0, -1);
    const globals = lines.filter((line) => line.startsWith("global ")).map((line) => line.slice("global ".length));
    const results = lines.filter((line) => !line.startsWith("global ")).map(decodeHeaders);
    if (results.length !== requests.length) throw new Error(`expected ${requests.length} results from luajit, got ${results.length}:\n${output}`);
    return { globals, results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
