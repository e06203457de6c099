// The background audit's results (policies/audit/audit-result.ts) as
// OpenReports: a `Report` named hostgate-audit in each namespace that holds
// an audited object, and a `ClusterReport` of that name for the
// cluster-scoped ones; results past one report's byte budget go on into
// hostgate-audit-2, hostgate-audit-3, … (report-parts.ts), each with the
// summary of its own results. Pure: no I/O, the clock and the previous
// reports are given.
//
// Shape: one report per namespace, not per object (Kyverno's per-resource
// `scope`): the issue asks for a report per namespace, and it keeps the
// number of objects written bounded by the namespaces. Each result names its
// object in `results[].resources[0]`, which is how the OpenReports CRD lets a
// report without a `scope` say which object a result is about, and how Policy
// Reporter reads such reports. One result per object and policy.
//
// Outcomes map to the CRD's enum as follows: pass → pass, fail → fail,
// warn → warn, error → error, skip → skip (a matchCondition excluded the
// object, as Kyverno reports unmet preconditions), and audit → fail, as
// Kyverno reports a violation of an Audit-mode policy (the object breaks the
// rule; only the enforcement differs). `properties.enforcement` (Deny, Warn or Audit) keeps
// them apart for every violation. No `severity`: hostgate's policies declare
// none, and inventing one would mislead.
//
// Timestamps: a result's `timestamp` is when it was first found as it is. An
// unchanged result (same object, policy, result, rule and message) keeps the
// previous report's timestamp, so an unchanged cluster renders an unchanged
// report and a periodic audit writes nothing. The timestamps are looked up
// across all of a namespace's previous parts, so a result that moved to
// another part keeps its own.
//
// Deterministic: reports sorted (the ClusterReport first, then by
// namespace, then by part), results sorted by object then policy, keys in a
// fixed order.
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { AuditOutcome, AuditResult, AuditSubject } from "../../policies/audit/audit-result.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "../domainroute/render/metadata.ts";
import { clipToBytes, jsonBytes, REPORT_ENVELOPE_BYTES, splitByBytes } from "./report-parts.ts";
import { AUDIT_REPORT_SOURCE, auditReportName, CLUSTER_REPORTS, OPENREPORTS_API_VERSION, REPORT_BYTE_BUDGET, REPORTS } from "./report-resources.ts";

/** The CRD's result enum. An object a policy does not match has no result; one its matchConditions exclude is skip. */
export type ReportResultValue = "pass" | "fail" | "warn" | "error" | "skip";

/** How an audit outcome is reported: the CRD's result, and the enforcement a violation was found under. */
export const OUTCOME_RESULT: Readonly<Record<AuditOutcome, { result: ReportResultValue; enforcement?: "Deny" | "Warn" | "Audit" }>> = {
  pass: { result: "pass" },
  fail: { result: "fail", enforcement: "Deny" },
  warn: { result: "warn", enforcement: "Warn" },
  audit: { result: "fail", enforcement: "Audit" },
  error: { result: "error" },
  skip: { result: "skip" },
};

export interface ReportResult {
  source: string;
  policy: string;
  rule: string;
  result: ReportResultValue;
  message?: string;
  properties?: Record<string, string>;
  resources: AuditSubject[];
  timestamp: { seconds: number; nanos: number };
}

export interface RenderReportsOptions {
  /** Milliseconds since the epoch: the timestamp of a result not found as it is in `previous`. */
  now: number;
  /** The reports (every part) hostgate published last for a namespace (undefined: the ClusterReports), as the cache holds them. */
  previous: (namespace: string | undefined) => readonly KubeObject[];
  /** Bytes of results one report may hold; default: REPORT_BYTE_BUDGET less the envelope's allowance. Tests set it small. */
  resultBytesPerReport?: number;
}

/** Bytes of results one report holds at most, so the whole report stays under REPORT_BYTE_BUDGET. */
export const RESULT_BYTES_PER_REPORT = REPORT_BYTE_BUDGET - REPORT_ENVELOPE_BYTES;

/** The reports for `results`: one or more per namespace with results, and the ClusterReport(s) when cluster-scoped objects have any. */
export function renderReports(results: readonly AuditResult[], options: RenderReportsOptions): KubeObject[] {
  const byScope = new Map<string, AuditResult[]>();
  for (const result of results) {
    const scope = result.subject.namespace ?? "";
    // Appended in place: copying the list for each result took 27 s for 75,000 results in one namespace.
    const list = byScope.get(scope);
    if (list === undefined) byScope.set(scope, [result]);
    else list.push(result);
  }
  return [...byScope.keys()].sort().flatMap((scope) => {
    const namespace = scope === "" ? undefined : scope;
    return renderParts(namespace, byScope.get(scope)!, options);
  });
}

