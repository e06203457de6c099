// Who holds each domain, decided offline the way the cluster decides it:
// an existing DomainClaim wins; otherwise the oldest route (then by
// namespace/name) would create it first. Routes read from files have no uid
// yet; they get a stable stand-in so labels and claims render deterministically.
import { createHash } from "node:crypto";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { renderClaim } from "../domainroute/render/claim.ts";
import { compareStrings } from "../../core/compare-strings.ts";

export interface ClaimResolution {
  routes: DomainRoute[];
  /** The claims as the cluster would hold them: one per domain. */
  claims: DomainClaim[];
  /** Routes that would get Claimed=False DomainTaken, and by whom. */
  taken: { route: string; domain: string; owner: string }[];
}

/** A deterministic stand-in uid (UUID-shaped) for a route read from a file. */
export function standInUid(namespace: string, name: string): string {
  const h = createHash("sha256").update(`${namespace}/${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function resolveClaims(routes: readonly DomainRoute[], existing: readonly DomainClaim[]): ClaimResolution {
  const withUids = routes.map((r) =>
    r.metadata.uid ? r : { ...r, metadata: { ...r.metadata, uid: standInUid(r.metadata.namespace ?? "default", r.metadata.name ?? "") } },
  );
  const existingByDomain = new Map(existing.map((c) => [c.metadata.name ?? c.spec.domain, c]));
  const byDomain = new Map<string, DomainRoute[]>();
  for (const route of withUids) byDomain.set(route.spec.domain, [...(byDomain.get(route.spec.domain) ?? []), route]);
  const claims: DomainClaim[] = [];
  const taken: ClaimResolution["taken"] = [];
  for (const [domain, contenders] of [...byDomain].sort(([a], [b]) => compareStrings(a, b))) {
    const held = existingByDomain.get(domain);
    const ordered = [...contenders].sort(byAgeThenName);
    const holder =
      held === undefined
        ? ordered[0]!
        : ordered.find(
            (r) => r.metadata.uid === held.spec.owner.uid || (r.metadata.namespace === held.spec.owner.namespace && r.metadata.name === held.spec.owner.name),
          );
    const owner = holder === undefined ? `${held!.spec.owner.namespace}/${held!.spec.owner.name}` : `${holder.metadata.namespace}/${holder.metadata.name}`;
    if (holder !== undefined) claims.push(renderClaim(holder) as unknown as DomainClaim);
    for (const route of ordered) if (route !== holder) taken.push({ route: `${route.metadata.namespace}/${route.metadata.name}`, domain, owner });
  }
  return { routes: withUids, claims, taken };
}

function byAgeThenName(a: DomainRoute, b: DomainRoute): number {
  const ta = a.metadata.creationTimestamp ?? "";
  const tb = b.metadata.creationTimestamp ?? "";
  if (ta !== tb) return ta === "" ? 1 : tb === "" ? -1 : ta < tb ? -1 : 1;
  return compareStrings(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`);
}
