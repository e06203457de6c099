// Hand-made audit results for the report tests (the audit itself is
// policies/audit's; these tests take its output as given).
import type { AuditResult, AuditSubject } from "../../../policies/audit/audit-result.ts";

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
