// A kubeconfig file on disk for tests of commands that take --kubeconfig FILE
// (and --context NAME): the connection is resolved from it as in real use,
// and only the client built on that connection is a fake.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

/**
 * Writes a kubeconfig with one context per entry of `servers` (context name → API server URL), each on its own
 * cluster and token user, `current` as current-context; returns its path (in a new temp folder).
 */
export function writeKubeconfig(servers: Readonly<Record<string, string>>, current: string): string {
  const names = Object.keys(servers);
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: names.map((name) => ({ name: `cluster-${name}`, cluster: { server: servers[name] } })),
    users: names.map((name) => ({ name: `user-${name}`, user: { token: `token-${name}` } })),
    contexts: names.map((name) => ({ name, context: { cluster: `cluster-${name}`, user: `user-${name}` } })),
    "current-context": current,
  };
  const path = join(mkdtempSync(join(tmpdir(), "hostgate-kubeconfig-")), "config");
  writeFileSync(path, stringify(config));
  return path;
}
