// The LeaseClient port over the general ObjectApi: leader election needs
// only get, create and update of one Lease, and the API server's
// optimistic concurrency (409 on a stale resourceVersion) does the rest.
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import type { Lease, LeaseClient } from "./lease-client.ts";

export const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true };

export function objectApiLeaseClient(api: ObjectApi): LeaseClient {
  return {
    async get(namespace, name) {
      const object = await api.get(LEASES, { namespace, name });
      return object === undefined ? undefined : toLease(object);
    },
    async create(lease) {
      return toLease(await api.create(LEASES, toObject(lease)));
    },
    async update(lease) {
      return toLease(await api.update(LEASES, toObject(lease)));
    },
  };
}

function toObject(lease: Lease): KubeObject {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { ...lease.metadata }, spec: { ...lease.spec } };
}

function toLease(object: KubeObject): Lease {
  const metadata = object.metadata ?? {};
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    // All of it (labels, uid, ...), so an update writes back what it read, not a stripped copy.
    metadata: { ...metadata, name: metadata.name ?? "", namespace: metadata.namespace ?? "" } as Lease["metadata"],
    spec: (object.spec ?? {}) as Lease["spec"],
  };
}
