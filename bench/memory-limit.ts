// Runs a benchmark's server under the memory limit the Deployment gives it,
// so that "as shipped" includes the heap Node sizes from that limit
// (--max-old-space-size-percentage reads the container's cgroup).
//
// Where this process may create a memory cgroup (root, with the v1 memory
// controller or a cgroup v2 hierarchy that delegates memory), the server runs
// inside a real one: Node sees the limit and the kernel enforces it. Elsewhere
// the percentage is turned into the --max-old-space-size it would give under
// that limit, and the benchmark says so.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface MemoryLimit {
  /** How the limit is applied, for the report. */
  readonly how: string;
  /** The command and arguments that start `command args` under the limit. */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] };
  /** The NODE_OPTIONS to start it with. */
  nodeOptions(options: string): string;
  remove(): void;
}

/** Kubernetes quantity (Mi, Gi, M, G or plain bytes) in bytes. */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G|k)?$/.exec(quantity.trim());
  if (match === null) throw new Error(`memory limit ${JSON.stringify(quantity)} is not a Kubernetes quantity such as 384Mi`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, K: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ""] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

export function memoryLimit(bytes: number, name: string): MemoryLimit {
  const dir = createCgroup(bytes, name);
  if (dir !== undefined) {
    return {
      how: `a memory cgroup of ${mib(bytes)} MiB (${dir})`,
      // The shell moves itself into the cgroup before exec, so Node reads the limit at start.
      wrap: (command, args) => ({ command: "/bin/sh", args: ["-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, command, ...args] }),
      nodeOptions: (options) => options,
      remove: () => {
        try {
          rmdirSync(dir);
        } catch {
          // still has a process that is exiting; the kernel removes nothing else
        }
      },
    };
  }
  return {
    how: `no memory cgroup could be created here: --max-old-space-size-percentage emulated for a ${mib(bytes)} MiB limit`,
    wrap: (command, args) => ({ command, args: [...args] }),
    nodeOptions: (options) =>
      options.replace(
        /--max-old-space-size-percentage=(\d+(?:\.\d+)?)/,
        (_, percent: string) => `--max-old-space-size=${Math.floor((mib(bytes) * Number(percent)) / 100)}`,
      ),
    remove: () => undefined,
  };
}

function createCgroup(bytes: number, name: string): string | undefined {
  // cgroup v1: the memory controller's own hierarchy.
  const v1 = "/sys/fs/cgroup/memory";
  if (existsSync(join(v1, "memory.limit_in_bytes"))) {
    const dir = join(v1, name);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "memory.limit_in_bytes"), String(bytes));
      return dir;
    } catch {
      return undefined;
    }
  }
  // cgroup v2: a child of this process's cgroup, when memory is delegated to it.
  try {
    const own = /^0::(.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1];
    const root = existsSync("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
    if (own === undefined) return undefined;
    const parent = join(root, own);
    if (!readFileSync(join(parent, "cgroup.subtree_control"), "utf8").split(/\s+/).includes("memory")) return undefined;
    const dir = join(parent, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "memory.max"), String(bytes));
    return dir;
  } catch {
    return undefined;
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}
