import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { replacementFor } from "./write-objects.ts";

const routeRef = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", name: "shop", uid: "uid-a", controller: true };
const othersRef = { apiVersion: "v1", kind: "ConfigMap", name: "other", uid: "uid-other" };
const renderedRef = { ...routeRef, blockOwnerDeletion: true };

const current: KubeObject = {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: {
    name: "shop",
    namespace: "team-a",
    uid: "uid-vs",
    resourceVersion: "42",
    managedFields: [{ manager: "hostgate-reconciler", operation: "Update" }],
    labels: { "hostgate.dev/route-uid": "uid-a", "argocd.argoproj.io/instance": "shop" },
    annotations: { "hostgate.dev/applied-hash": "old", "note": "kept" },
    ownerReferences: [routeRef, othersRef],
  },
  spec: { hosts: ["shop.example.com"], tls: [{ match: "stale" }], http: [] },
  status: { validationMessages: [] },
};
const desired: KubeObject = {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: {
    name: "shop",
    namespace: "team-a",
    labels: { "hostgate.dev/route-uid": "uid-a" },
    annotations: { "hostgate.dev/applied-hash": "new" },
    ownerReferences: [renderedRef],
  },
  spec: { hosts: ["shop.example.com"], http: [{ route: [] }] },
};

describe("the replacement written over one of the route's objects", () => {
  const replaced = replacementFor(current, desired, "uid-a");

  test("carries the uid and resourceVersion it was judged by, as the write's preconditions", () => {
    assert.equal(replaced.metadata!.uid, "uid-vs");
    assert.equal(replaced.metadata!.resourceVersion, "42");
  });

  test("is hostgate's spec in full: a field hostgate no longer renders goes", () => {
    assert.deepEqual(replaced.spec, desired.spec);
  });

  test("keeps other writers' labels, annotations and owner references, with hostgate's own values", () => {
    assert.deepEqual(replaced.metadata!.labels, { "hostgate.dev/route-uid": "uid-a", "argocd.argoproj.io/instance": "shop" });
    assert.deepEqual(replaced.metadata!.annotations, { "hostgate.dev/applied-hash": "new", "note": "kept" });
    assert.deepEqual(replaced.metadata!.ownerReferences, [othersRef, renderedRef]);
  });

  test("sends neither managedFields (the server keeps its own) nor status", () => {
    assert.equal(replaced.metadata!.managedFields, undefined);
    assert.equal(replaced.status, undefined);
  });
});
