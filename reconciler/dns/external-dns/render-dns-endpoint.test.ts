import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderRoute } from "../../domainroute/render/render-route.ts";
import { aConfig } from "../../domainroute/render/testing/platform-config.ts";
import { aRoute } from "../../domainroute/render/testing/route-builder.ts";
import { dnsEndpointRefusal, renderDnsEndpoint } from "./render-dns-endpoint.ts";
import { aDnsRoute, anExternalDnsConfig } from "./testing/external-dns-config.ts";

const PUBLIC_LB = "public-1.us-east-1.elb.amazonaws.com";
const INTERNAL_LB = "internal-1.us-east-1.elb.amazonaws.com";

describe("renderDnsEndpoint", () => {
  const cases = [
    {
      name: "an alias record is a CNAME-typed endpoint to the load balancer with alias=true and no TTL",
      route: aDnsRoute({ lb: "alb-out" }),
      config: anExternalDnsConfig(),
      endpoints: [{ dnsName: "shop.example.com", recordType: "CNAME", targets: [PUBLIC_LB], providerSpecific: [{ name: "alias", value: "true" }] }],
    },
    {
      name: "an alias record at the zone apex is allowed (Route53 aliases may sit at an apex)",
      route: aDnsRoute({ domain: "example.com" }),
      config: anExternalDnsConfig(),
      endpoints: [{ dnsName: "example.com", recordType: "CNAME", targets: [INTERNAL_LB], providerSpecific: [{ name: "alias", value: "true" }] }],
    },
    {
      name: "a dualstack load balancer gets the same endpoint (external-dns writes the A and the AAAA alias from it)",
      route: aDnsRoute(),
      config: anExternalDnsConfig({ ipAddressType: "dualstack" }),
      endpoints: [{ dnsName: "shop.example.com", recordType: "CNAME", targets: [INTERNAL_LB], providerSpecific: [{ name: "alias", value: "true" }] }],
    },
    {
      name: "a cname record carries spec.dns.ttl",
      route: aDnsRoute({ dns: { ttl: 60 } }),
      config: anExternalDnsConfig({ dns: { recordType: "cname" } }),
      endpoints: [{ dnsName: "shop.example.com", recordType: "CNAME", targets: [INTERNAL_LB], recordTTL: 60 }],
    },
    {
      name: "a cname record of a route without spec.dns gets the default TTL of 300 seconds",
      route: aDnsRoute(),
      config: anExternalDnsConfig({ dns: { recordType: "cname" } }),
      endpoints: [{ dnsName: "shop.example.com", recordType: "CNAME", targets: [INTERNAL_LB], recordTTL: 300 }],
    },
    {
      name: "spec.dns.zoneId equal to the apex's own zone changes nothing",
      route: aDnsRoute({ dns: { ttl: 300, zoneId: "Z0123456789ABC" } }),
      config: anExternalDnsConfig(),
      endpoints: [{ dnsName: "shop.example.com", recordType: "CNAME", targets: [INTERNAL_LB], providerSpecific: [{ name: "alias", value: "true" }] }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const object = renderDnsEndpoint(c.route, c.config);
      assert.ok(object);
      assert.deepEqual((object.spec as { endpoints: unknown }).endpoints, c.endpoints);
    });
  }

  it("names the endpoint after the domain, in the route's namespace, owned by the route", () => {
    const object = renderDnsEndpoint(aDnsRoute(), anExternalDnsConfig())!;
    assert.equal(object.apiVersion, "externaldns.k8s.io/v1alpha1");
    assert.equal(object.kind, "DNSEndpoint");
    assert.equal(object.metadata?.namespace, "team-a");
    assert.equal(object.metadata?.name, "shop-example-com-sulchitprmzyrabku5eq");
    assert.deepEqual(
      (object.metadata!.ownerReferences as { kind: string; name: string; controller: boolean }[]).map((o) => `${o.kind}/${o.name} ${o.controller}`),
      ["DomainRoute/shop true"],
    );
  });

  it("puts dns.externalDns.labels on it, sorted, and hostgate's own labels win over a configured one of the same key", () => {
    const config = anExternalDnsConfig({
      dns: { externalDns: { labels: { "z-team": "dns", "app.kubernetes.io/managed-by": "someone-else", "external-dns/instance": "public" } } },
    });
    const labels = renderDnsEndpoint(aDnsRoute(), config)!.metadata?.labels as Record<string, string>;
    assert.deepEqual(Object.keys(labels), [...Object.keys(labels)].sort());
    assert.equal(labels["app.kubernetes.io/managed-by"], "hostgate");
    assert.equal(labels["external-dns/instance"], "public");
    assert.equal(labels["z-team"], "dns");
    assert.equal(labels["hostgate.dev/route-uid"], aRoute().build().metadata.uid);
  });

  it("writes a load balancer name given with a trailing dot without it (external-dns skips such a CNAME target)", () => {
    const config = anExternalDnsConfig();
    const dotted = { ...config, loadBalancers: { ...config.loadBalancers, "alb-in": { ...config.loadBalancers["alb-in"], dnsName: `${INTERNAL_LB}.` } } };
    assert.deepEqual((renderDnsEndpoint(aDnsRoute(), dotted)!.spec as { endpoints: { targets: string[] }[] }).endpoints[0]!.targets, [INTERNAL_LB]);
  });

  it("is the same object on every call", () => {
    const config = anExternalDnsConfig({ dns: { externalDns: { labels: { b: "2", a: "1" } } } });
    assert.equal(JSON.stringify(renderDnsEndpoint(aDnsRoute(), config)), JSON.stringify(renderDnsEndpoint(aDnsRoute(), config)));
  });

  const none = [
    { name: "with dns.provider none", route: aDnsRoute(), config: aConfig() },
    { name: "with dns.provider route53", route: aDnsRoute(), config: aConfig({ dns: { provider: "route53", ownerId: "hostgate-test" } }) },
    { name: "for a cname at the zone apex", route: aDnsRoute({ domain: "example.com" }), config: anExternalDnsConfig({ dns: { recordType: "cname" } }) },
    {
      name: "for a route asking for another zone of its apex (external-dns cannot be told which zone)",
      route: aDnsRoute({ dns: { ttl: 300, zoneId: "Z0PRIVATE" } }),
      config: anExternalDnsConfig(),
    },
  ];
  for (const c of none) {
    it(`renders nothing ${c.name}`, () => {
      assert.equal(renderDnsEndpoint(c.route, c.config), undefined);
    });
  }
});

