// The OpenReports kinds hostgate publishes its background audit as
// (openreports.io/v1alpha1, the API Kyverno 1.15+ writes and Policy Reporter
// reads; CRDs in test/fixtures/openreports/), and the marks that make a
// report hostgate's: one name per namespace, its source, the managed-by label,
// and (checked where it is deleted or applied over) hostgate's field manager.
import type { ResourceRef } from "../../core/kube/resource.ts";

export const OPENREPORTS_GROUP = "openreports.io";
export const OPENREPORTS_API_VERSION = `${OPENREPORTS_GROUP}/v1alpha1`;

/** One per namespace that holds an audited object. */
export const REPORTS: ResourceRef = { group: OPENREPORTS_GROUP, version: "v1alpha1", resource: "reports", kind: "Report", namespaced: true };
/** One for the cluster-scoped objects audited. */
export const CLUSTER_REPORTS: ResourceRef = {
  group: OPENREPORTS_GROUP,
  version: "v1alpha1",
  resource: "clusterreports",
  kind: "ClusterReport",
  namespaced: false,
};

/** The name of hostgate's report in each namespace, and of its ClusterReport. */
export const AUDIT_REPORT_NAME = "hostgate-audit";
/** `source` of hostgate's reports and of each of their results (Policy Reporter groups and filters by it). */
export const AUDIT_REPORT_SOURCE = "hostgate";
