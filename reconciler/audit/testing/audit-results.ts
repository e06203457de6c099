// Hand-made audit results for the report tests (the audit itself is
// policies/audit's; these tests take its output as given), and what a
// published report holds, read back.
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { FakeKubeApi } from "../../../core/kube/testing/fake-kube-api.ts";
import type { AuditResult, AuditSubject } from "../../../policies/audit/audit-result.ts";
import { AUDIT_REPORT_NAME, REPORTS } from "../report-resources.ts";

export function aRoute(namespace: string, name: string, uid = `uid-${namespace}-${name}`): AuditSubject {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", namespace, name, uid };
}

export function aClaim(name: string): AuditSubject {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", name, uid: `uid-claim-${name}` };
}

export function aResult(subject: AuditSubject, overrides: Partial<AuditResult> = {}): AuditResult {
  return { subject, policy: "domain-suffix", outcome: "pass", messages: [], fields: [], ...overrides };
}

export function aViolation(subject: AuditSubject, overrides: Partial<AuditResult> = {}): AuditResult {
  return aResult(subject, { outcome: "fail", messages: ["spec.domain must end in .example.com"], fields: ["spec.domain"], ...overrides });
}

/** `Kind name policy result` of each result in `namespace`'s hostgate Report, as stored (none without a report). */
export function publishedResults(api: FakeKubeApi, namespace: string): string[] {
  const report = api.server.get(REPORTS, { namespace, name: AUDIT_REPORT_NAME }) as
    | (KubeObject & { results: { policy: string; result: string; resources: { kind: string; name: string }[] }[] })
    | undefined;
  return (report?.results ?? []).map((r) => `${r.resources[0]!.kind} ${r.resources[0]!.name} ${r.policy} ${r.result}`);
}
