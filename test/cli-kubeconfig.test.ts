// `hostgate check|audit|diff --kubeconfig FILE [--context NAME]`: the cluster's
// objects listed through the ListWatchClient port. The kubeconfig is a real
// file, resolved as in real use; the API server its context names is an
// in-memory one (ServedVersionsClient over FakeListWatchClient), handed to the
// commands as their dependency. A cluster holding the example state answers
// exactly as a state folder holding the same objects does.
import { POLICY_MODULES } from "../core/state/policy-modules-resource.ts";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { join } from "node:path";
import { describe, test } from "node:test";
import { KubeApiError } from "../core/kube/api-error.ts";
import type { ClusterConnection } from "../core/kube/cluster-connection.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { FakeListWatchClient } from "../core/kube/testing/fake-list-watch.ts";
import { writeKubeconfig } from "../core/kube/testing/kubeconfig-file.ts";
import { ServedVersionsClient } from "../core/kube/testing/served-versions.ts";
import { AUDITED_RESOURCES, auditedResourceRef } from "../core/state/audited-resources.ts";
import type { AuditResult } from "../policies/audit/audit-result.ts";
import { AUDIT_COMMAND, runAudit } from "../core/cli/audit-command.ts";
import { readObjects } from "../core/cli/audit-input.ts";
import { CHECK_USAGE, runCheck } from "../core/cli/check.ts";
import { DIFF_COMMAND, runDiff } from "../core/cli/diff-command.ts";
import { main } from "../core/cli/main.ts";
import { EXAMPLES, hostgate, LIBRARY, STACK_TRACE, tempDir } from "./fixtures.ts";

const STATE = join(EXAMPLES, "state");
const ROUTE = join(EXAMPLES, "routes", "team-a-catalog.yaml");
const STAGING = "https://staging.example.com:6443";
const PROD = "https://prod.example.com:6443";
const KUBECONFIG = writeKubeconfig({ staging: STAGING, prod: PROD }, "staging");

/** The example state's audited kinds (DomainClaims are not audited, so a cluster read leaves them out). */
const AUDITED_STATE = (() => {
  const dir = tempDir("audited-state");
  for (const file of ["domain-routes.yaml", "hostname-grants.yaml"]) copyFileSync(join(STATE, file), join(dir, file));
  return dir;
})();

const resourceOf = (object: { apiVersion?: unknown; kind?: unknown }) => {
  const group = String(object.apiVersion).split("/")[0];
  const found = AUDITED_RESOURCES.find((r) => r.kind === object.kind && r.group === group);
  assert.ok(found !== undefined, `no audited resource for ${String(object.apiVersion)} ${String(object.kind)}`);
  return found;
};

/** An in-memory cluster serving every audited kind at every version, holding `objects`. */
function clusterOf(objects: readonly KubeObject[]): { server: FakeListWatchClient; client: ServedVersionsClient } {
  const server = new FakeListWatchClient();
  const client = new ServedVersionsClient(server);
  for (const r of AUDITED_RESOURCES) client.install(r, ...r.versions);
  for (const object of objects) {
    const r = resourceOf(object);
    server.put(auditedResourceRef(r, r.versions[0]!), object);
  }
  return { server, client };
}

/** A cluster holding every object of the example state folder the audit reads. */
async function exampleCluster() {
  return clusterOf((await readObjects(AUDITED_STATE)) as KubeObject[]);
}

/** main() with the three commands reading, for any --kubeconfig, the cluster its context's server names. */
function hostgateOn(clusters: Readonly<Record<string, ServedVersionsClient>>, ...argv: string[]) {
  const deps = {
    clientFor: (connection: ClusterConnection) => {
      const client = clusters[connection.server];
      assert.ok(client !== undefined, `no cluster at ${connection.server}`);
      return client;
    },
  };
  return main(argv, {
    check: { summary: "check", usage: CHECK_USAGE, run: (args) => runCheck(args, deps) },
    audit: { ...AUDIT_COMMAND, run: (args) => runAudit(args, deps) },
    diff: { ...DIFF_COMMAND, run: (args) => runDiff(args, deps) },
  });
}

