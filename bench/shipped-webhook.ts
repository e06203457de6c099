// `hostgate serve` started as shipped, for the benchmarks that measure the
// webhook's process (bench:webhook, bench:scale): the release build (or the
// sources), the webhook Deployment's environment, under its memory limit
// (memory-limit.ts), with its logs going to a file as a container runtime
// takes them (piping them into the benchmark would make it pay for reading
// them), and its resident memory read from /proc.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "../bin/build.ts";
import { PACKAGE_ROOT } from "../core/cli/paths.ts";
import type { DeployedContainer } from "./deployed-container.ts";
import { memoryLimit } from "./memory-limit.ts";
import type { MemoryLimit } from "./memory-limit.ts";

/** The file hostgate runs from: dist/bin/cli.js, built now (`dist`), or bin/cli.ts (`sources`). */
export function hostgateEntry(entry: "dist" | "sources"): string {
  if (entry === "sources") return join(PACKAGE_ROOT, "bin", "cli.ts");
  build(PACKAGE_ROOT);
  return join(PACKAGE_ROOT, "dist", "bin", "cli.js");
}

export interface ShippedWebhook {
  /** The webhook's process (under a cgroup, the shell that moved into it exec'd Node: same pid). */
  child: ChildProcess;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** The NODE_OPTIONS it runs with (the percentage turned into a size where no cgroup could be made). */
  nodeOptions: string;
  /** The limit it runs under: remove() it once the process has exited. */
  limit: MemoryLimit;
}

export function spawnShippedWebhook(options: {
  entry: string;
  /** serve's flags, after `serve --only webhook`. */
  args: readonly string[];
  deployed: DeployedContainer;
  limitBytes: number;
  /** Names the memory cgroup; unique per process. */
  limitName: string;
  logFile: string;
  cwd?: string;
  /** More NODE_OPTIONS, for investigation (--cpu-prof ...). */
  extraNodeOptions?: string;
}): ShippedWebhook {
  const limit = memoryLimit(options.limitBytes, options.limitName);
  const nodeOptions = limit.nodeOptions([options.deployed.env.NODE_OPTIONS ?? "", options.extraNodeOptions ?? ""].join(" ").trim());
  // As the Deployment runs it: the webhook alone (in cluster mode serve would also start the reconciler).
  const wrapped = limit.wrap(process.execPath, [options.entry, "serve", "--only", "webhook", ...options.args]);
  const child = spawn(wrapped.command, wrapped.args, {
    stdio: ["ignore", openSync(options.logFile, "w"), "pipe"],
    env: { ...process.env, ...options.deployed.env, NODE_OPTIONS: nodeOptions },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return { child, stderr: () => stderr, nodeOptions, limit };
}

/** Resident and peak resident memory of a process, in MB (Linux /proc). */
export function rssMB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}
