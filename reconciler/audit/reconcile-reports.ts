// One pass of the background audit's publishing: the audit's results
// (injected: the audit reads the caches and the policy set, this file only
// publishes) rendered as OpenReports (render-reports.ts) and written only
// when their content changed: the rendered report, with the hash of its own
// content (apply/plan-apply.ts withAppliedHash), is compared with the cache's
// copy, so an unchanged cluster costs no write (render-reports.ts keeps the
// timestamps of unchanged results for that). A report is created, else
// server-side applied over hostgate's own copy (apply/apply-object.ts
// applyOwned, preconditioned on the uid and resourceVersion judged), as the
// gateway records are (dns/external-dns/gateway-endpoints.ts).
//
// Never over or at someone else's report: Kyverno, Trivy and others publish
// Reports in the same namespaces. Only hostgate's report is applied over or
// deleted: at hostgate's name, labelled managed-by=hostgate, with source
// hostgate, and written by hostgate's field manager (labels alone prove
// nothing). A report at hostgate's name that is not hostgate's is left as it
// is, and the pass fails naming it (retried with backoff). Deletes (the
// namespace has no audited object any more) carry the uid and resourceVersion
// seen, so a same-named report made since is left alone.
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject, ObjectKey } from "../../core/kube/object-key.ts";
import { formatKey, keyOf } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import type { Logger } from "../../core/logger.ts";
import type { AuditResult } from "../../policies/audit/audit-result.ts";
import { applyOwned, writeOptionsFor } from "../apply/apply-object.ts";
import { writtenByReconciler } from "../apply/ownership.ts";
import { contains, withAppliedHash } from "../apply/plan-apply.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "../domainroute/render/metadata.ts";
import { MANAGED_SELECTOR } from "../resources.ts";
import type { AuditViolations } from "./audit-metrics.ts";
import { renderReports } from "./render-reports.ts";
import { AUDIT_REPORT_NAME, AUDIT_REPORT_SOURCE, CLUSTER_REPORTS, REPORTS } from "./report-resources.ts";

/** The single queue key: any policy or object change re-audits everything. */
export const AUDIT_REPORTS_KEY = "audit-reports";

export interface AuditReportsDeps {
  /** Writes: create, apply, get after a create that found the name taken, delete. */
  api: ObjectApi;
  /** The caches of Reports and ClusterReports labelled managed-by=hostgate. */
  reader: ObjectReader;
  /** The audit of every existing object the policy set matches (policies/audit's auditObjects over the caches). */
  audit: () => readonly AuditResult[];
  /** Milliseconds since the epoch. */
  now: () => number;
  logger: Logger;
  /** Where the violation counts of the last pass are kept for /metrics (audit-metrics.ts). */
  violations?: AuditViolations;
}

export interface AuditReportsOutcome {
  /** `Kind namespace/name` of each report created or applied, sorted. */
  written: string[];
  /** `Kind namespace/name` of each report deleted, sorted. */
  deleted: string[];
}

export async function reconcileAuditReports(deps: AuditReportsDeps): Promise<AuditReportsOutcome> {
  const { api, reader } = deps;
  const results = deps.audit();
  deps.violations?.record(results);
  const outcome: AuditReportsOutcome = { written: [], deleted: [] };
  const failures: string[] = [];
  const keyFor = (namespace: string | undefined): ObjectKey => ({ ...(namespace === undefined ? {} : { namespace }), name: AUDIT_REPORT_NAME });
  const rendered = renderReports(results, { now: deps.now(), previous: (ns) => reader.get(resourceOf(ns), keyFor(ns)) });
  const wanted = new Set<string>();
  for (const report of rendered) {
    const desired = withAppliedHash(report);
    const resource = resourceOf(desired.metadata?.namespace);
    const label = describe(resource, desired);
    wanted.add(label);
    const current = reader.get(resource, keyOf(desired)!);
    if (current !== undefined && contains(current, desired)) continue;
    try {
      if (await writeReport(api, resource, desired, current)) outcome.written.push(label);
      else {
        failures.push(
          `${label} exists and is not hostgate's (its source, managed-by label or metadata.managedFields say another writer made it), ` +
            "so it is left as it is and hostgate's audit results there are not published; delete or rename it so hostgate can publish there",
        );
      }
    } catch (error) {
      failures.push(`writing ${label}: ${messageOf(error)}`);
    }
  }
  const ours = [CLUSTER_REPORTS, REPORTS].flatMap((resource) =>
    reader
      .list({ ...resource, labelSelector: MANAGED_SELECTOR })
      .filter(ownReport)
      .map((object) => ({ resource, object })),
  );
  for (const { resource, object } of ours) {
    const label = describe(resource, object);
    if (wanted.has(label)) continue;
    try {
      const metadata = object.metadata!;
      const preconditions = { uid: metadata.uid!, ...(metadata.resourceVersion ? { resourceVersion: metadata.resourceVersion } : {}) };
      if (await api.delete(resource, keyOf(object)!, preconditions)) outcome.deleted.push(label);
    } catch (error) {
      // 409: a precondition failed, so it is no longer the report judged ours; the next pass judges again.
      if (!(error instanceof KubeApiError && error.status === 409)) failures.push(`deleting ${label}: ${messageOf(error)}`);
    }
  }
  outcome.written.sort();
  outcome.deleted.sort();
  if (outcome.written.length > 0 || outcome.deleted.length > 0) deps.logger.info({ ...outcome }, "audit reports updated");
  if (failures.length > 0) throw new Error(`audit reports: ${failures.length} change(s) failed (retried): ${failures.join("; ")}`);
  return outcome;
}

/**
 * True for a report hostgate may apply over or delete: at hostgate's name,
 * source hostgate, labelled managed-by=hostgate, and written by hostgate's
 * field manager. A report missing one of these is someone else's (or was
 * taken over by hand) and is never touched.
 */
export function ownReport(object: KubeObject): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  return (
    object.metadata?.name === AUDIT_REPORT_NAME &&
    (object as { source?: unknown }).source === AUDIT_REPORT_SOURCE &&
    labels[LABEL_MANAGED_BY] === MANAGED_BY_HOSTGATE &&
    writtenByReconciler(object)
  );
}

/**
 * Creates the report, or applies it over the object at its name when
 * hostgate's field manager wrote it; false, writing nothing, when it did not.
 * `current` is the cache's copy or undefined; an object the cache does not
 * hold (not labelled managed-by=hostgate) is read once the create finds the name taken.
 */
async function writeReport(api: ObjectApi, resource: ResourceRef, desired: KubeObject, current: KubeObject | undefined): Promise<boolean> {
  if (current === undefined) {
    try {
      await api.create(resource, desired, writeOptionsFor(resource));
      return true;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      current = await api.get(resource, keyOf(desired)!);
      if (current === undefined) throw error;
    }
  }
  // Its labels or source may have been edited away by hand: hostgate's field manager wrote it at hostgate's name, so the apply puts them back.
  if (!writtenByReconciler(current)) return false;
  await applyOwned(api, resource, current, desired);
  return true;
}

function resourceOf(namespace: string | undefined): ResourceRef {
  return namespace === undefined ? CLUSTER_REPORTS : REPORTS;
}

function describe(resource: ResourceRef, object: KubeObject): string {
  return `${resource.kind} ${formatKey(keyOf(object)!)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
