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

/**
 * The 15 results the built-in library gives a plain Managed DomainRoute
 * (7 pass, 7 skip, 1 warn), as `hostgate audit -o json` printed them for
 * generated routes: the size a real report grows by per route.
 */
export function libraryResults(route: AuditSubject): AuditResult[] {
  const skip = (policy: string, condition: string) => aResult(route, { policy, outcome: "skip", messages: [`excluded by matchCondition "${condition}"`] });
  const pass = (policy: string) => aResult(route, { policy });
  return [
    skip("appid-unique", "has-app-id"),
    pass("backend-union"),
    aResult(route, {
      policy: "certificate-coverage",
      outcome: "warn",
      messages: [`${route.name}.shop.example.com is not covered by the *.example.com certificate: a wildcard for its parent will be issued`],
      fields: ["spec.domain"],
    }),
    skip("cname-at-apex", "publishes-dns"),
    skip("cross-namespace-service", "service-names-a-namespace"),
    skip("dns-zone-allowed", "has-zone-and-domain"),
    pass("domain-allowlist"),
    pass("domain-unique"),
    pass("gateway-hostname-reserved"),
    pass("hostname-granted"),
    pass("lb-explicit"),
    pass("public-needs-protection"),
    skip("region-known", "chooses-a-mode"),
    skip("registered-provider", "has-protection"),
    skip("safe-external-backend", "has-external-backend"),
  ];
}
