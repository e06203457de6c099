// With the AWS Load Balancer Controller (acm-settings.ts certificatesByDiscovery)
// a route's host must be matched by exactly ONE issued ACM certificate. The
// controller's discovery (aws-load-balancer-controller pkg/ingress/
// cert_discovery.go, which its Gateway listeners use too) lists the region's
// ISSUED certificates and, for each hostname on the port, the ones whose names
// match it (the same name, or a wildcard of the same number of labels with the
// same parent); more than one is "multiple certificates found for host", and
// that fails the whole Gateway's reconcile: the member's ALB is not updated
// for any route on it. hostgate keeps one issued certificate of its own per
// wildcard (the planners request a new one only when none is usable, delete
// their spare ones, and a replacement is requested only for a failed one,
// which ACM no longer lists as ISSUED), but another certificate covering the
// host (someone's untagged one, another installation's, an apex nested under
// another apex) cannot be told from the controller's side: a route whose host
// ACM matches more than once is told so, with the ARNs and what to do, instead
// of being shown ready. Pure.
import { compareStrings } from "../../core/compare-strings.ts";
import type { AcmCertificate } from "./acm-port.ts";
import type { CertificateOutcome } from "./certificate-outcomes.ts";
import type { DesiredCertificates } from "./desired-certificates.ts";
import { isOwned } from "./plan-listeners.ts";

/** The controller's match of a certificate name to a host: equal, or `*.parent` for a host of as many labels under that parent. */
export function discoveryMatches(name: string, host: string): boolean {
  if (!name.startsWith("*.")) return name === host;
  const labels = name.split(".");
  const hostLabels = host.split(".");
  return labels.length === hostLabels.length && labels.slice(1).join(".") === hostLabels.slice(1).join(".");
}

/** The ISSUED certificates the controller would find for `host`, sorted by ARN. */
export function discoveredFor(host: string, certificates: readonly AcmCertificate[]): AcmCertificate[] {
  return certificates
    .filter((c) => c.status === "ISSUED" && c.subjectAlternativeNames.some((n) => discoveryMatches(n.toLowerCase(), host)))
    .sort((a, b) => compareStrings(a.arn, b.arn));
}

/**
 * The outcomes with every `ready` one whose host more than one issued certificate matches turned into `failed`, saying
 * which and how to fix it. Other outcomes are left as they are: a certificate not issued yet serves nothing anyway.
 */
export function withDiscoveryConflicts(
  outcomes: ReadonlyMap<string, CertificateOutcome>,
  desired: DesiredCertificates,
  certificates: readonly AcmCertificate[],
  ownerId: string,
): Map<string, CertificateOutcome> {
  const result = new Map(outcomes);
  for (const [routeRef, outcome] of outcomes) {
    if (outcome.kind !== "ready" || desired.routes.get(routeRef)?.kind !== "uses") continue;
    const found = discoveredFor(outcome.domain, certificates);
    if (found.length <= 1) continue;
    const serving = outcome.certificate.arn;
    const spare = found.filter((c) => c.arn !== serving && isOwned(c, ownerId)).map((c) => c.arn);
    const others = found.filter((c) => c.arn !== serving && !isOwned(c, ownerId)).map((c) => c.arn);
    const fixes = [
      ...(spare.length === 0 ? [] : [`hostgate deletes its own spare ${spare.join(", ")} once ACM shows no load balancer using it`]),
      ...(others.length === 0
        ? []
        : [`delete ${others.join(", ")} (not hostgate's), or have it re-issued without a name matching ${outcome.domain}, unless it should serve instead`]),
    ];
    const message =
      `ACM holds ${found.length} issued certificates matching ${outcome.domain} (${found.map((c) => c.arn).join(", ")}), and the AWS Load Balancer ` +
      `Controller's certificate discovery refuses a host more than one certificate matches ("multiple certificates found for host"), so it updates ` +
      `the ALB of the route's member for no route until one is left: ${fixes.join("; ")}`;
    result.set(routeRef, { uid: outcome.uid, domain: outcome.domain, kind: "failed", certificate: outcome.certificate, message });
  }
  return result;
}
