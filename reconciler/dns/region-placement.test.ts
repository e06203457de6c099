import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DnsSpec, RegionPolicy } from "../../crds/types.ts";
import type { ResolvedPlacement } from "./region-placement.ts";
import { placementField, publicationFor, resolvePlacement } from "./region-placement.ts";
import { dnsConfig, dnsRoute } from "./testing/dns-fixtures.ts";
import { regionConfig, regionPolicy } from "./testing/region-fixtures.ts";

describe("a route's mode: route over namespace over platform default", () => {
  const activeDefault = regionConfig("weu");
  const boundDefault = regionConfig("weu", { regionMode: { mode: "RegionBound", sourceRegion: "eus" } });
  const cases: { name: string; dns?: DnsSpec; policy?: RegionPolicy; platform?: "Active" | "RegionBound eus"; expected: ResolvedPlacement }[] = [
    { name: "nothing said anywhere: Active from the platform", expected: { mode: "Active", from: "platform" } },
    {
      name: "the platform's RegionBound default applies with its source region",
      platform: "RegionBound eus",
      expected: { mode: "RegionBound", sourceRegion: "eus", from: "platform" },
    },
    {
      name: "the namespace's RegionPolicy outranks the platform default",
      policy: regionPolicy("team-a", "RegionBound", "weu"),
      expected: { mode: "RegionBound", sourceRegion: "weu", from: "namespace" },
    },
    {
      name: "an Active RegionPolicy outranks a RegionBound platform default",
      policy: regionPolicy("team-a", "Active"),
      platform: "RegionBound eus",
      expected: { mode: "Active", from: "namespace" },
    },
    {
      name: "the route's spec.dns.mode outranks its namespace's RegionPolicy",
      dns: { mode: "Active" },
      policy: regionPolicy("team-a", "RegionBound", "weu"),
      expected: { mode: "Active", from: "route" },
    },
    {
      name: "the route's RegionBound outranks an Active RegionPolicy, with the route's own source region",
      dns: { mode: "RegionBound", sourceRegion: "eus" },
      policy: regionPolicy("team-a", "Active"),
      platform: "RegionBound eus",
      expected: { mode: "RegionBound", sourceRegion: "eus", from: "route" },
    },
    {
      name: "a route's spec.dns without mode (a ttl only) leaves the choice to its namespace",
      dns: { ttl: 60 },
      policy: regionPolicy("team-a", "RegionBound", "weu"),
      expected: { mode: "RegionBound", sourceRegion: "weu", from: "namespace" },
    },
    {
      name: "the pair travels whole: a namespace's RegionBound never takes the platform's source region",
      policy: regionPolicy("team-a", "RegionBound", "weu"),
      platform: "RegionBound eus",
      expected: { mode: "RegionBound", sourceRegion: "weu", from: "namespace" },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const route = dnsRoute("shop", c.dns === undefined ? {} : { dns: c.dns });
      assert.deepEqual(resolvePlacement(route, c.policy, c.platform === "RegionBound eus" ? boundDefault : activeDefault), c.expected);
    });
  }
});

describe("what this cluster publishes for a placement", () => {
  const weu = regionConfig("weu");
  const cases: { name: string; placement: ResolvedPlacement; config?: typeof weu; expected: string }[] = [
    {
      name: "no regions configured: one record set as on a single-region platform",
      placement: { mode: "Active", from: "platform" },
      config: dnsConfig(),
      expected: "single",
    },
    {
      name: "no regions configured: RegionBound changes nothing either",
      placement: { mode: "RegionBound", sourceRegion: "weu", from: "route" },
      config: dnsConfig(),
      expected: "single",
    },
    { name: "Active: this cluster's own region", placement: { mode: "Active", from: "platform" }, expected: "own-region weu" },
    {
      name: "RegionBound here: every region, sorted by name",
      placement: { mode: "RegionBound", sourceRegion: "weu", from: "namespace" },
      expected: "every-region eus,weu",
    },
    {
      name: "RegionBound to another region: elsewhere, naming it",
      placement: { mode: "RegionBound", sourceRegion: "eus", from: "namespace" },
      expected: "elsewhere eus",
    },
    {
      name: "RegionBound to a region the config does not list",
      placement: { mode: "RegionBound", sourceRegion: "apac", from: "route" },
      expected: "unknown-region apac",
    },
    {
      name: "Active with cluster.region not among the regions fails closed to publishing nothing",
      placement: { mode: "Active", from: "platform" },
      config: { ...weu, cluster: { name: "aks01-apac", region: "apac" } },
      expected: "unknown-region apac",
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = publicationFor(c.placement, c.config ?? weu);
      const shown =
        p.kind === "single"
          ? "single"
          : p.kind === "own-region"
            ? `own-region ${p.region.name}`
            : p.kind === "every-region"
              ? `every-region ${p.regions.map((r) => r.name).join(",")}`
              : `${p.kind} ${p.sourceRegion}`;
      assert.equal(shown, c.expected);
    });
  }

  test("an unknown region's message names the field that set it, the region, the regions that exist and the fix", () => {
    const messages = (["route", "namespace", "platform"] as const).map((from) => {
      const p = publicationFor({ mode: "RegionBound", sourceRegion: "apac", from }, weu);
      return p.kind === "unknown-region" ? p.message : "";
    });
    const rest =
      "names region apac, which is not one of the platform's regions (weu, eus), so this cluster publishes no DNS record for the route; name one of those regions";
    assert.deepEqual(messages, [
      `spec.dns.sourceRegion ${rest}`,
      `the namespace's RegionPolicy (spec.sourceRegion) ${rest}`,
      `the platform config's dns.regionMode.sourceRegion ${rest}`,
    ]);
  });

  test("placementField names where a user finds the setting", () =>
    assert.equal(placementField({ mode: "RegionBound", sourceRegion: "x", from: "route" }), "spec.dns.sourceRegion"));
});
