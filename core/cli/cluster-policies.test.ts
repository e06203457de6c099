import assert from "node:assert/strict";
import { POLICY_MODULES } from "../state/policy-modules-resource.ts";
import { describe, it } from "node:test";
import { KubeApiError } from "../kube/api-error.ts";
import type { KubeObject } from "../kube/object-key.ts";
import { FakeKubeApi } from "../kube/testing/fake-kube-api.ts";
import { UsageError } from "../errors.ts";
import { readClusterPolicies } from "./cluster-policies.ts";

function module(name: string, expression: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PolicyModule",
    metadata: { name },
    spec: {
      description: "a rule",
      match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }],
      validations: [{ expression, message: "refused" }],
    },
  };
}

describe("--policies-from cluster: the set the cluster's webhook enforces", () => {
  it("compiles every PolicyModule listed, in name order, with no note when all load", async () => {
    const api = new FakeKubeApi();
    api.server.put(POLICY_MODULES, module("b-rule", "true"));
    api.server.put(POLICY_MODULES, module("a-rule", "true"));
    const { policies, notes } = await readClusterPolicies("audit", api);
    assert.deepEqual(
      policies.modules.map((m) => m.name),
      ["a-rule", "b-rule"],
    );
    assert.deepEqual(notes, []);
  });

  it("judges a module that cannot load as the webhook does (its fail-closed stand-in) and says so", async () => {
    const api = new FakeKubeApi();
    api.server.put(POLICY_MODULES, module("broken", "object.spec.("));
    const { policies, notes } = await readClusterPolicies("audit", api);
    assert.deepEqual(
      policies.modules.map((m) => m.name),
      ["broken"],
    );
    assert.equal(policies.modules[0]!.validations[0]!.action, "Deny");
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /^audit: PolicyModule broken cannot load, so it is judged as the webhook judges it, denying what it matches: /);
  });

  it("says the set denies everything when the cluster holds no PolicyModule", async () => {
    const { policies, notes } = await readClusterPolicies("diff", new FakeKubeApi());
    assert.deepEqual(
      policies.modules.map((m) => m.name),
      ["no-policy-modules"],
    );
    assert.deepEqual(notes, ["diff: the cluster holds no PolicyModule, so its webhook denies everything it is sent; judged the same here"]);
  });

  const failures: Array<{ name: string; error: KubeApiError; message: RegExp }> = [
    {
      name: "a cluster without the PolicyModule CRD",
      error: new KubeApiError("not found", 404, "NotFound"),
      message: /serves no policymodules\.hostgate\.dev .*pass --policies DIR instead/,
    },
    {
      name: "a caller RBAC does not allow",
      error: new KubeApiError("forbidden", 403, "Forbidden"),
      message: /RBAC must allow list on policymodules\.hostgate\.dev/,
    },
  ];
  for (const c of failures) {
    it(`is a usage error (exit 2) for ${c.name}`, async () => {
      const api = new FakeKubeApi();
      api.server.failLists(POLICY_MODULES, c.error);
      await assert.rejects(readClusterPolicies("check", api), (error: unknown) => error instanceof UsageError && c.message.test(error.message));
    });
  }
});
