// The Route53 side of reserved names: a DomainRoute whose domain is a
// two-step load balancer's gatewayHostname, or the name where the gateway
// record's TXT owner record goes, is refused (DNSReady False ReservedName)
// whatever its load balancer and region mode, so a tenant can never take the
// gateway's name (and with it every route behind the gateway) by getting
// there first, e.g. while the gateway Service has no address yet (the whole
// DNS controller against the fake Route53: reconcile-gateway.test.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DomainRoute } from "../../crds/types.ts";
import { desiredDns } from "./desired-records.ts";
import { dnsRoute, holding } from "./testing/dns-fixtures.ts";
import type { RegionConfigOptions } from "./testing/region-fixtures.ts";
import { CLUSTERS, regionConfig, servicesOf } from "./testing/region-fixtures.ts";

const GW = CLUSTERS.weu.gatewayHostname;
const REGION_BOUND_WEU: RegionConfigOptions = { regionMode: { mode: "RegionBound", sourceRegion: "weu" } };

describe("a route at a name reserved for the gateway record is refused ReservedName (Route53)", () => {
  const cases: { name: string; route: DomainRoute; options?: RegionConfigOptions; message: RegExp }[] = [
    {
      name: "the gateway hostname, on a fixed load balancer, in Active mode",
      route: dnsRoute("hijack", { domain: GW }),
      message: /^aks01-weu-internal\.example\.com is loadBalancers\.alb-in\.gatewayHostname in the platform config: .*Route another name$/,
    },
    {
      name: "the gateway hostname, on the two-step load balancer itself, in RegionBound mode",
      route: dnsRoute("hijack", { domain: GW, lb: "alb-in" }),
      options: REGION_BOUND_WEU,
      message: /^aks01-weu-internal\.example\.com is loadBalancers\.alb-in\.gatewayHostname/,
    },
    {
      name: "the name of the gateway A record's TXT owner record (a CNAME there would keep the gateway's TXT out)",
      route: dnsRoute("hijack", { domain: `a-${GW}`, lb: "alb-in" }),
      message:
        /^a-aks01-weu-internal\.example\.com is where the TXT owner record of the gateway record aks01-weu-internal\.example\.com \(loadBalancers\.alb-in\) goes.*Route another name$/,
    },
    {
      name: "the name of the gateway CNAME's TXT owner record",
      route: dnsRoute("hijack", { domain: `cname-${GW}`, lb: "alb-in" }),
      message: /^cname-aks01-weu-internal\.example\.com is where the TXT owner record of the gateway record/,
    },
    {
      name: "the name of the gateway AAAA record's TXT owner record",
      route: dnsRoute("hijack", { domain: `aaaa-${GW}` }),
      message: /^aaaa-aks01-weu-internal\.example\.com is where the TXT owner record of the gateway record/,
    },
  ];
  for (const c of cases)
    test(`${c.name}: refused, nothing desired for it, the message says why and what to do`, () => {
      const desired = desiredDns({ ...holding(c.route), config: regionConfig("weu", c.options), requests: [], services: servicesOf() });
      const intent = desired.routes[0]!;
      assert.equal(intent.kind === "refused" ? intent.reason : intent.kind, "ReservedName");
      assert.match(intent.kind === "refused" ? intent.message : "", c.message);
      assert.deepEqual(
        desired.records.filter((d) => d.resource.startsWith("domainroute/")),
        [],
      );
    });

  test("a name merely beginning like the gateway's (another host) is not reserved", () => {
    const route = dnsRoute("fine", { domain: `x-${GW}`, lb: "alb-in" });
    const desired = desiredDns({ ...holding(route), config: regionConfig("weu"), requests: [], services: servicesOf() });
    assert.equal(desired.routes[0]!.kind, "records");
  });
});
