// One pass of the background audit's publishing: the audit's results
// (injected: the audit reads the caches and the policy set, this file only
// publishes) rendered as OpenReports (render-reports.ts) and written only
// when their content changed, by the steps of a wholesale controller
// (apply/owned-objects.ts): the rendered report, with the hash of its own
// content, is compared with the cache's copy, so an unchanged cluster costs
// no write (render-reports.ts keeps the timestamps of unchanged results for
// that). A report is created, else server-side applied over hostgate's own
// copy (applyOwned, preconditioned on the uid and resourceVersion judged).
//
// A namespace's results may take several reports (hostgate-audit,
// hostgate-audit-2, …: render-reports.ts keeps each under the API server's
// size limit); each part is compared and written on its own, so a change
// rewrites only the parts whose results changed, and parts no longer needed
// are deleted.
//
// Never over or at someone else's report: Kyverno, Trivy and others publish
// Reports in the same namespaces. Only hostgate's report is applied over or
// deleted: at one of hostgate's names, labelled managed-by=hostgate, with
// source hostgate, and written by hostgate's field manager (labels alone
// prove nothing). A report at hostgate's name that is not hostgate's is left
// as it is, and the pass fails naming it (retried with backoff); nor are its
// timestamps taken. Deletes (the namespace has no audited object any more, or
// needs fewer parts) carry the uid and resourceVersion seen, so a same-named
// report made since is left alone.
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { formatKey, keyOf } from "../../core/kube/object-key.ts";
import type { Logger } from "../../core/logger.ts";
import type { AuditResult } from "../../policies/audit/audit-result.ts";
import { deleteOwnedObjects, writeOwnedObjects } from "../apply/owned-objects.ts";
import { writtenByReconciler } from "../apply/ownership.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "../domainroute/render/metadata.ts";
import { FIELD_MANAGER, MANAGED_SELECTOR } from "../resources.ts";
import type { AuditViolations } from "./audit-metrics.ts";
import { renderReports } from "./render-reports.ts";
import { AUDIT_REPORT_SOURCE, auditReportPart, CLUSTER_REPORTS, REPORTS } from "./report-resources.ts";

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
  /** Bytes of results one report holds at most (render-reports.ts's default unless set; tests set it small). */
  resultBytesPerReport?: number;
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
  const published = publishedReports(reader);
  const rendered = renderReports(results, {
    now: deps.now(),
    previous: (ns) => published.get(ns ?? "") ?? [],
    ...(deps.resultBytesPerReport === undefined ? {} : { resultBytesPerReport: deps.resultBytesPerReport }),
  });
  const written: KubeObject[] = [];
  const deleted: KubeObject[] = [];
  const failures: string[] = [];
  for (const resource of [CLUSTER_REPORTS, REPORTS]) {
    const desired = rendered.filter((r) => r.kind === resource.kind);
    const writes = await writeOwnedObjects(api, resource, desired, {
      current: (key) => reader.get(resource, key),
      // Its labels or source may have been edited away by hand: hostgate's field manager wrote it at hostgate's name, so the apply puts them back.
      owns: writtenByReconciler,
      notOwned: (report) =>
        `${describe(report)} exists and is not hostgate's (its metadata.managedFields name no write by ${FIELD_MANAGER}), so it is left as it is ` +
        "and hostgate's audit results there are not published; delete or rename it so hostgate can publish there",
    });
    const wanted = new Set(desired.map((r) => formatKey(keyOf(r)!)));
    const stale = reader.list({ ...resource, labelSelector: MANAGED_SELECTOR }).filter((o) => ownReport(o) && !wanted.has(formatKey(keyOf(o)!)));
    const deletes = await deleteOwnedObjects(api, resource, stale);
    written.push(...writes.written);
    deleted.push(...deletes.deleted);
    failures.push(...writes.failures, ...deletes.failures);
  }
  const outcome: AuditReportsOutcome = { written: written.map(describe).sort(), deleted: deleted.map(describe).sort() };
  if (outcome.written.length > 0 || outcome.deleted.length > 0) deps.logger.info({ ...outcome }, "audit reports updated");
  if (failures.length > 0) throw new Error(`audit reports: ${failures.length} change(s) failed (retried): ${failures.join("; ")}`);
  return outcome;
}

/**
 * True for a report hostgate may apply over or delete: at one of hostgate's
 * names (hostgate-audit or a later part, hostgate-audit-2, …), source
 * hostgate, labelled managed-by=hostgate, and written by hostgate's field
 * manager. A report missing one of these is someone else's (or was taken over
 * by hand) and is never touched.
 */
export function ownReport(object: KubeObject): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  return (
    auditReportPart(object.metadata?.name) !== undefined &&
    (object as { source?: unknown }).source === AUDIT_REPORT_SOURCE &&
    labels[LABEL_MANAGED_BY] === MANAGED_BY_HOSTGATE &&
    writtenByReconciler(object)
  );
}

/** hostgate's own reports in the caches, every part, by namespace ("" for the ClusterReports): where unchanged results' timestamps are kept. */
function publishedReports(reader: ObjectReader): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>();
  for (const resource of [CLUSTER_REPORTS, REPORTS]) {
    for (const report of reader.list({ ...resource, labelSelector: MANAGED_SELECTOR }).filter(ownReport)) {
      const scope = report.metadata?.namespace ?? "";
      const list = out.get(scope);
      if (list === undefined) out.set(scope, [report]);
      else list.push(report);
    }
  }
  return out;
}

function describe(object: KubeObject): string {
  return `${object.kind} ${formatKey(keyOf(object)!)}`;
}
