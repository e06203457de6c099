// The kinds an audit judges: exactly what the admission webhooks intercept
// (deploy/base/webhooks.yaml), PolicyModules aside (a module is the policy,
// not a subject of it). An object of any other kind is never judged at
// admission, so auditing it would report a verdict no request ever got; a
// kind the webhooks intercept but the audit skipped would hide violations.
// audited-resources.test.ts holds this list and the webhook rules together.
//
// Each resource lists the versions to read it by, newest first: a cluster
// serves some of them (the Gateway API moved TLSRoute from v1alpha2 to
// v1alpha3 and v1; Istio serves networking.istio.io/v1 from 1.22). Any served
// version returns every object (CRD versions share one storage), so the first
// one served is read; none served means the CRD is not installed: no objects.
import type { ResourceRef } from "../kube/resource.ts";
import { HOSTGATE_GROUP } from "./kinds.ts";

/** A resource the audit reads, by the first of `versions` the cluster serves. */
export interface AuditedResource {
  group: string;
  /** Plural, as in URLs and webhook rules. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Newest first; the first served one is read. */
  versions: readonly string[];
}

export const AUDITED_RESOURCES: readonly AuditedResource[] = [
  { group: HOSTGATE_GROUP, resource: "domainroutes", kind: "DomainRoute", namespaced: true, versions: ["v1alpha1"] },
  { group: HOSTGATE_GROUP, resource: "regionpolicies", kind: "RegionPolicy", namespaced: true, versions: ["v1alpha1"] },
  { group: HOSTGATE_GROUP, resource: "hostnamegrants", kind: "HostnameGrant", namespaced: false, versions: ["v1alpha1"] },
  { group: "gateway.networking.k8s.io", resource: "httproutes", kind: "HTTPRoute", namespaced: true, versions: ["v1", "v1beta1"] },
  { group: "gateway.networking.k8s.io", resource: "grpcroutes", kind: "GRPCRoute", namespaced: true, versions: ["v1", "v1alpha2"] },
  { group: "gateway.networking.k8s.io", resource: "tlsroutes", kind: "TLSRoute", namespaced: true, versions: ["v1", "v1alpha3", "v1alpha2"] },
  { group: "gateway.networking.k8s.io", resource: "gateways", kind: "Gateway", namespaced: true, versions: ["v1", "v1beta1"] },
  { group: "networking.istio.io", resource: "virtualservices", kind: "VirtualService", namespaced: true, versions: ["v1", "v1beta1", "v1alpha3"] },
  { group: "networking.istio.io", resource: "gateways", kind: "Gateway", namespaced: true, versions: ["v1", "v1beta1", "v1alpha3"] },
];

/** The ResourceRef for reading `audited` at `version` (every namespace). */
export function auditedResourceRef(audited: AuditedResource, version: string): ResourceRef {
  return { group: audited.group, version, resource: audited.resource, kind: audited.kind, namespaced: audited.namespaced };
}