function renderParts(namespace: string | undefined, results: readonly AuditResult[], options: RenderReportsOptions): KubeObject[] {
  const budget = options.resultBytesPerReport ?? RESULT_BYTES_PER_REPORT;
  const earlier = previousTimestamps(options.previous(namespace));
  const rendered = results
    .map((r) => clipToBytes(reportResult(r, options.now), budget, ["message", "rule"]))
    .map((r) => ({ ...r, timestamp: earlier.get(identity(r)) ?? r.timestamp }))
    .sort((a, b) => compare(sortKey(a), sortKey(b)));
  return splitByBytes(rendered, budget, jsonBytes).map((part, i) => renderReport(namespace, i + 1, part));
}

function renderReport(namespace: string | undefined, part: number, rendered: readonly ReportResult[]): KubeObject {
  const resource = namespace === undefined ? CLUSTER_REPORTS : REPORTS;
  return {
    apiVersion: OPENREPORTS_API_VERSION,
    kind: resource.kind,
    metadata: {
      name: auditReportName(part),
      ...(namespace === undefined ? {} : { namespace }),
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE },
    },
    source: AUDIT_REPORT_SOURCE,
    summary: summaryOf(rendered),
    results: rendered,
  };
}

function reportResult(result: AuditResult, now: number): ReportResult {
  const { result: value, enforcement } = OUTCOME_RESULT[result.outcome];
  const message = result.messages.join("; ");
  return {
    source: AUDIT_REPORT_SOURCE,
    policy: result.policy,
    rule: ruleOf(result),
    result: value,
    ...(message === "" ? {} : { message }),
    ...(enforcement === undefined ? {} : { properties: { enforcement } }),
    resources: [subjectRef(result.subject)],
    timestamp: { seconds: Math.floor(now / 1000), nanos: 0 },
  };
}

/** The fields the findings name (each once, in order), else the policy: OpenReports requires no rule, Policy Reporter shows it. */
function ruleOf(result: AuditResult): string {
  const fields = [...new Set(result.fields)];
  return fields.length > 0 ? fields.join(", ") : result.policy;
}

/** The subject with its keys in a fixed order and no absent ones. */
function subjectRef(subject: AuditSubject): AuditSubject {
  return {
    apiVersion: subject.apiVersion,
    kind: subject.kind,
    ...(subject.namespace === undefined ? {} : { namespace: subject.namespace }),
    name: subject.name,
    ...(subject.uid === undefined ? {} : { uid: subject.uid }),
  };
}

/** Every count, zeros included: a count that went to zero must be written as zero, not left as it was. */
function summaryOf(results: readonly ReportResult[]): Record<ReportResultValue, number> {
  const summary: Record<ReportResultValue, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) summary[r.result] += 1;
  return summary;
}

/** A result as found, timestamp aside: an unchanged identity keeps its first timestamp. */
function identity(r: Omit<ReportResult, "timestamp">): string {
  return JSON.stringify([r.source, r.policy, r.rule, r.result, r.message ?? "", r.properties ?? {}, r.resources.map(subjectRef)]);
}

function previousTimestamps(reports: readonly KubeObject[]): Map<string, ReportResult["timestamp"]> {
  const out = new Map<string, ReportResult["timestamp"]>();
  const results = reports.flatMap((report) => {
    const list = (report as { results?: unknown }).results;
    return Array.isArray(list) ? (list as Partial<ReportResult>[]) : [];
  });
  for (const r of results) {
    const t = r?.timestamp;
    if (!Array.isArray(r?.resources) || typeof r.policy !== "string" || typeof t?.seconds !== "number" || typeof t.nanos !== "number") continue;
    out.set(identity(r as ReportResult), { seconds: t.seconds, nanos: t.nanos });
  }
  return out;
}

function sortKey(r: ReportResult): string[] {
  const s = r.resources[0]!;
  return [s.kind, s.apiVersion, s.namespace ?? "", s.name, s.uid ?? "", r.policy, r.rule, r.result, r.message ?? ""];
}

function compare(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}
