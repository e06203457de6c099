// A route whose domain is a two-step load balancer's gatewayHostname, with
// external-dns: the gateway-endpoints controller publishes the gateway's
// address at that name, so a route DNSEndpoint there would be a second
// endpoint for one name, racing the gateway's in external-dns's plan. The
// route gets no DNSEndpoint and DNSReady False ReservedName, on every load
// balancer and with or without regions.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { LoadBalancer } from "../../../crds/types.ts";
import { renderRoute } from "../../domainroute/render/render-route.ts";
import { externalDnsStatus } from "./external-dns-status.ts";
import { dnsEndpointRefusal } from "./render-dns-endpoint.ts";
import { aDnsRoute, aRegionalConfig, anExternalDnsConfig, GATEWAY_HOSTNAME } from "./testing/external-dns-config.ts";

const cases: { name: string; config: PlatformConfig; lb: LoadBalancer; domain: string }[] = [
  {
    name: "a route on the two-step load balancer itself (a CNAME to its own name)",
    config: anExternalDnsConfig({ twoStep: true }),
    lb: "alb-in",
    domain: GATEWAY_HOSTNAME,
  },
  { name: "a route on the other, fixed load balancer", config: anExternalDnsConfig({ twoStep: true }), lb: "alb-out", domain: GATEWAY_HOSTNAME },
  {
    name: "a route on a platform with regions, Active",
    config: aRegionalConfig("aks01-weu", "weu", { twoStep: true }),
    lb: "alb-out",
    domain: GATEWAY_HOSTNAME,
  },
];

// external-dns's TXT registry (its default format, v0.18+) keeps the gateway record's owner record at
// `a-`/`aaaa-`/`cname-` before gatewayHostname: a route's CNAME there would keep it out of the zone.
const registryCases = ["a", "aaaa", "cname"].map((prefix) => ({
  name: `a route at the gateway record's TXT owner name (${prefix}-<gatewayHostname>)`,
  config: anExternalDnsConfig({ twoStep: true }),
  lb: "alb-out" as LoadBalancer,
  domain: `${prefix}-${GATEWAY_HOSTNAME}`,
}));

describe("a route at a gateway's TXT owner name with external-dns", () => {
  for (const c of registryCases) {
    it(`${c.name} gets no DNSEndpoint and DNSReady False ReservedName`, () => {
      const route = aDnsRoute({ domain: c.domain, lb: c.lb });
      assert.deepEqual(
        renderRoute(route, c.config).objects.filter((o) => o.kind === "DNSEndpoint"),
        [],
      );
      const status = externalDnsStatus(route, [], c.config);
      assert.equal(`${status.condition.status} ${status.condition.reason}`, "False ReservedName");
      assert.match(status.condition.message, new RegExp(`is where the TXT owner record of the gateway record ${GATEWAY_HOSTNAME.replaceAll(".", "\\.")}`));
    });
  }
});

describe("a route at a gateway's hostname with external-dns", () => {
  for (const c of cases) {
    it(`${c.name} gets no DNSEndpoint and DNSReady False ReservedName naming the load balancer`, () => {
      const route = aDnsRoute({ domain: c.domain, lb: c.lb });
      assert.deepEqual(
        renderRoute(route, c.config).objects.filter((o) => o.kind === "DNSEndpoint"),
        [],
      );
      assert.equal(dnsEndpointRefusal(route, c.config)?.reason, "ReservedName");
      const status = externalDnsStatus(route, [], c.config);
      assert.equal(`${status.condition.status} ${status.condition.reason}`, "False ReservedName");
      assert.match(status.condition.message, /is loadBalancers\.alb-in\.gatewayHostname in the platform config/);
      assert.match(status.condition.message, /gateway Service istio-system\/gw-internal/);
      assert.equal(status.records, undefined);
    });
  }

  it("a route at another name under the same apex is not refused", () => {
    const config = anExternalDnsConfig({ twoStep: true });
    assert.equal(dnsEndpointRefusal(aDnsRoute({ domain: `x.${GATEWAY_HOSTNAME}`, lb: "alb-in" }), config), undefined);
  });

  it("the same name is no one's reservation when no load balancer is two-step", () => {
    assert.equal(dnsEndpointRefusal(aDnsRoute({ domain: GATEWAY_HOSTNAME, lb: "alb-in" }), anExternalDnsConfig()), undefined);
  });
});
