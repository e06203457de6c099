import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { ownershipOf } from "./ownership.ts";

const HOSTGATE = { manager: "hostgate-reconciler", operation: "Update" };
const PERSON = { manager: "kubectl-create", operation: "Update" };
const EDIT = { manager: "kubectl-edit", operation: "Update" };
const APPLIED = { manager: "hostgate-reconciler", operation: "Apply" };
const labels = (uid: string) => ({ "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/route-uid": uid });
function object(metadata: Record<string, unknown>): KubeObject {
  return { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "shop", namespace: "istio-system", ...metadata } };
}

describe("whose an object at a generated name is", () => {
  const cases = [
    { name: "the route's: both labels with its uid, written by hostgate-reconciler", object: object({ labels: labels("uid-a"), managedFields: [HOSTGATE] }), owner: "route" },
    { name: "the route's even when a person edited it since (another manager beside hostgate's)", object: object({ labels: labels("uid-a"), managedFields: [HOSTGATE, EDIT] }), owner: "route" },
    { name: "the route's when an earlier version server-side applied it", object: object({ labels: labels("uid-a"), managedFields: [APPLIED] }), owner: "route" },
    {
      name: "another route's: hostgate wrote it with another uid",
      object: object({ labels: labels("uid-b"), managedFields: [HOSTGATE], annotations: { "hostgate.dev/route": "team-b/shop" } }),
      owner: "another-route",
    },
    { name: "nobody's to take: no labels (a person's)", object: object({ managedFields: [PERSON] }), owner: "not-hostgate" },
    { name: "nobody's to take: hostgate's labels, but only another manager wrote it", object: object({ labels: labels("uid-a"), managedFields: [PERSON] }), owner: "not-hostgate" },
    { name: "nobody's to take: hostgate's labels and no managedFields at all", object: object({ labels: labels("uid-a") }), owner: "not-hostgate" },
    { name: "nobody's to take: the route uid label without managed-by", object: object({ labels: { "hostgate.dev/route-uid": "uid-a" }, managedFields: [HOSTGATE] }), owner: "not-hostgate" },
    { name: "nobody's to take: an empty route uid", object: object({ labels: labels(""), managedFields: [HOSTGATE] }), owner: "not-hostgate" },
  ];
  for (const c of cases) test(`is ${c.name}`, () => assert.equal(ownershipOf(c.object, "uid-a").owner, c.owner));

  test("names the other route from its annotation", () => {
    assert.deepEqual(ownershipOf(cases[3]!.object, "uid-a"), { owner: "another-route", routeUid: "uid-b", route: "team-b/shop" });
  });
});
