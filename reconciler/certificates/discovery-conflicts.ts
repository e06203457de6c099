// With the AWS Load Balancer Controller (acm-settings.ts certificatesByDiscovery)
// the controller finds a route's certificate by its host: it lists the
// region's ISSUED ACM certificates and, for each hostname on the port, takes
// the ones whose names match it (the same name, or a wildcard of the same
// number of labels with the same parent: discoveryMatches). What it does when
// MORE than one matches depends on its version (checked in its source, not
// against a running controller):
// - older releases (pkg/ingress/cert_discovery.go, aws-sdk-go v1, before
//   allowedCAARNs) fail with "multiple certificates found for host", and that
//   fails the whole Gateway's reconcile: the member's ALB is left as it was
//   and updated for no route on it. They list only ACM's default key types
//   (RSA_1024, RSA_2048), so an ECDSA certificate does not count there.
// - current releases (pkg/certs/cert_discovery.go, aws-sdk-go v2, with
//   allowedCAARNs and enableCertificateManagement) attach EVERY matching
//   certificate of every key type to the ALB's listener and fail only when
//   none matches ("no certificate found for host"): someone else's
//   certificate is then served for the host by SNI, and takes a certificate
//   slot of the listener that placement does not count.
// Both are a problem the operator has to solve, and hostgate cannot tell
// which release runs, so a route whose host ACM matches more than once is
// told so (its own outcome, discoveryConflict: CertificateReady False,
// CertificateConflict) with the ARNs and what to do. It only holds back a
// listener not yet on the Gateway (discovery-listener-gate.ts): one already
// there stays, since withdrawing it would take the route (and, for a member's
// last route, its Gateway and ALB) down where neither release would.
// hostgate keeps one issued certificate of its own per wildcard (the planners
// request a new one only when none is usable and delete their spare ones), so
// the other certificate is usually someone's untagged one, another
// installation's, or an apex nested under another apex. This also stamps a
// ready outcome with when ACM issued its certificate (issuedAt), which the
// listener gate waits on. Pure.
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
 * The outcomes with every `ready` one whose host more than one issued certificate matches turned into `discoveryConflict`,
 * saying which and how to fix it, and every other `ready` one given its certificate's issuedAt. Other outcomes are left as
 * they are: a certificate not issued yet serves nothing anyway.
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
    const serving = outcome.certificate.arn;
    if (found.length <= 1) {
      const issuedAt = certificates.find((c) => c.arn === serving)?.issuedAt;
      if (issuedAt !== undefined) result.set(routeRef, { ...outcome, issuedAt });
      continue;
    }
    const spare = found.filter((c) => c.arn !== serving && isOwned(c, ownerId)).map((c) => c.arn);
    const foreign = found.filter((c) => c.arn !== serving && !isOwned(c, ownerId)).map((c) => c.arn);
    const fixes = [
      ...(spare.length === 0 ? [] : [`hostgate deletes its own spare ${spare.join(", ")} once ACM shows no load balancer using it`]),
      ...(foreign.length === 0
        ? []
        : [`delete ${foreign.join(", ")} (not hostgate's), or have it re-issued without a name matching ${outcome.domain}, unless it should serve instead`]),
    ];
    const message =
      `ACM holds ${found.length} issued certificates matching ${outcome.domain} (${found.map((c) => c.arn).join(", ")}). Older AWS Load Balancer ` +
      `Controller releases (pkg/ingress/cert_discovery.go) refuse such a host ("multiple certificates found for host") and then update the ALB of ` +
      `the route's member for no route; current ones (pkg/certs/cert_discovery.go) attach every matching certificate, so another one may be served ` +
      `for ${outcome.domain}. A listener already on the Gateway stays there; a new one waits until one certificate is left: ${fixes.join("; ")}`;
    const others = found.filter((c) => c.arn !== serving).map((c) => c.arn);
    result.set(routeRef, { uid: outcome.uid, domain: outcome.domain, kind: "discoveryConflict", certificate: outcome.certificate, others, message });
  }
  return result;
}
