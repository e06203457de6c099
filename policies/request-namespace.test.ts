// request.namespace is the namespace (issue 10, item 5): an object or stored
// object naming another one is denied before any policy reads it. Through
// decide(), with the real library, so the tests show what the rule prevents:
// team-b judged with team-a's grants.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AdmissionInput } from "./engine/types.ts";
import { decide, REQUEST_NAMESPACE_RULE } from "./verdict.ts";
import type { Verdict } from "./verdict.ts";
import { admissionInput, domainRoute, grant, scenarioEnvironment, terminating, withMetadata } from "./testing/admission-scenarios.ts";

const ENVIRONMENT = scenarioEnvironment();

/** team-a's granted route; written from team-b it must be judged as team-b's. */
const teamARoute = domainRoute("team-a", "web", { domain: "web.shop.example.com" });
const inTeamB = (object: Record<string, unknown>) => withMetadata(object, { namespace: "team-b", uid: "uid-team-b-web" });

const denyingPolicies = (verdict: Verdict) => [...new Set(verdict.denials.map((d) => d.policy))].sort();

describe("decide denies an object that names another namespace than its request", () => {
  const cases: Array<{ name: string; input: AdmissionInput; message: string }> = [
    {
      name: "a CREATE in team-b of an object claiming team-a is denied, naming both namespaces",
      input: admissionInput("CREATE", teamARoute, null, "team-b"),
      message:
        'object.metadata.namespace is "team-a", but the request is for namespace "team-b" (request.namespace); an object is written to the namespace of its request, ' +
        "and judging it as another namespace's would use that namespace's grants. " +
        'Remove metadata.namespace or set it to "team-b", or write it to namespace "team-a" instead.',
    },
    {
      name: "an UPDATE whose object claims another namespace is denied",
      input: admissionInput("UPDATE", teamARoute, inTeamB(teamARoute), "team-b"),
      message: 'object.metadata.namespace is "team-a", but the request is for namespace "team-b" (request.namespace);',
    },
    {
      name: "an UPDATE whose stored object is in another namespace is denied: the API server never sends one",
      input: admissionInput("UPDATE", inTeamB(teamARoute), teamARoute, "team-b"),
      message:
        'oldObject.metadata.namespace is "team-a", but the request is for namespace "team-b" (request.namespace); ' +
        "the stored object of a request is always in the request's namespace, so this review was not sent by the API server.",
    },
    {
      name: "a DELETE whose stored object is in another namespace is denied",
      input: admissionInput("DELETE", null, teamARoute, "team-b"),
      message: 'oldObject.metadata.namespace is "team-a", but the request is for namespace "team-b"',
    },
    {
      name: "a namespace that is not a string is denied, saying what it is",
      input: admissionInput("CREATE", withMetadata(teamARoute, { namespace: 7 }), null, "team-a"),
      message: 'object.metadata.namespace is a number, not a namespace name, but the request is for namespace "team-a" (request.namespace);',
    },
    {
      name: "a Terminating object's finalizer release naming another namespace is denied too (the rule comes first)",
      input: admissionInput(
        "UPDATE",
        withMetadata(terminating(teamARoute), { finalizers: [] }),
        withMetadata(terminating(teamARoute), { namespace: "team-b" }),
        "team-b",
      ),
      message: 'object.metadata.namespace is "team-a", but the request is for namespace "team-b"',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const verdict = decide(c.input, ENVIRONMENT);
      assert.equal(verdict.allowed, false);
      assert.deepEqual(denyingPolicies(verdict), [REQUEST_NAMESPACE_RULE]);
      assert.equal(verdict.denials.length, 1, JSON.stringify(verdict.denials));
      const [denial] = verdict.denials;
      assert.equal(denial!.field, "metadata.namespace");
      assert.equal(denial!.reason, "BadRequest");
      assert.ok(denial!.message.startsWith(c.message), denial!.message);
      assert.deepEqual(verdict.applied, { policies: [REQUEST_NAMESPACE_RULE], schema: false });
    });
  }

  test("the control: the same object sent to its own namespace is admitted", () => {
    const verdict = decide(admissionInput("CREATE", teamARoute, null, "team-a"), ENVIRONMENT);
    assert.equal(verdict.allowed, true, JSON.stringify(verdict.denials));
  });
});

describe("decide takes the namespace from the request when the object names none", () => {
  const nameless = withMetadata(teamARoute, { namespace: undefined });
  const cases: Array<{ name: string; input: AdmissionInput; deniedBy: string[] }> = [
    {
      name: "an object without metadata.namespace in team-a's request is judged as team-a's, and admitted",
      input: admissionInput("CREATE", nameless, null, "team-a"),
      deniedBy: [],
    },
    {
      name: "the same object in team-b's request is judged as team-b's, and not granted",
      input: admissionInput("CREATE", nameless, null, "team-b"),
      deniedBy: ["hostname-granted"],
    },
    {
      name: "an empty metadata.namespace is no namespace (the API server fills it in)",
      input: admissionInput("CREATE", withMetadata(teamARoute, { namespace: "" }), null, "team-b"),
      deniedBy: ["hostname-granted"],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(denyingPolicies(decide(c.input, ENVIRONMENT)), c.deniedBy));
  }
});

describe("decide leaves cluster-scoped kinds alone", () => {
  test("a HostnameGrant (no request.namespace) is not denied for its namespace", () => {
    const hostnameGrant = grant("g", ["team-a"], ["x.example.com"]);
    for (const object of [hostnameGrant, withMetadata(hostnameGrant, { namespace: "team-a" })]) {
      const verdict = decide(admissionInput("CREATE", object, null, null), ENVIRONMENT);
      assert.equal(
        verdict.denials.some((d) => d.policy === REQUEST_NAMESPACE_RULE),
        false,
        JSON.stringify(verdict.denials),
      );
    }
  });
});
