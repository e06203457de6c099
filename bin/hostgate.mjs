#!/usr/bin/env node
// Launcher: plain JavaScript so that any Node can start it. hostgate itself is
// TypeScript run directly by Node >= 24 (type stripping), which the project
// ships as the `node` devDependency; when an older Node starts this file we
// re-exec the CLI under the bundled Node 24 instead of failing on `.ts` syntax.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "bin", "cli.ts");
const major = Number(process.versions.node.split(".")[0]);

/** What a supervisor, a terminal or `kill` sends to stop a process: each reaches the CLI (it decides what they mean). */
const FORWARDED = ["SIGTERM", "SIGINT", "SIGHUP"];
/** Signals Node does not die of when re-raised (SIGUSR1 opens the inspector, SIGPIPE is ignored): exit 128+n instead. */
const NOT_RERAISED = new Set(["SIGUSR1", "SIGPIPE"]);

if (major >= 24) {
  const { runCli } = await import(entry);
  await runCli();
} else {
  const bundled = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(bundled)) {
    process.stderr.write(
      `hostgate needs Node.js 24 or newer (this is ${process.version}).\n` +
        `Run \`npm ci\` in ${root} to install the bundled Node 24, or put Node 24 on PATH.\n`,
    );
    process.exit(2);
  }
  reexec(bundled, [entry, ...process.argv.slice(2)]);
}

/**
 * Runs the CLI as a child and stands in for it: every stop signal the
 * launcher gets is passed on once, and the launcher ends the way the child
 * did (its exit code, or death by the same signal), so whoever started it
 * (a shell, a supervisor, a test) sees what the CLI did.
 *
 * On POSIX the child leads its own process group (detached). A terminal's
 * Ctrl-C signals the whole foreground group: sharing the launcher's group,
 * the child would get SIGINT from the terminal and again from the launcher,
 * and `hostgate serve` reads a second SIGINT as "stop now, skip the graceful
 * drain". In its own group it hears each signal once, from the launcher.
 */
function reexec(node, args) {
  const child = spawn(node, args, { stdio: "inherit", detached: process.platform !== "win32" });
  const forward = (signal) => {
    // The child may have exited a moment ago (its exit event not yet seen): nothing to forward to then.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  child.once("error", (error) => {
    process.stderr.write(`hostgate: could not start ${node}: ${error.message}\n`);
    process.exit(2);
  });
  child.once("exit", (code, signal) => {
    for (const s of FORWARDED) process.off(s, forward);
    if (signal === null) process.exit(code ?? 1);
    exitLikeSignal(signal);
  });
}

/** Dies of `signal` as a shell's child would (so `$?` is 128+n and a parent sees the signal); 128+n when it cannot. */
function exitLikeSignal(signal) {
  const code = 128 + (constants.signals[signal] ?? 0);
  if (!NOT_RERAISED.has(signal)) {
    try {
      // Our own handlers are gone, so the default action (termination) applies.
      process.kill(process.pid, signal);
    } catch {
      process.exit(code);
    }
    // A signal sent to oneself is delivered before kill returns; if this process still runs, it was ignored.
    setTimeout(() => process.exit(code), 1000);
    return;
  }
  process.exit(code);
}
