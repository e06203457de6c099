// The cluster-wide appId table: which appId the ingress gateway stamps on
// a request for each host. A host is published only when its DomainRoute
// names a provider the platform lists, owns the host's DomainClaim, and no
// other such route uses the same appId;
// anything ambiguous is left out, so the gateway strips the header and
// ext_authz sees no identity (fail closed) rather than a borrowed one.
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { asciiLowerCase } from "./ascii-lower-case.ts";
import { compareStrings } from "../../core/compare-strings.ts";

export interface AppIdEntry {
  /** Lower-cased `spec.domain`, exactly as the gateway compares it. */
  readonly host: string;
  readonly appId: string;
  readonly route: { readonly namespace: string; readonly name: string };
}

export interface AppIdConflict {
  readonly appId: string;
  /** Every route that wants the appId, as `namespace/name (domain)`, sorted. */
  readonly routes: readonly string[];
}

export type RouteAppIdState =
  | { readonly kind: "published"; readonly appId: string }
  /** `others`: the other routes as `namespace/name (domain)`, sorted; past MAX_NAMED_OTHERS, a last item `and N more`. */
  | { readonly kind: "conflict"; readonly appId: string; readonly others: readonly string[] }
  | { readonly kind: "unclaimed" }
  /** The route names a provider the platform does not list: it is served nothing, so it holds no appId. */
  | { readonly kind: "unknownProvider"; readonly provider: string };

export interface AppIdTable {
  /** Sorted by host; hosts are unique. */
  readonly entries: readonly AppIdEntry[];
  /** Sorted by appId. */
  readonly conflicts: readonly AppIdConflict[];
  /** Keyed by `namespace/name`, in key order; only routes with an appId (and not being deleted). */
  readonly routeStates: ReadonlyMap<string, RouteAppIdState>;
}

/**
 * How many other routes a conflicting route's state names. Without a cap,
 * one appId copied onto n routes would cost n² names (a tenant could make n
 * large), and a condition message has no room for them anyway.
 */
export const MAX_NAMED_OTHERS = 10;

export interface AppIdTableInput {
  readonly routes: readonly DomainRoute[];
  readonly claims: readonly DomainClaim[];
  /**
   * Whether the platform lists a provider (reconciler/domainroute/known-provider.ts,
   * the route controller's own test). Required: a table computed without it
   * would stamp appIds for routes the route controller refuses to serve.
   */
  readonly knownProvider: (provider: string) => boolean;
}

/** A protected route that owns its claim: it may be published unless its host or appId is contested. */
interface Candidate {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly host: string;
  readonly appId: string;
}

export function computeAppIdTable(input: AppIdTableInput): AppIdTable {
  const claimOwners = new Map<string, string>();
  for (const claim of input.claims) {
    const name = claim.metadata?.name;
    if (name) claimOwners.set(name, claim.spec?.owner?.uid ?? "");
  }

  const states = new Map<string, RouteAppIdState>();
  const candidates: Candidate[] = [];
  const hostOwners = new Map<string, Candidate>();
  const sharedHosts = new Set<string>();
  for (const route of input.routes) {
    const appId = route.spec?.protection?.appId;
    if (typeof appId !== "string" || appId === "" || route.metadata?.deletionTimestamp) continue;
    const namespace = route.metadata?.namespace ?? "";
    const name = route.metadata?.name ?? "";
    const key = `${namespace}/${name}`;
    // Before the claim: such a route is served nothing whatever it owns, and
    // it must not take part in an appId conflict either (a route nobody can
    // reach would otherwise unpublish the real holder of the appId).
    const provider = route.spec.protection?.provider ?? "";
    if (!input.knownProvider(provider)) {
      states.set(key, { kind: "unknownProvider", provider });
      continue;
    }
    const domain = route.spec.domain ?? "";
    const uid = route.metadata?.uid;
    if (domain === "" || !uid || claimOwners.get(domain) !== uid) {
      states.set(key, UNCLAIMED);
      continue;
    }
    const candidate: Candidate = { key, namespace, name, host: asciiLowerCase(domain), appId };
    candidates.push(candidate);
    // Claims are named by the exact domain, so two owning routes can only
    // share a host through letter case (which the CRD forbids). Neither
    // exclusively owns it then, so neither is published.
    if (hostOwners.has(candidate.host)) sharedHosts.add(candidate.host);
    else hostOwners.set(candidate.host, candidate);
  }

  const appIdHolders = new Map<string, Candidate>();
  const contested = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    if (sharedHosts.has(candidate.host)) {
      states.set(candidate.key, UNCLAIMED);
      continue;
    }
    const holder = appIdHolders.get(candidate.appId);
    if (holder === undefined) {
      appIdHolders.set(candidate.appId, candidate);
      continue;
    }
    const contenders = contested.get(candidate.appId);
    if (contenders) contenders.push(candidate);
    else contested.set(candidate.appId, [holder, candidate]);
  }

  const entries: AppIdEntry[] = [];
  for (const [appId, holder] of appIdHolders) {
    if (contested.has(appId)) continue;
    entries.push({ host: holder.host, appId, route: { namespace: holder.namespace, name: holder.name } });
    states.set(holder.key, { kind: "published", appId });
  }

  const conflicts: AppIdConflict[] = [];
  for (const [appId, contenders] of contested) {
    const labels = contenders.map((c) => `${c.key} (${c.host})`);
    const sorted = [...labels].sort(compareStrings);
    conflicts.push({ appId, routes: sorted });
    contenders.forEach((contender, i) => {
      states.set(contender.key, { kind: "conflict", appId, others: othersThan(sorted, labels[i]) });
    });
  }

  entries.sort((a, b) => compareStrings(a.host, b.host));
  conflicts.sort((a, b) => compareStrings(a.appId, b.appId));
  // The default sort compares UTF-16 code units, as compareStrings does, and
  // is several times faster than a comparator on 100,000 keys.
  const routeStates = new Map<string, RouteAppIdState>();
  for (const key of [...states.keys()].sort()) routeStates.set(key, states.get(key)!);
  return { entries, conflicts, routeStates };
}

function othersThan(sortedLabels: readonly string[], own: string): string[] {
  const others: string[] = [];
  for (const label of sortedLabels) {
    if (label === own) continue;
    if (others.length === MAX_NAMED_OTHERS) {
      others.push(`and ${sortedLabels.length - 1 - MAX_NAMED_OTHERS} more`);
      break;
    }
    others.push(label);
  }
  return others;
}

const UNCLAIMED: RouteAppIdState = Object.freeze({ kind: "unclaimed" });
