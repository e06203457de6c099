// The cluster's PolicyModule objects (hostgate.dev, cluster-scoped): the
// webhook's live policy set watches them (webhook/policy-set/), the
// reconciler's background audit caches them, and `hostgate check|audit|diff
// --policies-from cluster` lists them once.
import type { ResourceRef } from "../kube/resource.ts";
import { HOSTGATE_GROUP } from "./kinds.ts";

export const POLICY_MODULES: ResourceRef = { group: HOSTGATE_GROUP, version: "v1alpha1", resource: "policymodules", kind: "PolicyModule", namespaced: false };