const onStaging = (client: ServedVersionsClient, ...argv: string[]) => hostgateOn({ [STAGING]: client }, ...argv, "--kubeconfig", KUBECONFIG);

const REGION_POLICIES = AUDITED_RESOURCES.find((r) => r.kind === "RegionPolicy")!;
const DOMAIN_ROUTES = AUDITED_RESOURCES.find((r) => r.kind === "DomainRoute")!;
const HTTP_ROUTES = AUDITED_RESOURCES.find((r) => r.kind === "HTTPRoute")!;
const COMMANDS = [["audit"], ["diff", "--policies", LIBRARY], ["check", "-f", ROUTE]];

describe("hostgate check, audit and diff --kubeconfig", () => {
  const same: Array<{ name: string; args: string[] }> = [
    { name: "audit", args: ["audit", "-o", "json"] },
    { name: "audit as text", args: ["audit"] },
    { name: "diff", args: ["diff", "--policies", LIBRARY, "-o", "json"] },
    { name: "check", args: ["check", "-f", ROUTE, "-o", "json"] },
  ];
  for (const c of same) {
    test(`${c.name} over a cluster holding the example state answers as over a state folder holding the same objects`, async () => {
      const fromFolder = await hostgate(...c.args, "--state", AUDITED_STATE);
      const fromCluster = await onStaging((await exampleCluster()).client, ...c.args);
      assert.equal(fromCluster.stderr, "", fromCluster.stderr);
      assert.equal(fromCluster.exitCode, fromFolder.exitCode);
      assert.equal(fromCluster.stdout, fromFolder.stdout);
      assert.ok(fromCluster.stdout.length > 0);
    });
  }

  test("audit judges an HTTPRoute in the cluster whose hostname is not granted: hostname-granted fails, exit 1", async () => {
    const rogue: KubeObject = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { namespace: "team-b", name: "takeover" },
      spec: {
        parentRefs: [{ name: "public", namespace: "istio-system" }],
        hostnames: ["shop.example.com"],
        rules: [{ backendRefs: [{ name: "x", port: 80 }] }],
      },
    };
    const { client } = clusterOf([...((await readObjects(AUDITED_STATE)) as KubeObject[]), rogue]);
    const result = await onStaging(client, "audit", "-o", "json");
    assert.equal(result.exitCode, 1, result.stderr);
    const { results } = JSON.parse(result.stdout) as { results: AuditResult[] };
    const failed = results.filter((r) => r.outcome === "fail" || r.outcome === "error");
    assert.deepEqual(
      failed.map((r) => [r.subject.apiVersion, r.subject.kind, r.subject.namespace, r.subject.name, r.policy, r.outcome]),
      [["gateway.networking.k8s.io/v1", "HTTPRoute", "team-b", "takeover", "hostname-granted", "fail"]],
    );
    assert.match(failed[0]!.messages.join("\n"), /shop\.example\.com/);
  });

  test("audit reads an HTTPRoute at v1beta1 when the cluster does not serve v1", async () => {
    const server = new FakeListWatchClient();
    const client = new ServedVersionsClient(server);
    for (const r of AUDITED_RESOURCES) client.install(r, r === HTTP_ROUTES ? "v1beta1" : r.versions[0]!);
    server.put(auditedResourceRef(HTTP_ROUTES, "v1beta1"), { metadata: { namespace: "team-b", name: "api" }, spec: { hostnames: ["api.example.com"] } });
    const result = await onStaging(client, "audit", "-o", "json");
    const { results } = JSON.parse(result.stdout) as { results: AuditResult[] };
    assert.deepEqual([...new Set(results.map((r) => `${r.subject.apiVersion} ${r.subject.kind}`))], ["gateway.networking.k8s.io/v1beta1 HTTPRoute"]);
    assert.ok(client.lists.includes("httproutes.gateway.networking.k8s.io/v1"), "v1 was tried first");
  });

  test("a kind the cluster does not serve (its CRD not installed) is read as none, with a note", async () => {
    const { client } = await exampleCluster();
    const server = new FakeListWatchClient();
    const partial = new ServedVersionsClient(server);
    for (const r of AUDITED_RESOURCES) if (r !== REGION_POLICIES) partial.install(r, ...r.versions);
    for (const object of await readObjects(AUDITED_STATE)) {
      const r = resourceOf(object);
      server.put(auditedResourceRef(r, r.versions[0]!), object as KubeObject);
    }
    const fromCluster = await onStaging(partial, "audit", "-o", "json");
    const fromFull = await onStaging(client, "audit", "-o", "json");
    assert.equal(fromCluster.exitCode, fromFull.exitCode);
    assert.equal(fromCluster.stdout, fromFull.stdout);
    assert.equal(fromCluster.stderr, "audit: the cluster serves no regionpolicies.hostgate.dev at v1alpha1 (404; its CRD is not installed): read as none\n");
  });

  const failures: Array<{ name: string; resource: typeof DOMAIN_ROUTES; error: KubeApiError; message: RegExp }> = [
    {
      name: "an unreachable API server",
      resource: DOMAIN_ROUTES,
      error: new KubeApiError("cannot reach the API server at https://10.0.0.1:6443: ECONNREFUSED", 0, "NetworkError"),
      message: /cannot list domainroutes\.hostgate\.dev from fake API server: cannot reach the API server at https:\/\/10\.0\.0\.1:6443: ECONNREFUSED$/m,
    },
    {
      name: "credentials the API server refuses",
      resource: DOMAIN_ROUTES,
      error: new KubeApiError("401 Unauthorized: Unauthorized", 401, "Unauthorized"),
      message: /cannot list domainroutes\.hostgate\.dev from fake API server: 401 Unauthorized: Unauthorized$/m,
    },
    {
      name: "RBAC that forbids listing HTTPRoutes",
      resource: HTTP_ROUTES,
      error: new KubeApiError(
        '403 Forbidden: httproutes.gateway.networking.k8s.io is forbidden: User "dev" cannot list resource "httproutes"',
        403,
        "Forbidden",
      ),
      message:
        /cannot list httproutes\.gateway\.networking\.k8s\.io from fake API server: 403 Forbidden: .*; RBAC must allow this identity to list httproutes\.gateway\.networking\.k8s\.io in every namespace/,
    },
  ];
  for (const command of COMMANDS) {
    for (const f of failures) {
      test(`${command[0]} against ${f.name} exits 2 with a one-line message naming the resource, no stack trace`, async () => {
        const { server, client } = await exampleCluster();
        server.failLists(auditedResourceRef(f.resource, f.resource.versions[0]!), f.error);
        const result = await onStaging(client, ...command);
        assert.equal(result.exitCode, 2, result.stderr);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, new RegExp(`^hostgate ${command[0]}: unusable input:\\n {2}${command[0]}: [^\\n]*\\n$`));
        assert.match(result.stderr, f.message);
        assert.doesNotMatch(result.stderr, STACK_TRACE);
      });
    }

    test(`${command[0]} with both --state and --kubeconfig is a usage error (exit 2)`, async () => {
      const result = await onStaging((await exampleCluster()).client, ...command, "--state", STATE);
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`${command[0]}: --state and --kubeconfig both name the cluster's objects; pass one`));
    });

    test(`${command[0]} with a --kubeconfig file that does not exist exits 2 naming it`, async () => {
      const result = await hostgate(...command, "--kubeconfig", join(EXAMPLES, "no-such-kubeconfig"));
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, /--kubeconfig .*no-such-kubeconfig: no such file/);
      assert.doesNotMatch(result.stderr, STACK_TRACE);
    });

    test(`${command[0]} --context reads the cluster of that context instead of current-context's`, async () => {
      const staging = (await exampleCluster()).client;
      const prod = clusterOf([]).client;
      const clusters = { [STAGING]: staging, [PROD]: prod };
      await hostgateOn(clusters, ...command, "--kubeconfig", KUBECONFIG, "--context", "prod");
      assert.ok(prod.lists.length > 0, "prod was read");
      assert.deepEqual(staging.lists, [], "staging (current-context) was not");
      await hostgateOn(clusters, ...command, "--kubeconfig", KUBECONFIG);
      assert.ok(staging.lists.length > 0, "without --context, current-context's cluster is read");
    });

    test(`${command[0]} --context naming no context of the kubeconfig exits 2 listing the contexts`, async () => {
      const result = await hostgateOn({}, ...command, "--kubeconfig", KUBECONFIG, "--context", "qa");
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, /--context "qa" names no context; contexts are: staging, prod/);
      assert.doesNotMatch(result.stderr, STACK_TRACE);
    });

    test(`${command[0]} --context without --kubeconfig is a usage error (exit 2)`, async () => {
      const result = await hostgate(...command, "--context", "prod");
      assert.equal(result.exitCode, 2, result.stderr);
      const expected = `${command[0]}: --context prod chooses a context of the --kubeconfig file, and none is given; pass --kubeconfig FILE too`;
      assert.match(result.stderr, new RegExp(expected));
    });
  }

  test("audit over a cluster leaves DomainClaims out: no webhook judges them", async () => {
    const { client } = await exampleCluster();
    const fromCluster = JSON.parse((await onStaging(client, "audit", "-o", "json")).stdout) as { summary: { objects: number } };
    assert.equal(fromCluster.summary.objects, (await readObjects(AUDITED_STATE)).length);
    assert.ok(client.lists.every((l) => !l.startsWith("domainclaims.")));
  });

  for (const command of ["check", "audit", "diff"]) {
    test(`${command} --help names --kubeconfig and --context`, async () => {
      const result = await hostgate(command, "--help");
      assert.match(result.stdout, /--kubeconfig FILE/);
      assert.match(result.stdout, /--context NAME {7}the --kubeconfig context to use \(default: its current-context\)/);
    });
  }
});

