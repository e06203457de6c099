import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { ownershipOf } from "./ownership.ts";

const HOSTGATE = { manager: "hostgate-reconciler", operation: "Update" };
const PERSON = { manager: "kubectl-create", operation: "Update" };
const EDIT = { manager: "kubectl-edit", operation: "Update" };
const APPLIED = { manager: "hostgate-reconciler", operation: "Apply" };
const ANCIENT = { manager: "ancient-changes", operation: "Update" };
const controller = (uid: string, extra: Record<string, unknown> = {}) => [
  { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", name: "shop", uid, controller: true, ...extra },
];
const labels = (uid: string) => ({ "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/route-uid": uid });
function object(metadata: Record<string, unknown>): KubeObject {
  return { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "shop", namespace: "istio-system", ...metadata } };
}

describe("whose an object at a generated name is", () => {
  const cases = [
    {
      name: "the route's: both labels with its uid, written by hostgate-reconciler",
      object: object({ labels: labels("uid-a"), managedFields: [HOSTGATE] }),
      owner: "route",
    },
    {
      name: "the route's even when a person edited it since (another manager beside hostgate's)",
      object: object({ labels: labels("uid-a"), managedFields: [HOSTGATE, EDIT] }),
      owner: "route",
    },
    {
      name: "the route's when an earlier version server-side applied it",
      object: object({ labels: labels("uid-a"), managedFields: [APPLIED] }),
      owner: "route",
    },
    {
      name: "another route's: hostgate wrote it with another uid",
      object: object({ labels: labels("uid-b"), managedFields: [HOSTGATE], annotations: { "hostgate.dev/route": "team-b/shop" } }),
      owner: "another-route",
    },
    {
      name: "the route's when the API server merged hostgate's entry into ancient-changes, and hostgate's controller reference names the route",
      object: object({ labels: labels("uid-a"), managedFields: [ANCIENT, EDIT], ownerReferences: controller("uid-a") }),
      owner: "route",
    },
    {
      name: "another route's: its labels and controller reference name that route, its entry merged into ancient-changes",
      object: object({ labels: labels("uid-b"), managedFields: [ANCIENT], ownerReferences: controller("uid-b") }),
      owner: "another-route",
    },
    { name: "nobody's to take: no labels (a person's)", object: object({ managedFields: [PERSON] }), owner: "not-hostgate" },
    {
      name: "nobody's to take: hostgate's labels, but only another manager wrote it",
      object: object({ labels: labels("uid-a"), managedFields: [PERSON] }),
      owner: "not-hostgate",
    },
    { name: "nobody's to take: hostgate's labels and no managedFields at all", object: object({ labels: labels("uid-a") }), owner: "not-hostgate" },
    {
      name: "nobody's to take: the route uid label without managed-by",
      object: object({ labels: { "hostgate.dev/route-uid": "uid-a" }, managedFields: [HOSTGATE] }),
      owner: "not-hostgate",
    },
    {
      name: "nobody's to take: a reference to the route that is not its controller",
      object: object({ labels: labels("uid-a"), managedFields: [PERSON], ownerReferences: controller("uid-a", { controller: false }) }),
      owner: "not-hostgate",
    },
    {
      name: "nobody's to take: a controller reference to another route than its label names",
      object: object({ labels: labels("uid-a"), managedFields: [PERSON], ownerReferences: controller("uid-b") }),
      owner: "not-hostgate",
    },
    {
      name: "nobody's to take: a controller reference of another kind with the route's uid",
      object: object({ labels: labels("uid-a"), managedFields: [PERSON], ownerReferences: controller("uid-a", { kind: "ConfigMap", apiVersion: "v1" }) }),
      owner: "not-hostgate",
    },
    { name: "nobody's to take: an empty route uid", object: object({ labels: labels(""), managedFields: [HOSTGATE] }), owner: "not-hostgate" },
  ];
  for (const c of cases) test(`is ${c.name}`, () => assert.equal(ownershipOf(c.object, "uid-a").owner, c.owner));

  test("names the other route from its annotation", () => {
    assert.deepEqual(ownershipOf(cases[3]!.object, "uid-a"), { owner: "another-route", routeUid: "uid-b", route: "team-b/shop" });
  });
});
