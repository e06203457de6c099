// `hostgate audit`: which existing objects break a rule? Every object in the
// state folder is judged as a re-apply of itself (policies/audit/audit-objects.ts,
// through the same decide() as the webhook and `check`).
import { auditObjects, compareSubjects } from "../../policies/audit/audit-objects.ts";
import type { AuditOutcome, AuditResult, AuditSubject } from "../../policies/audit/audit-result.ts";
import { UsageError } from "../errors.ts";
import type { CommandResult } from "../errors.ts";
import { loadAuditInput, parseAuditOptions } from "./audit-input.ts";
import type { AuditOptions } from "./audit-input.ts";
import type { ClusterDeps } from "./cluster-objects.ts";
import type { Command } from "./main.ts";
import { BUILTIN_POLICIES } from "./paths.ts";

export const AUDIT_USAGE = `Usage: hostgate audit [options]

Judges every object already in the cluster state as the webhook would judge
it applied again unchanged, and prints one result per object and policy:
fail (would be denied), error (the policy could not be evaluated; denied),
warn, audit (recorded only), pass, or skip (a matchCondition of the policy
excludes the object, so nothing was checked).

Options:
      --state DIR          the cluster's objects, e.g. from \`kubectl get ... -o yaml\` (default: examples/state)
      --kubeconfig FILE    list the objects from this cluster instead: every kind the admission webhooks intercept
                           (DomainRoutes, RegionPolicies, HostnameGrants, Gateway API HTTPRoutes, GRPCRoutes, TLSRoutes
                           and Gateways, Istio VirtualServices and Gateways), each at the first version the cluster serves
      --context NAME       the --kubeconfig context to use (default: its current-context)
      --config FILE        platform config (default: examples/platform-config.yaml)
      --policies DIR       policy modules (repeatable; default: the built-in library)
      --policies-from SRC  files (default: --policies) or cluster: the PolicyModules of the --kubeconfig cluster, as its webhook enforces them
  -o, --output FORMAT      text (default) or json ({"results": [...], "summary": {...}})

--state and --kubeconfig are exclusive. A kind the cluster does not serve (its CRD not installed) is read as none, with a note;
any other failure to list (unreachable, 403 Forbidden: RBAC must allow list on every kind above) is exit 2.

Exit status: 0 nothing would be denied, 1 an existing object would be denied (fail or error), 2 unusable input.`;

const SUMMARY = "judge the objects already in the cluster under the policies, offline";

function parseAuditArgs(args: readonly string[]): AuditOptions & { policies: string[] } {
  const { options, problems } = parseAuditOptions("audit", args);
  if (options.current !== undefined) problems.push("audit: --current only applies to diff; audit judges under --policies alone");
  if (problems.length > 0) throw new UsageError(...problems);
  return { ...options, policies: options.policies ?? [BUILTIN_POLICIES] };
}

const OUTCOMES: readonly AuditOutcome[] = ["fail", "error", "warn", "audit", "pass", "skip"];

/** objects: read from the state; matched: those at least one policy judged. */
export type AuditSummary = { objects: number; matched: number; results: number } & Record<AuditOutcome, number>;

function summarize(objects: number, results: readonly AuditResult[]): AuditSummary {
  const summary = { objects, matched: groupBySubject(results).length, results: results.length, fail: 0, error: 0, warn: 0, audit: 0, pass: 0, skip: 0 };
  for (const r of results) summary[r.outcome] += 1;
  return summary;
}

/** Whether any result means a re-apply would be refused. */
export function anyDenied(results: readonly AuditResult[]): boolean {
  return results.some((r) => r.outcome === "fail" || r.outcome === "error");
}

export async function runAudit(args: readonly string[], deps: ClusterDeps = {}): Promise<CommandResult> {
  const options = parseAuditArgs(args);
  const { objects, environment, notes } = await loadAuditInput(options, deps);
  const results = auditObjects(objects, environment.verdict);
  const summary = summarize(objects.length, results);
  const output = options.output === "json" ? JSON.stringify({ results, summary }, null, 2) : formatAudit(results, summary);
  return { output, exitCode: anyDenied(results) ? 1 : 0, notes };
}

/** The results of one object, in the results' order. */
function groupBySubject(results: readonly AuditResult[]): Array<{ subject: AuditSubject; results: AuditResult[] }> {
  const groups: Array<{ subject: AuditSubject; results: AuditResult[] }> = [];
  for (const r of results) {
    const last = groups.at(-1);
    if (last !== undefined && compareSubjects(last.subject, r.subject) === 0) last.results.push(r);
    else groups.push({ subject: r.subject, results: [r] });
  }
  return groups;
}

/** `DomainRoute team-a/shop-web`, `HostnameGrant team-a-shop`. */
export function subjectName(subject: AuditSubject): string {
  return `${subject.kind} ${subject.namespace !== undefined ? `${subject.namespace}/` : ""}${subject.name}`;
}

const MARK: Readonly<Record<AuditOutcome, string>> = { fail: "✗", error: "✗ error", warn: "! warning", audit: "· audit", pass: "✓", skip: "–" };

/** Grouped by object, the objects with the strongest outcome first (then in the results' order), with counts. */
function formatAudit(results: readonly AuditResult[], summary: AuditSummary): string {
  const rank = (r: AuditResult) => OUTCOMES.indexOf(r.outcome === "error" ? "fail" : r.outcome);
  const groups = groupBySubject(results).map((g) => ({ ...g, worst: Math.min(...g.results.map(rank)) }));
  const ordered = groups.map((g, i) => ({ ...g, i })).sort((a, b) => a.worst - b.worst || a.i - b.i);
  const lines: string[] = [];
  for (const g of ordered) {
    const label = OUTCOMES[g.worst]!.toUpperCase().padEnd(5);
    lines.push(`${label} ${subjectName(g.subject)}`);
    const findings = [...g.results].sort((a, b) => rank(a) - rank(b));
    for (const r of findings.filter((f) => f.outcome !== "pass" && f.outcome !== "skip")) {
      // Messages name their field themselves; `-o json` carries the fields separately.
      for (const message of r.messages) lines.push(`  ${MARK[r.outcome]} ${r.policy}: ${message}`);
    }
    const passed = findings.filter((f) => f.outcome === "pass").length;
    if (passed > 0) lines.push(`  ✓ ${passed} ${passed === 1 ? "policy passes" : "policies pass"}`);
    // Skips are not findings: named on one line (`-o json` says which matchCondition excluded the object).
    const skipped = findings.filter((f) => f.outcome === "skip").map((f) => f.policy);
    if (skipped.length > 0) lines.push(`  ${MARK.skip} ${skipped.length} skipped (a matchCondition excludes the object): ${skipped.join(", ")}`);
  }
  if (lines.length > 0) lines.push("");
  const counts = OUTCOMES.map((o) => `${summary[o]} ${o}`).join(", ");
  const objects = `${summary.objects} object${summary.objects === 1 ? "" : "s"}, ${summary.matched} matched by a policy`;
  lines.push(`${objects}, ${summary.results} result${summary.results === 1 ? "" : "s"}: ${counts}`);
  return lines.join("\n");
}

export const AUDIT_COMMAND: Command = { summary: SUMMARY, usage: AUDIT_USAGE, run: runAudit };
