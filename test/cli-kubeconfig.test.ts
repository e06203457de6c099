// `hostgate check|audit|diff --kubeconfig FILE`: the cluster's objects listed
// through the ObjectApi port, here the in-memory API server handed to the
// commands as their dependency. A cluster holding the example state answers
// exactly as the example state folder does.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { KubeApiError } from "../core/kube/api-error.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { AUDIT_COMMAND, runAudit } from "../core/cli/audit-command.ts";
import { readObjects } from "../core/cli/audit-input.ts";
import { CHECK_USAGE, runCheck } from "../core/cli/check.ts";
import { STATE_RESOURCES } from "../core/cli/cluster-objects.ts";
import { DIFF_COMMAND, runDiff } from "../core/cli/diff-command.ts";
import { main } from "../core/cli/main.ts";
import { EXAMPLES, hostgate, LIBRARY, STACK_TRACE } from "./fixtures.ts";

const STATE = join(EXAMPLES, "state");
const ROUTE = join(EXAMPLES, "routes", "team-a-catalog.yaml");

/** An in-memory cluster holding every object of the example state folder. */
async function exampleCluster(): Promise<FakeKubeApi> {
  const api = new FakeKubeApi();
  for (const object of await readObjects(STATE)) {
    const resource = STATE_RESOURCES.find((r) => r.kind === object.kind);
    assert.ok(resource !== undefined, `no resource for ${object.kind}`);
    api.server.put(resource, object as KubeObject);
  }
  return api;
}

/** main() with the three commands reading `api` for any --kubeconfig. */
function hostgateOn(api: FakeKubeApi, ...argv: string[]) {
  const deps = { clientFor: () => api };
  return main(argv, {
    check: { summary: "check", usage: CHECK_USAGE, run: (args) => runCheck(args, deps) },
    audit: { ...AUDIT_COMMAND, run: (args) => runAudit(args, deps) },
    diff: { ...DIFF_COMMAND, run: (args) => runDiff(args, deps) },
  });
}

const REGION_POLICIES = STATE_RESOURCES.find((r) => r.kind === "RegionPolicy")!;
const DOMAIN_ROUTES = STATE_RESOURCES.find((r) => r.kind === "DomainRoute")!;

describe("hostgate check, audit and diff --kubeconfig", () => {
  const same: Array<{ name: string; args: string[] }> = [
    { name: "audit", args: ["audit", "-o", "json"] },
    { name: "audit as text", args: ["audit"] },
    { name: "diff", args: ["diff", "--policies", LIBRARY, "-o", "json"] },
    { name: "check", args: ["check", "-f", ROUTE, "-o", "json"] },
  ];
  for (const c of same) {
    test(`${c.name} over a cluster holding the example state answers as over the state folder`, async () => {
      const fromFolder = await hostgate(...c.args, "--state", STATE);
      const fromCluster = await hostgateOn(await exampleCluster(), ...c.args, "--kubeconfig", "fake-kubeconfig");
      assert.equal(fromCluster.stderr, "", fromCluster.stderr);
      assert.equal(fromCluster.exitCode, fromFolder.exitCode);
      assert.equal(fromCluster.stdout, fromFolder.stdout);
      assert.ok(fromCluster.stdout.length > 0);
    });
  }

  test("a kind the cluster does not serve (404) is read as none, with a note", async () => {
    const api = await exampleCluster();
    api.server.failLists(REGION_POLICIES, new KubeApiError("404 NotFound: the server could not find the requested resource", 404, "NotFound"));
    const fromCluster = await hostgateOn(api, "audit", "-o", "json", "--kubeconfig", "fake-kubeconfig");
    const fromFolder = await hostgate("audit", "-o", "json", "--state", STATE);
    assert.equal(fromCluster.exitCode, fromFolder.exitCode);
    assert.equal(fromCluster.stdout, fromFolder.stdout);
    assert.equal(fromCluster.stderr, "audit: the cluster serves no regionpolicies.hostgate.dev (404; its CRD is not installed): read as none\n");
  });

  const failures: Array<{ name: string; error: KubeApiError; message: RegExp }> = [
    {
      name: "an unreachable API server",
      error: new KubeApiError("cannot reach the API server at https://10.0.0.1:6443: ECONNREFUSED", 0, "NetworkError"),
      message: /cannot list domainroutes\.hostgate\.dev from in-memory API server: cannot reach the API server at https:\/\/10\.0\.0\.1:6443: ECONNREFUSED/,
    },
    {
      name: "credentials the API server refuses",
      error: new KubeApiError("401 Unauthorized: Unauthorized", 401, "Unauthorized"),
      message: /cannot list domainroutes\.hostgate\.dev from in-memory API server: 401 Unauthorized/,
    },
  ];
  for (const command of [["audit"], ["diff", "--policies", LIBRARY], ["check", "-f", ROUTE]]) {
    for (const f of failures) {
      test(`${command[0]} against ${f.name} exits 2 with a one-line message, no stack trace`, async () => {
        const api = await exampleCluster();
        api.server.failLists(DOMAIN_ROUTES, f.error);
        const result = await hostgateOn(api, ...command, "--kubeconfig", "fake-kubeconfig");
        assert.equal(result.exitCode, 2, result.stderr);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, new RegExp(`^hostgate ${command[0]}: unusable input:\\n {2}${command[0]}: `));
        assert.match(result.stderr, f.message);
        assert.doesNotMatch(result.stderr, STACK_TRACE);
      });
    }

    test(`${command[0]} with both --state and --kubeconfig is a usage error (exit 2)`, async () => {
      const result = await hostgateOn(await exampleCluster(), ...command, "--state", STATE, "--kubeconfig", "fake-kubeconfig");
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`${command[0]}: --state and --kubeconfig both name the cluster's objects; pass one`));
    });

    test(`${command[0]} with a --kubeconfig file that does not exist exits 2 naming it`, async () => {
      const result = await hostgate(...command, "--kubeconfig", join(EXAMPLES, "no-such-kubeconfig"));
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, /--kubeconfig .*no-such-kubeconfig: no such file/);
      assert.doesNotMatch(result.stderr, STACK_TRACE);
    });
  }
});
