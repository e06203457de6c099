import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { loadPolicySet } from "../../policies/engine/module-loader.ts";
import { LIBRARY } from "../../test/fixtures.ts";
import { poolConfig } from "../edge/testing/pool-config.ts";
import { auditExistingObjects, auditExistingObjectsSliced } from "./background-audit.ts";
import type { AuditPass } from "./background-audit.ts";
import type { AuditedKindState } from "../../core/state/existing-objects.ts";
import type { AuditedResource } from "../../core/state/audited-resources.ts";
import { FakeExistingObjects, grant, HTTP_ROUTES, httpRoute, VIRTUAL_SERVICES, virtualService } from "./testing/existing-objects.ts";

const config = poolConfig({}, "none");
const policies = loadPolicySet([join(LIBRARY, "hostname-granted.yaml")]);
const teamAShop = grant("team-a-shop", ["team-a"], ["shop.example.com"]);

/** `Kind namespace/name policy outcome` of each result of a pass over `objects`, with the kinds in `states`. */
function judge(objects: KubeObject[], states: [AuditedResource, AuditedKindState][] = []): string[] | { unjudged: string[] } {
  return described(auditExistingObjects(snapshotOf(objects, states), config, policies));
}

function snapshotOf(objects: KubeObject[], states: [AuditedResource, AuditedKindState][]) {
  const holder = new FakeExistingObjects();
  holder.set(...objects);
  for (const [resource, state] of states) holder.state(resource, state);
  return holder.snapshot();
}

/** The same pass in slices of one object each (a clock that moves 1 ms per reading, a 1 ms slice). */
async function judgeSliced(objects: KubeObject[], states: [AuditedResource, AuditedKindState][] = []): Promise<string[] | { unjudged: string[] }> {
  let t = 0;
  const pass = await auditExistingObjectsSliced(snapshotOf(objects, states), config, policies, { sliceMs: 1, now: () => t++, yieldToLoop: async () => {} });
  assert.ok(pass !== undefined, "never superseded here");
  return described(pass);
}

function described(pass: AuditPass): string[] | { unjudged: string[] } {
  if (!pass.publish) return { unjudged: pass.unjudged.map((k) => `${k.resource} ${k.state}: ${k.reason}`) };
  return pass.results.map((r) => `${r.subject.kind} ${r.subject.namespace}/${r.subject.name} ${r.policy} ${r.outcome}`);
}

describe("auditExistingObjects", () => {
  const cases: { name: string; objects: KubeObject[]; states?: [AuditedResource, AuditedKindState][]; want: string[] | { unjudged: string[] } }[] = [
    {
      name: "judges an HTTPRoute with a hostname not granted to its namespace as failing hostname-granted",
      objects: [teamAShop, httpRoute("team-a", "shop", ["shop.other.example.com"])],
      want: ["HTTPRoute team-a/shop hostname-granted fail"],
    },
    {
      name: "judges an HTTPRoute whose hostnames are granted to its namespace (by a grant in the same snapshot) as passing",
      objects: [teamAShop, httpRoute("team-a", "shop", ["shop.example.com"])],
      want: ["HTTPRoute team-a/shop hostname-granted pass"],
    },
    {
      name: "judges a gateway-bound VirtualService with a host not granted to its namespace as failing hostname-granted",
      objects: [teamAShop, virtualService("team-a", "shop", ["shop.other.example.com"])],
      want: ["VirtualService team-a/shop hostname-granted fail"],
    },
    {
      name: "judges a kind that is not served as having no objects, and still publishes the others",
      objects: [teamAShop, httpRoute("team-a", "shop", ["shop.example.com"]), virtualService("team-a", "shop", ["shop.other.example.com"])],
      states: [[VIRTUAL_SERVICES, { kind: "not-served" }]],
      want: ["HTTPRoute team-a/shop hostname-granted pass"],
    },
    {
      name: "publishes nothing while a kind is pending, naming it and the holder's reason",
      objects: [teamAShop, virtualService("team-a", "shop", ["shop.example.com"])],
      states: [[HTTP_ROUTES, { kind: "pending", reason: "RBAC must allow list/watch on httproutes.gateway.networking.k8s.io" }]],
      want: { unjudged: ["httproutes.gateway.networking.k8s.io pending: RBAC must allow list/watch on httproutes.gateway.networking.k8s.io"] },
    },
    {
      name: "publishes nothing when a kind was dropped over the holder's bound, naming the bound",
      objects: [],
      states: [[VIRTUAL_SERVICES, { kind: "dropped", reason: "over the limit of 10 existing objects (--impact-objects-max)" }]],
      want: { unjudged: ["virtualservices.networking.istio.io dropped: over the limit of 10 existing objects (--impact-objects-max)"] },
    },
    {
      name: "judges nothing (and publishes that) when no audited object exists",
      objects: [],
      want: [],
    },
  ];
  for (const { name, objects, states, want } of cases) {
    it(name, () => assert.deepEqual(judge(objects, states), want));
    it(`${name}, in slices too`, async () => assert.deepEqual(await judgeSliced(objects, states), want));
  }

  it("publishes nothing when the sliced pass is superseded", async () => {
    const pass = await auditExistingObjectsSliced(snapshotOf([teamAShop, httpRoute("team-a", "shop", ["shop.example.com"])], []), config, policies, {
      superseded: () => true,
    });
    assert.equal(pass, undefined);
  });
});
