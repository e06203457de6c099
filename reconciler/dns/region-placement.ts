// Where a route's DNS names are published when the platform spans regions.
// Pure; every DNS back end (Route53, external-dns), `hostgate render` and the
// route's status read the answer from here, so they cannot disagree.
//
// Mode resolution, most specific first, each level giving the mode and its
// source region as one pair: the route's spec.dns.mode, then its namespace's
// RegionPolicy, then the platform's dns.regionMode (Active by default).
//   - Active: every cluster publishes the name for its own region only,
//     pointing at its own gateway.
//   - RegionBound: only the cluster in sourceRegion publishes, for every
//     region, pointing at its own gateway; clusters elsewhere publish nothing
//     and say which region does.
// A platform without regions publishes as it always did (one record set).
import type { PlatformConfig, RegionConfig, RegionMode } from "../../core/config/platform-config.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import type { DomainRoute, RegionPolicy } from "../../crds/types.ts";

export type PlacementSource = "route" | "namespace" | "platform";

export interface ResolvedPlacement {
  readonly mode: RegionMode;
  /** Set exactly when mode is RegionBound. */
  readonly sourceRegion?: string;
  /** Which level decided: for messages (`spec.dns.mode`, `RegionPolicy <ns>/default`, `the platform's dns.regionMode`). */
  readonly from: PlacementSource;
}

/** What this cluster publishes for one route. */
export type Publication =
  /** No regions configured: one record set, as on a single-region platform. */
  | { readonly kind: "single" }
  /** Active: this cluster's own region only. */
  | { readonly kind: "own-region"; readonly region: RegionConfig; readonly placement: ResolvedPlacement }
  /** RegionBound with this cluster in sourceRegion: every region, sorted by name. */
  | { readonly kind: "every-region"; readonly regions: readonly RegionConfig[]; readonly placement: ResolvedPlacement }
  /** RegionBound elsewhere: nothing here; the source region's cluster publishes. */
  | { readonly kind: "elsewhere"; readonly sourceRegion: string; readonly placement: ResolvedPlacement }
  /** RegionBound naming a region the config does not list (the webhook refuses this; a config change can still cause it). */
  | { readonly kind: "unknown-region"; readonly sourceRegion: string; readonly placement: ResolvedPlacement; readonly message: string };

/** The route's placement: route over namespace over platform default. */
export function resolvePlacement(route: DomainRoute, namespacePolicy: RegionPolicy | undefined, config: PlatformConfig): ResolvedPlacement {
  const dns = route.spec.dns;
  if (dns?.mode !== undefined) return placement(dns.mode, dns.sourceRegion, "route");
  if (namespacePolicy !== undefined) return placement(namespacePolicy.spec.mode, namespacePolicy.spec.sourceRegion, "namespace");
  return placement(config.dns.regionMode.mode, config.dns.regionMode.sourceRegion, "platform");
}

/** What this cluster publishes for a route with this placement. */
export function publicationFor(resolved: ResolvedPlacement, config: PlatformConfig): Publication {
  const { cluster, regions } = config;
  if (regions.length === 0 || cluster === undefined) return { kind: "single" };
  if (resolved.mode === "Active") {
    const own = regions.find((r) => r.name === cluster.region);
    // The config check makes cluster.region one of regions; fail closed to publishing nothing if not.
    if (own === undefined) return unknownRegion(cluster.region, resolved, config, "cluster.region");
    return { kind: "own-region", region: own, placement: resolved };
  }
  const source = resolved.sourceRegion ?? "";
  if (!regions.some((r) => r.name === source)) return unknownRegion(source, resolved, config, placementField(resolved));
  if (source !== cluster.region) return { kind: "elsewhere", sourceRegion: source, placement: resolved };
  return { kind: "every-region", regions: [...regions].sort((a, b) => compareStrings(a.name, b.name)), placement: resolved };
}

/** The field that set the placement, as a user finds it. */
export function placementField(resolved: ResolvedPlacement): string {
  switch (resolved.from) {
    case "route":
      return "spec.dns.sourceRegion";
    case "namespace":
      return "the namespace's RegionPolicy (spec.sourceRegion)";
    case "platform":
      return "the platform config's dns.regionMode.sourceRegion";
  }
}

function placement(mode: RegionMode, sourceRegion: string | undefined, from: PlacementSource): ResolvedPlacement {
  return mode === "RegionBound" ? { mode, sourceRegion: sourceRegion ?? "", from } : { mode, from };
}

function unknownRegion(region: string, resolved: ResolvedPlacement, config: PlatformConfig, field: string): Publication {
  const known = config.regions.map((r) => r.name).join(", ");
  const message =
    `${field} names region ${region === "" ? "(none)" : region}, which is not one of the platform's regions (${known}), ` +
    "so this cluster publishes no DNS record for the route; name one of those regions";
  return { kind: "unknown-region", sourceRegion: region, placement: resolved, message };
}
