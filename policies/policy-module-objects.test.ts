import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../core/kube/object-key.ts";
import { NO_POLICY_MODULES } from "./fail-closed-module.ts";
import { policySetFromObjects } from "./policy-module-objects.ts";
import { admissionInput } from "./testing/admission-scenarios.ts";
import { decide } from "./verdict.ts";
import type { PolicySet } from "./engine/module-loader.ts";

function module(name: string, expression: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PolicyModule",
    metadata: { name, managedFields: [{ manager: "kubectl" }] },
    spec: {
      description: "DomainRoute names must not start with bad",
      match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }],
      validations: [{ expression, message: "names must not start with bad" }],
    },
  };
}

const route = (name: string) => ({ apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace: "team-a" }, spec: {} });

function denials(policies: PolicySet, name: string): string[] {
  const verdict = decide(admissionInput("CREATE", route(name)), { policies, config: {}, cluster: {} }, { schema: false, mutate: false, validate: true });
  return verdict.denials.map((d) => d.policy);
}

describe("the cluster's PolicyModule objects as a policy set", () => {
  it("compiles each object into the module of its name, in name order", () => {
    const { policies, failed } = policySetFromObjects([module("z-rule", "true"), module("no-bad", '!object.metadata.name.startsWith("bad")')]);
    assert.deepEqual(
      policies.modules.map((m) => m.name),
      ["no-bad", "z-rule"],
    );
    assert.deepEqual(failed, []);
    assert.deepEqual(denials(policies, "bad-shop"), ["no-bad"]);
    assert.deepEqual(denials(policies, "shop"), []);
  });

  it("keeps a module that does not compile as a stand-in that denies what it matches, and names it", () => {
    const { policies, failed } = policySetFromObjects([module("broken", "object.metadata.name.nosuchfunction(")]);
    assert.deepEqual(
      failed.map((f) => f.name),
      ["broken"],
    );
    assert.ok(failed[0]!.problems.length > 0);
    assert.deepEqual(denials(policies, "shop"), ["broken"]);
  });

  it("fails closed when the cluster holds no PolicyModule at all", () => {
    const { policies } = policySetFromObjects([]);
    assert.deepEqual(denials(policies, "shop"), [NO_POLICY_MODULES]);
  });
});
