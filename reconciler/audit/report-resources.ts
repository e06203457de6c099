// The OpenReports kinds hostgate publishes its background audit as
// (openreports.io/v1alpha1, the API Kyverno 1.15+ writes and Policy Reporter
// reads; CRDs in test/fixtures/openreports/), and the marks that make a
// report hostgate's: its names (hostgate-audit, then hostgate-audit-2, -3, …
// when one namespace's results need more than one report), its source, the
// managed-by label, and (checked where it is deleted or applied over)
// hostgate's field manager.
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

/** The name of hostgate's (first) report in each namespace, and of its (first) ClusterReport. */
export const AUDIT_REPORT_NAME = "hostgate-audit";

/**
 * The most bytes of JSON one report may take. etcd refuses a request over
 * 1.5 MiB by default (`--max-request-bytes`, etcd.io/docs/latest/dev-guide/limit)
 * and kube-apiserver a request body over 3 MiB ("Request entity too large:
 * limit is 3145728", kubernetes/kubernetes#105863: twice etcd's, as JSON
 * shrinks to protobuf on the way). 1 MiB stays under both with room for what
 * the API server adds (uid, managedFields, timestamps), so a namespace's
 * results go into as many reports as keep each under it (report-parts.ts).
 */
export const REPORT_BYTE_BUDGET = 1024 * 1024;

/** The name of part `part` (1-based) of hostgate's report: hostgate-audit, hostgate-audit-2, hostgate-audit-3, … */
export function auditReportName(part: number): string {
  return part === 1 ? AUDIT_REPORT_NAME : `${AUDIT_REPORT_NAME}-${part}`;
}

/** The part a name is of hostgate's report (1 for hostgate-audit), or undefined for a name hostgate never gives one (hostgate-audit-1, -02, -x). */
export function auditReportPart(name: string | undefined): number | undefined {
  if (name === AUDIT_REPORT_NAME) return 1;
  const prefix = `${AUDIT_REPORT_NAME}-`;
  if (name === undefined || !name.startsWith(prefix)) return undefined;
  const part = name.slice(prefix.length);
  return /^([2-9]|[1-9][0-9]{1,5})$/.test(part) ? Number(part) : undefined;
}
/** `source` of hostgate's reports and of each of their results (Policy Reporter groups and filters by it). */
export const AUDIT_REPORT_SOURCE = "hostgate";
