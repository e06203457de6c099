// bin/hostgate.mjs is plain JavaScript so that any Node can start it; under a
// Node older than 24 it re-executes the CLI on the bundled Node 24. These
// tests start it as a real process with the machine's older Node (the
// process boundary and the re-exec are the point): what the CLI prints, the
// exit status it ends with, and the signals that stop it all have to cross
// the launcher.
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { delimiter, join, sep } from "node:path";
import { after, describe, test } from "node:test";
import { ROOT, tempDir } from "./fixtures.ts";
import { localServeArgs } from "./serve-child.ts";

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

/**
 * The first Node older than 24 on the system PATH or in the usual places.
 * Under Node 24 the launcher does not re-exec at all, so running these tests
 * with it would prove nothing: without an older Node they fail, saying so.
 */
function olderNode(): { path: string; version: string } {
  const candidates = [...SYSTEM_PATH.split(delimiter), "/usr/local/bin", "/usr/bin", "/bin"].map((dir) => join(dir, "node"));
  const seen: string[] = [];
  for (const path of new Set(candidates)) {
    if (!existsSync(path)) continue;
    const version = versionOf(path) ?? "unrunnable";
    seen.push(`${path} (${version})`);
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (major < 24) return { path, version };
  }
  throw new Error(
    `the launcher tests need a Node older than 24 (the re-exec path only runs there); found ${seen.length === 0 ? "no node" : seen.join(", ")} ` +
      `on the PATH without node_modules/.bin and in /usr/local/bin, /usr/bin, /bin. Install the distribution's nodejs package (CI machines ship Node 20).`,
  );
}

const node = olderNode();
const dirs: string[] = [];
/** Every process a test started: a failed test must not leave a server running (it would also hold the test's pipes open). */
const started: number[] = [];
after(() => {
  for (const pid of started) if (alive(pid)) process.kill(pid, "SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

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

/** The pids whose parent is `pid` (`ps` is on Linux and macOS alike). */
function childrenOf(pid: number): number[] {
  const table = execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" });
  return table
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, parent]) => parent === pid)
    .map(([child]) => child!);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

interface Served {
  launcher: ChildProcess;
  /** The bundled Node 24 running `hostgate serve` under the launcher. */
  cliPid: number;
  output: () => { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `hostgate serve` in local mode through the launcher, waited for until it
 * serves. The launcher leads its own process group, so a test can signal the
 * group as a terminal's Ctrl-C does.
 */
async function serveThroughLauncher(): Promise<Served> {
  const dir = tempDir("launcher");
  dirs.push(dir);
  const args = ["serve", ...localServeArgs(join(ROOT, "examples", "state"), join(dir, "tls"))];
  const launcher = spawn(node.path, [LAUNCHER, ...args], {
    cwd: ROOT,
    env: { ...process.env, PATH: SYSTEM_PATH },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  launcher.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  launcher.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    launcher.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 30_000;
  while (!/"msg":"webhook serving"/.test(stdout)) {
    if (Date.now() > deadline || launcher.exitCode !== null) {
      launcher.kill("SIGKILL");
      assert.fail(`hostgate serve did not start within 30 s through the launcher; stdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  started.push(launcher.pid!);
  const children = childrenOf(launcher.pid!);
  started.push(...children);
  assert.equal(children.length, 1, `the launcher runs exactly one child (the CLI on Node 24); found ${children.join(", ") || "none"}`);
  return { launcher, cliPid: children[0]!, output: () => ({ stdout, stderr }), exited };
}

/** Waits for the launcher to end; kills what is left if it does not (so a failure never leaves a server behind). */
async function ended(served: Served): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(resolve, 15_000, "timeout")));
  const result = await Promise.race([served.exited, timeout]);
  clearTimeout(timer);
  if (result === "timeout") {
    for (const pid of [served.launcher.pid!, served.cliPid]) if (alive(pid)) process.kill(pid, "SIGKILL");
    assert.fail(`the launcher did not exit within 15 s of the signal; output:\n${JSON.stringify(served.output())}`);
  }
  return result;
}

describe(`bin/hostgate.mjs started by Node ${node.version} (${node.path}), re-executing the CLI on Node 24`, () => {
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

  const exitCases: { name: string; args: string[]; status: number }[] = [
    { name: "a check that denies something exits 1, as the CLI does", args: ["check", "-f", "examples/rejected"], status: 1 },
    { name: "a check of a path that does not exist exits 2 (unusable input)", args: ["check", "-f", "examples/no-such-file.yaml"], status: 2 },
    { name: "an unknown command exits 2", args: ["no-such-command"], status: 2 },
  ];
  for (const { name, args, status } of exitCases) {
    test(name, () => assert.equal(launch(...args).status, status));
  }

  test("SIGTERM to the launcher's pid stops the server gracefully: the CLI is gone and its exit status 0 is the launcher's", async () => {
    const served = await serveThroughLauncher();
    process.kill(served.launcher.pid!, "SIGTERM");
    assert.deepEqual(await ended(served), { code: 0, signal: null }, served.output().stderr);
    assert.equal(alive(served.cliPid), false, `the CLI (pid ${served.cliPid}) outlived its launcher`);
    assert.match(served.output().stdout, /"signal":"SIGTERM","msg":"stop requested"/);
    assert.match(served.output().stdout, /"msg":"stopped; every in-flight request was answered"/);
  });

  test("Ctrl-C (SIGINT to the launcher's whole process group) reaches the server once, so it drains instead of exiting at once", async () => {
    const served = await serveThroughLauncher();
    process.kill(-served.launcher.pid!, "SIGINT");
    assert.deepEqual(await ended(served), { code: 0, signal: null }, served.output().stderr);
    assert.equal(alive(served.cliPid), false, `the CLI (pid ${served.cliPid}) outlived its launcher`);
    assert.doesNotMatch(served.output().stderr, /again/, "a second SIGINT would have skipped the graceful stop");
    assert.match(served.output().stdout, /"msg":"stopped; every in-flight request was answered"/);
  });

  test("SIGHUP, which the server does not handle, kills it, and the launcher dies of the same signal as a shell would", async () => {
    const served = await serveThroughLauncher();
    process.kill(served.launcher.pid!, "SIGHUP");
    assert.deepEqual(await ended(served), { code: null, signal: "SIGHUP" });
    assert.equal(alive(served.cliPid), false, `the CLI (pid ${served.cliPid}) outlived its launcher`);
  });

  test("a CLI killed by a signal the launcher does not forward still ends the launcher, with that signal", async () => {
    const served = await serveThroughLauncher();
    process.kill(served.cliPid, "SIGKILL");
    assert.deepEqual(await ended(served), { code: null, signal: "SIGKILL" });
  });
});
