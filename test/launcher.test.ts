// bin/hostgate.mjs is plain JavaScript so that any Node can start it; under a
// Node older than 24 it re-executes the CLI on the bundled Node 24. These
// tests start it as a real process with the system Node (the process
// boundary and the re-exec are the point), falling back to this Node when
// the machine has no older one.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join, sep } from "node:path";
import { describe, test } from "node:test";
import { ROOT } from "./fixtures.ts";

const LAUNCHER = join(ROOT, "bin", "hostgate.mjs");

/** PATH without node_modules/.bin entries (where npm puts the bundled Node 24). */
const SYSTEM_PATH = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((dir) => dir !== "" && !dir.includes(`${sep}node_modules${sep}`))
  .join(delimiter);

function versionOf(node: string): string | undefined {
  try {
    return execFileSync(node, ["--version"], { encoding: "utf8", timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

/** A Node older than 24 on the system PATH, else this process's Node. */
function pickNode(): { path: string; version: string } {
  const candidates = [...SYSTEM_PATH.split(delimiter), "/usr/bin", "/usr/local/bin", "/bin"].map((dir) => join(dir, "node"));
  for (const path of new Set(candidates)) {
    if (!existsSync(path)) continue;
    const version = versionOf(path);
    const major = Number(/^v(\d+)\./.exec(version ?? "")?.[1]);
    if (version !== undefined && major < 24) return { path, version };
  }
  return { path: process.execPath, version: process.version };
}

const node = pickNode();

function launch(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(node.path, [LAUNCHER, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, PATH: SYSTEM_PATH },
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe(`bin/hostgate.mjs started by Node ${node.version} (${node.path})`, () => {
  test("--help exits 0 and prints the usage", () => {
    const result = launch("--help");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^hostgate: self-service domains on Kubernetes, safely\.\n/);
    assert.match(result.stdout, /^Usage: hostgate <command> \[options\]$/m);
    assert.match(result.stdout, /^ {2}check /m);
    assert.match(result.stdout, /^ {2}test /m);
    assert.equal(result.stderr, "");
  });

  test("check -f examples/routes exits 0 with every object allowed", () => {
    const result = launch("check", "-f", "examples/routes");
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^ALLOWED DomainRoute team-a\/catalog {2}\(examples\/routes\/team-a-catalog\.yaml\)$/m);
    assert.match(result.stdout, /\n5 objects: 5 allowed, 0 denied\n$/);
  });
});
