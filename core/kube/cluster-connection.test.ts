import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KubeconfigError, resolveClusterConnection } from "./cluster-connection.ts";
import type { ClusterConnection, ConnectionOptions } from "./cluster-connection.ts";

/** A kubeconfig with one context `ctx` on cluster `c` (server) and user `u`. */
function kubeconfig(options: { server?: string; context?: string; current?: string } = {}): string {
  const { server = "https://k8s.example.com:6443", context = "ctx" } = options;
  const current = options.current ?? context;
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: c-${context}`,
    "  cluster:",
    `    server: ${server}`,
    "users:",
    `- name: u-${context}`,
    "  user: {token: t}",
    "contexts:",
    `- name: ${context}`,
    `  context: {cluster: c-${context}, user: u-${context}}`,
    `current-context: ${current}`,
  ].join("\n");
}

/** resolveClusterConnection over an in-memory file system. */
function resolve(files: Record<string, string>, options: Omit<ConnectionOptions, "readFile" | "exists"> = {}) {
  return resolveClusterConnection({
    env: {},
    homeDir: "/home/dev",
    serviceAccountDir: "/sa",
    ...options,
    exists: (path) => path in files,
    readFile: (path) => {
      if (!(path in files)) throw Object.assign(new Error(`ENOENT ${path}`), { code: "ENOENT" });
      if (files[path] === "<unreadable>") throw Object.assign(new Error(`EACCES ${path}`), { code: "EACCES" });
      return files[path]!;
    },
  });
}

describe("resolveClusterConnection: which source", () => {
  const cases: {
    name: string;
    files: Record<string, string>;
    options: Omit<ConnectionOptions, "readFile" | "exists">;
    source: ClusterConnection["source"];
    server: string;
    context: string;
  }[] = [
    {
      name: "--kubeconfig wins over KUBECONFIG and in-cluster",
      files: { "/flag.yaml": kubeconfig({ context: "flag" }), "/env.yaml": kubeconfig({ context: "env" }), "/sa/token": "t", "/sa/ca.crt": "c" },
      options: { kubeconfig: "/flag.yaml", env: { KUBECONFIG: "/env.yaml", KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" } },
      source: "--kubeconfig",
      server: "https://k8s.example.com:6443",
      context: "flag",
    },
    {
      name: "KUBECONFIG wins over in-cluster, as in controller-runtime",
      files: { "/env.yaml": kubeconfig({ context: "env" }), "/sa/token": "t", "/sa/ca.crt": "c" },
      options: { env: { KUBECONFIG: "/env.yaml", KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" } },
      source: "KUBECONFIG",
      server: "https://k8s.example.com:6443",
      context: "env",
    },
    {
      name: "KUBECONFIG files merge, the first to set current-context or a name winning, missing files skipped",
      files: { "/a.yaml": kubeconfig({ context: "a", server: "https://a:6443" }), "/b.yaml": kubeconfig({ context: "b", current: "b" }) },
      options: { env: { KUBECONFIG: "/missing.yaml:/a.yaml:/b.yaml" } },
      source: "KUBECONFIG",
      server: "https://a:6443",
      context: "a",
    },
    {
      name: "in-cluster uses the service account and the service's address",
      files: { "/sa/token": "t", "/sa/ca.crt": "c", "/home/dev/.kube/config": kubeconfig() },
      options: { env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" } },
      source: "in-cluster",
      server: "https://10.96.0.1:443",
      context: "in-cluster",
    },
    {
      name: "in-cluster brackets an IPv6 service address",
      files: { "/sa/token": "t", "/sa/ca.crt": "c" },
      options: { env: { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" } },
      source: "in-cluster",
      server: "https://[fd00::1]:443",
      context: "in-cluster",
    },
    {
      name: "~/.kube/config is the last resort",
      files: { "/home/dev/.kube/config": kubeconfig({ context: "home" }) },
      options: {},
      source: "~/.kube/config",
      server: "https://k8s.example.com:6443",
      context: "home",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const connection = resolve(c.files, c.options);
      assert.equal(connection.configured, true);
      if (!connection.configured) return;
      assert.equal(connection.source, c.source);
      assert.equal(connection.server, c.server);
      assert.equal(connection.context, c.context);
      assert.equal(connection.config.getCurrentCluster()?.server, c.server, "the KubeConfig agrees");
    });
  }

  it("authenticates in-cluster with the token file, which client-node re-reads, so a rotated token is picked up", () => {
    const connection = resolve({ "/sa/token": "t", "/sa/ca.crt": "c" }, { env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" } });
    assert.ok(connection.configured);
    assert.deepEqual(connection.config.getCurrentUser()?.authProvider, { name: "tokenFile", config: { tokenFile: "/sa/token" } });
    assert.equal(connection.config.getCurrentCluster()?.caFile, "/sa/ca.crt");
    assert.equal(connection.description, "https://10.96.0.1:443 (in-cluster service account)");
  });

  it("resolves a relative certificate path against the kubeconfig's folder", () => {
    const connection = resolve(
      { "/etc/kube/config": kubeconfig().replace("    server:", "    certificate-authority: ca.pem\n    server:"), "/etc/kube/ca.pem": "pem" },
      { kubeconfig: "/etc/kube/config" },
    );
    assert.ok(connection.configured);
    assert.equal(connection.config.getCurrentCluster()?.caFile, "/etc/kube/ca.pem");
    assert.equal(connection.description, "https://k8s.example.com:6443 (context ctx from /etc/kube/config)");
  });

  it("says no cluster is configured, and why, when there is no source at all", () => {
    assert.deepEqual(resolve({}), {
      configured: false,
      reason:
        "no cluster configured: no --kubeconfig, KUBECONFIG is unset, not in a pod (KUBERNETES_SERVICE_HOST is unset) and /home/dev/.kube/config does not exist",
    });
  });
});

describe("resolveClusterConnection: a configuration that is present but broken is an error, never local mode", () => {
  const cases: { name: string; files: Record<string, string>; options: Omit<ConnectionOptions, "readFile" | "exists">; problem: RegExp }[] = [
    {
      name: "an explicit file that does not exist",
      files: {},
      options: { kubeconfig: "/nope.yaml" },
      problem: /^--kubeconfig \/nope\.yaml: no such file; check the path/,
    },
    {
      name: "an explicit file that cannot be read",
      files: { "/k.yaml": "<unreadable>" },
      options: { kubeconfig: "/k.yaml" },
      problem: /^\/k\.yaml: cannot read the kubeconfig \(EACCES\); check the path and its permissions$/,
    },
    {
      name: "malformed YAML, with its line and column",
      files: { "/k.yaml": "clusters:\n  - name: [c\n" },
      options: { kubeconfig: "/k.yaml" },
      problem: /^\/k\.yaml:\d+:\d+: invalid YAML: .+; fix the syntax at that position$/,
    },
    {
      name: "YAML that is not a mapping",
      files: { "/k.yaml": "- just\n- a list\n" },
      options: { kubeconfig: "/k.yaml" },
      problem: /^\/k\.yaml: not a kubeconfig: expected a mapping with clusters, contexts, users and current-context$/,
    },
    {
      name: "a cluster without a server",
      files: { "/k.yaml": kubeconfig().replace("    server: https://k8s.example.com:6443", "    insecure-skip-tls-verify: true") },
      options: { kubeconfig: "/k.yaml" },
      problem: /^\/k\.yaml: clusters\[0\]\.cluster\.server is missing; fix that entry$/,
    },
    {
      name: "no current-context",
      files: { "/k.yaml": kubeconfig().replace("current-context: ctx", "") },
      options: { kubeconfig: "/k.yaml" },
      problem: /^\/k\.yaml: no current-context is set; run kubectl config use-context NAME \(contexts: ctx\)$/,
    },
    {
      name: "a current-context that names no context",
      files: { "/k.yaml": kubeconfig({ current: "prod" }) },
      options: { kubeconfig: "/k.yaml" },
      problem: /^\/k\.yaml: current-context "prod" names no context; contexts are: ctx$/,
    },
    {
      name: "a context naming an undefined cluster",
      files: { "/k.yaml": kubeconfig().replace("{cluster: c-ctx,", "{cluster: other,") },
      options: { kubeconfig: "/k.yaml" },
      problem: /^\/k\.yaml: context "ctx" names cluster "other", which is not defined; clusters are: c-ctx$/,
    },
    {
      name: "a context naming an undefined user",
      files: { "/k.yaml": kubeconfig().replace("user: u-ctx}", "user: ghost}") },
      options: { kubeconfig: "/k.yaml" },
      problem: /^\/k\.yaml: context "ctx" names user "ghost", which is not defined; users are: u-ctx$/,
    },
    {
      name: "a server that is not a URL",
      files: { "/k.yaml": kubeconfig({ server: "k8s.example.com" }) },
      options: { kubeconfig: "/k.yaml" },
      problem: /^\/k\.yaml: cluster "c-ctx" has server "k8s\.example\.com", which is not an http\(s\) URL; use e\.g\. https:\/\/10\.0\.0\.1:6443$/,
    },
    {
      name: "a certificate file that does not exist",
      files: { "/k.yaml": kubeconfig().replace("    server:", "    certificate-authority: /gone/ca.pem\n    server:") },
      options: { kubeconfig: "/k.yaml" },
      problem: /^\/k\.yaml: cluster "c-ctx": certificate-authority \/gone\/ca\.pem does not exist$/,
    },
    {
      name: "KUBECONFIG naming only missing files",
      files: {},
      options: { env: { KUBECONFIG: "/a.yaml:/b.yaml" } },
      problem: /^KUBECONFIG names \/a\.yaml, \/b\.yaml, and none of them exists; fix KUBECONFIG, or unset it/,
    },
    {
      name: "a pod whose service account token is not mounted",
      files: { "/sa/ca.crt": "c" },
      options: { env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" } },
      problem:
        /^running in a pod \(KUBERNETES_SERVICE_HOST=10\.96\.0\.1\) but \/sa\/token is missing; mount the service account token \(automountServiceAccountToken: true\), or pass --kubeconfig or --state DIR$/,
    },
    {
      name: "a broken ~/.kube/config",
      files: { "/home/dev/.kube/config": "current-context: [\n" },
      options: {},
      problem: /^\/home\/dev\/\.kube\/config:\d+:\d+: invalid YAML/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => resolve(c.files, c.options),
        (e: unknown) => {
          assert.ok(e instanceof KubeconfigError, String(e));
          assert.equal(e.exitCode, 2);
          assert.ok(
            e.problems.some((p) => c.problem.test(p)),
            `${JSON.stringify(e.problems)} has no match for ${c.problem}`,
          );
          return true;
        },
      );
    });
  }
});

/** A kubeconfig with contexts `staging` (current) and `prod`, each on its own cluster and user. */
function twoContexts(current = "staging"): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- {name: c-staging, cluster: {server: 'https://staging.example.com:6443'}}",
    "- {name: c-prod, cluster: {server: 'https://prod.example.com:6443'}}",
    "users:",
    "- {name: u-staging, user: {token: s}}",
    "- {name: u-prod, user: {token: p}}",
    "contexts:",
    "- {name: staging, context: {cluster: c-staging, user: u-staging}}",
    "- {name: prod, context: {cluster: c-prod, user: u-prod}}",
    `current-context: "${current}"`,
  ].join("\n");
}

describe("resolveClusterConnection: --context picks a kubeconfig context instead of current-context", () => {
  type Case = { name: string; files: Record<string, string>; options: Omit<ConnectionOptions, "readFile" | "exists">; source: ClusterConnection["source"] };
  const cases: Case[] = [
    { name: "from --kubeconfig", files: { "/k.yaml": twoContexts() }, options: { kubeconfig: "/k.yaml", context: "prod" }, source: "--kubeconfig" },
    { name: "from KUBECONFIG", files: { "/k.yaml": twoContexts() }, options: { env: { KUBECONFIG: "/k.yaml" }, context: "prod" }, source: "KUBECONFIG" },
    { name: "from ~/.kube/config", files: { "/home/dev/.kube/config": twoContexts() }, options: { context: "prod" }, source: "~/.kube/config" },
    {
      name: "when no current-context is set",
      files: { "/k.yaml": twoContexts("") },
      options: { kubeconfig: "/k.yaml", context: "prod" },
      source: "--kubeconfig",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const connection = resolve(c.files, c.options);
      assert.ok(connection.configured);
      assert.equal(connection.source, c.source);
      assert.equal(connection.context, "prod");
      assert.equal(connection.server, "https://prod.example.com:6443");
      // The client is built from the KubeConfig: its current cluster and user must be the chosen context's.
      assert.equal(connection.config.getCurrentCluster()?.server, "https://prod.example.com:6443");
      assert.equal(connection.config.getCurrentUser()?.name, "u-prod");
      assert.match(connection.description, /^https:\/\/prod\.example\.com:6443 \(context prod from /);
    });
  }

  it("without --context, current-context is used", () => {
    const connection = resolve({ "/k.yaml": twoContexts() }, { kubeconfig: "/k.yaml" });
    assert.ok(connection.configured);
    assert.equal(connection.context, "staging");
  });

  const errors: { name: string; files: Record<string, string>; options: Omit<ConnectionOptions, "readFile" | "exists">; problem: RegExp }[] = [
    {
      name: "a context the kubeconfig does not define, listing the contexts",
      files: { "/k.yaml": twoContexts() },
      options: { kubeconfig: "/k.yaml", context: "qa" },
      problem: /^\/k\.yaml: --context "qa" names no context; contexts are: staging, prod$/,
    },
    {
      name: "an empty context",
      files: { "/k.yaml": twoContexts() },
      options: { kubeconfig: "/k.yaml", context: "" },
      problem: /^--context is empty; pass the name of a context in the kubeconfig/,
    },
    {
      name: "a context in a pod, where the service account has none",
      files: { "/sa/token": "t", "/sa/ca.crt": "c" },
      options: { env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" }, context: "prod" },
      problem: /^--context prod: the in-cluster service account has no contexts to choose from; pass --kubeconfig FILE/,
    },
    {
      name: "a context with no kubeconfig anywhere (never local mode)",
      files: {},
      options: { context: "prod" },
      problem: /^--context prod: no kubeconfig to take it from \(.*\/home\/dev\/\.kube\/config does not exist\); pass --kubeconfig FILE$/,
    },
  ];
  for (const c of errors) {
    it(`is an error for ${c.name}`, () => {
      assert.throws(
        () => resolve(c.files, c.options),
        (e: unknown) => {
          assert.ok(e instanceof KubeconfigError, String(e));
          assert.ok(
            e.problems.some((p) => c.problem.test(p)),
            `${JSON.stringify(e.problems)} has no match for ${c.problem}`,
          );
          return true;
        },
      );
    });
  }
});
