// Every route's outcome from a planner's decisions (pure). A route that uses
// a certificate gets the decision for its wildcard on its listener; a route
// being deleted is `released` once nothing hostgate holds for it remains
// (what remains is the planner's to say), which lets its finalizer go.
import type { CertificateDecision, CertificateOutcome } from "./certificate-outcomes.ts";
import { TAG_WILDCARD, wildcardParent } from "./certificate-names.ts";
import type { AcmView } from "./certificate-plan.ts";
import type { DesiredCertificate, DesiredCertificates, RouteNeed } from "./desired-certificates.ts";
import { isOwned } from "./plan-listeners.ts";

export type Decide = (certificate: DesiredCertificate, listenerArn: string | undefined) => CertificateDecision;
/** What still stands for a deleted route's certificate, or undefined when nothing does. */
export type Remaining = (need: Extract<RouteNeed, { kind: "deleting" }>) => string | undefined;

export function routeOutcomes(desired: DesiredCertificates, decide: Decide, remaining: Remaining): Map<string, CertificateOutcome> {
  const byWildcard = new Map(desired.certificates.map((c) => [c.wildcard, c]));
  const outcomes = new Map<string, CertificateOutcome>();
  for (const [routeRef, need] of desired.routes) {
    const seen = { uid: need.uid, domain: need.domain };
    let decision: CertificateDecision;
    switch (need.kind) {
      case "uses":
        decision = decide(byWildcard.get(need.wildcard)!, need.listenerArn);
        break;
      case "deleting": {
        const detail = remaining(need);
        decision = detail === undefined ? { kind: "released" } : { kind: "releasing", detail };
        break;
      }
      case "noListener":
        decision = { kind: "noListener", lb: need.lb };
        break;
      default:
        decision = { kind: need.kind };
    }
    outcomes.set(routeRef, { ...seen, ...decision });
  }
  return outcomes;
}

/**
 * For a deleted route: the certificates of hostgate's for its wildcard still
 * on its listener when no other route needs the wildcard there (they are
 * being detached). Certificates are deleted from ACM after the release, by
 * their tags: no route is needed for that.
 */
export function remainingOnListener(desired: DesiredCertificates, view: AcmView, ownerId: string): Remaining {
  const byArn = new Map(view.certificates.map((c) => [c.arn, c]));
  return (need) => {
    const { wildcard, listenerArn } = need;
    if (wildcard === undefined || listenerArn === undefined) return undefined;
    if (desired.certificates.some((c) => c.wildcard === wildcard && c.listenerArns.includes(listenerArn))) return undefined;
    const parent = wildcardParent(wildcard);
    const left = (view.listeners.get(listenerArn) ?? [])
      .filter((e) => !e.isDefault && isOwned(byArn.get(e.arn), ownerId) && byArn.get(e.arn)?.tags[TAG_WILDCARD] === parent)
      .map((e) => e.arn);
    return left.length === 0 ? undefined : `detaching ${[...new Set(left)].sort().join(", ")} (${wildcard}) from listener ${listenerArn}`;
  };
}