describe("dnsEndpointRefusal", () => {
  const cases = [
    {
      name: "a cname at the zone apex is refused with CnameAtApex, saying how to fix it",
      route: aDnsRoute({ domain: "example.com" }),
      config: anExternalDnsConfig({ dns: { recordType: "cname" } }),
      reason: "CnameAtApex",
      says: /example\.com is the apex of its zone.*Set dns\.recordType to alias/,
    },
    {
      name: "a cname one label below the apex is fine",
      route: aDnsRoute({ domain: "www.example.com" }),
      config: anExternalDnsConfig({ dns: { recordType: "cname" } }),
    },
    {
      name: "a cname at the apex of a second platform domain is refused too",
      route: aDnsRoute({ domain: "corp.example.net" }),
      config: anExternalDnsConfig({ dns: { recordType: "cname" }, domains: [{ apex: "corp.example.net", zoneId: "Z0CORP", additionalZoneIds: [] }] }),
      reason: "CnameAtApex",
      says: /corp\.example\.net is the apex/,
    },
    {
      name: "a name that only ends like an apex (notexample.com) is not that apex",
      route: aDnsRoute({ domain: "notexample.com" }),
      config: anExternalDnsConfig({ dns: { recordType: "cname" } }),
    },
    {
      name: "an additional zone of the apex is refused with ZoneNotSelectable, naming both zones",
      route: aDnsRoute({ dns: { ttl: 300, zoneId: "Z0PRIVATE" } }),
      config: anExternalDnsConfig(),
      reason: "ZoneNotSelectable",
      says: /spec\.dns\.zoneId Z0PRIVATE names a zone other than example\.com's \(Z0123456789ABC\).*Remove spec\.dns\.zoneId/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const refusal = dnsEndpointRefusal(c.route, c.config);
      if (c.reason === undefined) assert.equal(refusal, undefined);
      else {
        assert.equal(refusal?.reason, c.reason);
        assert.match(refusal.message, c.says!);
      }
    });
  }
});

describe("renderRoute with dns.provider external-dns", () => {
  it("adds the DNSEndpoint last, after everything that serves the domain", () => {
    const kinds = renderRoute(aDnsRoute(), anExternalDnsConfig()).objects.map((o) => o.kind);
    assert.deepEqual(kinds, ["Gateway", "VirtualService", "DNSEndpoint"]);
  });

  it("adds none for a route refused whole (a protection it cannot render): nothing serves the name", () => {
    const route = aRoute().protected("", "shop").build();
    assert.deepEqual(
      renderRoute(route, anExternalDnsConfig()).objects.map((o) => o.kind),
      [],
    );
  });

  it("adds none with another provider, so the objects of other configurations are unchanged", () => {
    assert.deepEqual(
      renderRoute(aDnsRoute(), aConfig()).objects.map((o) => o.kind),
      ["Gateway", "VirtualService"],
    );
  });
});
