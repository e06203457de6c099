// The stand-in API server (stub-apiserver.ts) as a child process holding the
// synthetic cluster, and a kubeconfig that points `hostgate serve
// --kubeconfig` at it: for the benchmarks and the tests that run the webhook
// in cluster mode without a real API server.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { PACKAGE_ROOT } from "../core/cli/paths.ts";

export interface StubCluster {
  /** The API server process: the caller stops it. */
  process: ChildProcess;
  /** A kubeconfig file for it (plain HTTP, a dummy token). */
  kubeconfig: string;
}

/** Starts the stub with `routes` DomainRoutes and `grants` HostnameGrants; writes its kubeconfig to `kubeconfigFile`. */
export async function startStubCluster(options: { routes: number; grants: number; kubeconfigFile: string }): Promise<StubCluster> {
  const child = spawn(
    process.execPath,
    [join(PACKAGE_ROOT, "bench", "stub-apiserver.ts"), "--routes", String(options.routes), "--grants", String(options.grants)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the stub API server exited (${code}) before listening`)));
    child.stdout!.once("data", (chunk: Buffer) => resolve(Number(/listening (\d+)/.exec(chunk.toString())?.[1])));
  });
  writeFileSync(
    options.kubeconfigFile,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "stub", cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } }],
      users: [{ name: "stub", user: { token: "stub" } }],
      contexts: [{ name: "stub", context: { cluster: "stub", user: "stub" } }],
      "current-context": "stub",
    }),
  );
  return { process: child, kubeconfig: options.kubeconfigFile };
}
