// The API resources the policy library reads through `cluster`, as the
// cluster cache lists and watches them (every namespace).
import type { ResourceRef } from "../../kube/resource.ts";
import { HOSTGATE_GROUP } from "../kinds.ts";

export const HOSTNAME_GRANTS: ResourceRef = {
  group: HOSTGATE_GROUP,
  version: "v1alpha1",
  resource: "hostnamegrants",
  kind: "HostnameGrant",
  namespaced: false,
};
export const DOMAIN_ROUTES: ResourceRef = { group: HOSTGATE_GROUP, version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true };

/** Everything ClusterStateIndex indexes; RBAC must allow list and watch on each (deploy/base/rbac.yaml). */
export const INDEXED_RESOURCES: readonly ResourceRef[] = [HOSTNAME_GRANTS, DOMAIN_ROUTES];