describe("hostgate check, audit and diff --policies-from cluster", () => {
  /** The built-in library as deploy/ installs it: PolicyModule objects. */
  const LIBRARY_OBJECTS = parseAllDocuments(readFileSync(join(LIBRARY, "..", "..", "deploy", "base", "policy-modules.yaml"), "utf8")).map(
    (d) => d.toJS() as KubeObject,
  );
  const ROGUE: KubeObject = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { namespace: "team-b", name: "takeover" },
    spec: { parentRefs: [{ name: "public", namespace: "istio-system" }], hostnames: ["shop.example.com"], rules: [{ backendRefs: [{ name: "x", port: 80 }] }] },
  };

  /** A cluster holding the example state (plus `extra`) and these PolicyModules. */
  async function clusterWithModules(modules: readonly KubeObject[], extra: readonly KubeObject[] = []) {
    const { server, client } = clusterOf([...((await readObjects(AUDITED_STATE)) as KubeObject[]), ...extra]);
    client.install(POLICY_MODULES, "v1alpha1");
    for (const module of modules) server.put(POLICY_MODULES, module);
    return client;
  }

  test("audit judges by the cluster's PolicyModules: the library installed as objects answers as the library's files", async () => {
    const client = await clusterWithModules(LIBRARY_OBJECTS, [ROGUE]);
    const fromModules = await onStaging(client, "audit", "-o", "json", "--policies-from", "cluster");
    const fromFiles = await onStaging(client, "audit", "-o", "json", "--policies", LIBRARY);
    assert.equal(fromModules.stderr, "");
    assert.equal(fromModules.exitCode, 1);
    assert.equal(fromModules.stdout, fromFiles.stdout);
    assert.ok(client.lists.includes("policymodules.hostgate.dev/v1alpha1"));
  });

  test("diff --policies-from cluster compares what the cluster enforces with the proposed files", async () => {
    // The cluster lacks hostname-granted: restoring it would deny the rogue HTTPRoute that is there today.
    const client = await clusterWithModules(
      LIBRARY_OBJECTS.filter((m) => m.metadata?.name !== "hostname-granted"),
      [ROGUE],
    );
    const result = await onStaging(client, "diff", "-o", "json", "--policies-from", "cluster", "--policies", LIBRARY);
    assert.equal(result.exitCode, 1, result.stderr);
    const diff = JSON.parse(result.stdout) as { newlyDenied: Array<{ subject: { kind: string; name: string }; policy: string }> };
    assert.deepEqual(
      diff.newlyDenied.map((c) => `${c.subject.kind}/${c.subject.name} ${c.policy}`),
      ["HTTPRoute/takeover hostname-granted"],
    );
  });

  test("check --policies-from cluster judges a route by a module only the cluster has", async () => {
    const noCatalog: KubeObject = {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name: "no-catalog" },
      spec: {
        description: "no route may be named catalog",
        match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }],
        validations: [{ expression: "object.metadata.name != 'catalog'", message: "catalog is reserved" }],
      },
    };
    const client = await clusterWithModules([noCatalog]);
    const result = await onStaging(client, "check", "-f", ROUTE, "--policies-from", "cluster");
    assert.equal(result.exitCode, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /no-catalog: catalog is reserved/);
  });

  test("a PolicyModule that cannot load is judged as the webhook judges it, denying what it matches, with a note", async () => {
    const broken: KubeObject = {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name: "broken" },
      spec: {
        description: "does not compile",
        match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }],
        validations: [{ expression: "object.spec.(", message: "never" }],
      },
    };
    const client = await clusterWithModules([broken]);
    const result = await onStaging(client, "check", "-f", ROUTE, "--policies-from", "cluster");
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /check: PolicyModule broken cannot load, so it is judged as the webhook judges it, denying what it matches: /);
    assert.match(result.stdout, /policy module "broken" is installed but cannot load/);
  });

  const usage: Array<{ name: string; argv: string[]; message: RegExp }> = [
    {
      name: "without --kubeconfig",
      argv: ["audit", "--policies-from", "cluster"],
      message: /audit: --policies-from cluster reads the PolicyModules of a live cluster; pass --kubeconfig FILE too/,
    },
    {
      name: "with --policies on audit",
      argv: ["audit", "--policies-from", "cluster", "--policies", LIBRARY, "--kubeconfig", KUBECONFIG],
      message: /audit: --policies and --policies-from cluster both name the policies in force; pass one/,
    },
    {
      name: "with --policies on check",
      argv: ["check", "-f", ROUTE, "--policies-from", "cluster", "--policies", LIBRARY, "--kubeconfig", KUBECONFIG],
      message: /check: --policies and --policies-from cluster/,
    },
    {
      name: "with --current on diff",
      argv: ["diff", "--policies", LIBRARY, "--current", LIBRARY, "--policies-from", "cluster", "--kubeconfig", KUBECONFIG],
      message: /diff: --current and --policies-from cluster/,
    },
    { name: "with another value", argv: ["audit", "--policies-from", "crd"], message: /audit: --policies-from must be files or cluster \(got "crd"\)/ },
  ];
  for (const c of usage) {
    test(`--policies-from cluster ${c.name} is a usage error (exit 2)`, async () => {
      const result = await hostgate(...c.argv);
      assert.equal(result.exitCode, 2);
      assert.match(result.stderr, c.message);
      assert.doesNotMatch(result.stderr, STACK_TRACE);
    });
  }
});
