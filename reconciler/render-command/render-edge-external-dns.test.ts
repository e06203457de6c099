// `hostgate render` with dns.provider external-dns: a route that gets no
// DNSEndpoint says why, as the Route53 back end's refusals do (a note, exit
// status 1), and a route RegionBound to another region is listed with the
// region whose cluster publishes it, so two regions' outputs compare side by side.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DomainRoute } from "../../crds/types.ts";
import { aDnsRoute, aRegionalConfig, aRegionPolicy, anExternalDnsConfig, GATEWAY_HOSTNAME } from "../dns/external-dns/testing/external-dns-config.ts";
import { edgeComments, renderEdge } from "./render-edge.ts";

const NO_INPUTS = { regionPolicies: [], services: [] };
const claimed = (route: DomainRoute): DomainRoute => ({ ...route, metadata: { ...route.metadata, uid: route.metadata.uid ?? "uid-shop" } });

describe("hostgate render with external-dns: routes without a DNSEndpoint", () => {
  const cases = [
    {
      name: "a route at a gateway's hostname is noted as ReservedName",
      route: aDnsRoute({ domain: GATEWAY_HOSTNAME, lb: "alb-out" }),
      config: anExternalDnsConfig({ twoStep: true }),
      note: /^DomainRoute team-a\/\S+: aks01-weu-internal\.example\.com is loadBalancers\.alb-in\.gatewayHostname .* \(DNSReady=False, ReservedName\)$/,
    },
    {
      name: "a CNAME at the apex is noted as CnameAtApex",
      route: aDnsRoute({ domain: "example.com" }),
      config: anExternalDnsConfig({ dns: { recordType: "cname" } }),
      note: /^DomainRoute team-a\/\S+: example\.com is the apex of its zone.* \(DNSReady=False, CnameAtApex\)$/,
    },
    {
      name: "a route RegionBound to a region the config does not list is noted as UnknownSourceRegion",
      route: aDnsRoute({ dns: { ttl: 300, mode: "RegionBound", sourceRegion: "eus" } }),
      config: aRegionalConfig("aks01-weu", "weu"),
      note: /^DomainRoute team-a\/\S+: spec\.dns\.sourceRegion names region eus, which is not one of the platform's regions .* \(DNSReady=False, UnknownSourceRegion\)$/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const edge = renderEdge([claimed(c.route)], [], c.config, NO_INPUTS);
      assert.equal(edge.notes.length, 1, edge.notes.join("\n"));
      assert.match(edge.notes[0]!, c.note);
    });
  }

  test("a route RegionBound to another region is listed with the region that publishes it, in the comments too", () => {
    const config = aRegionalConfig("aks01-neu", "neu");
    const edge = renderEdge([claimed(aDnsRoute())], [], config, { regionPolicies: [aRegionPolicy("RegionBound", "weu")], services: [] });
    assert.deepEqual(edge.notes, []);
    assert.deepEqual(
      edge.elsewhere.map((e) => `${e.route} ${e.sourceRegion}`),
      [`team-a/${aDnsRoute().metadata.name} weu`],
    );
    assert.match(edgeComments(edge, config), /^# +team-a\/\S+: published by the cluster in region weu$/m);
  });

  test("a route this cluster publishes gets no note and is not listed elsewhere", () => {
    const edge = renderEdge([claimed(aDnsRoute())], [], aRegionalConfig("aks01-weu", "weu"), NO_INPUTS);
    assert.deepEqual([edge.notes, edge.elsewhere], [[], []]);
  });
});
