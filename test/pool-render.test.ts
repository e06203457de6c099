// `hostgate render` on a load balancer pool: routes are placed as the pool
// controller would (a route given with status.edge keeps its member, one
// without is placed as new, first fit), the placement is listed, and the
// records, DNSEndpoints and listener certificates shown point at each
// route's member. A config without pools renders as before.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DomainRoute } from "../crds/types.ts";
import { routeFor } from "../reconciler/certificates/testing/plan-fixtures.ts";
import { anExternalDnsConfig } from "../reconciler/dns/external-dns/testing/external-dns-config.ts";
import { dnsConfig } from "../reconciler/dns/testing/dns-fixtures.ts";
import { LISTENER_1, LISTENER_2, PUBLIC_1, PUBLIC_2, placedOn, pooled } from "../reconciler/dns/testing/pool-fixtures.ts";
import { renderAll } from "../reconciler/render-command/render-command.ts";
import { edgeComments } from "../reconciler/render-command/render-edge.ts";

describe("hostgate render on a pool", () => {
  const renderConfig = pooled(dnsConfig({ certificates: { provider: "acm" } }), { certificates: [1, 25] });
  const fileRoute = (name: string, domain: string, created: string): DomainRoute => {
    const { route } = routeFor(name, domain);
    const { uid: _uid, ...metadata } = route.metadata;
    return { ...route, metadata: { ...metadata, creationTimestamp: created } };
  };

  it("places routes without status first fit and points each one's record and certificate at its member", () => {
    // public-1 holds one certificate: shop's *.example.com fills it, x's *.team-a.example.com goes to public-2.
    const routes = [fileRoute("shop", "shop.example.com", "2030-01-01T00:00:00Z"), fileRoute("x", "x.team-a.example.com", "2030-01-02T00:00:00Z")];
    const { edge } = renderAll(routes, [], renderConfig);
    assert.deepEqual(
      edge.placements.map((p) => [p.route, p.member]),
      [
        ["team-a/shop", "public-1"],
        ["team-a/x", "public-2"],
      ],
    );
    const targets = edge.records.filter((r) => r.type === "A").map((r) => [r.name, r.target]);
    assert.deepEqual(targets, [
      ["shop.example.com", `alias ${PUBLIC_1} (zone Z35SXDOTRQ7X7K)`],
      ["x.team-a.example.com", `alias ${PUBLIC_2} (zone Z26RNL4JYFTOTI)`],
    ]);
    assert.deepEqual(
      edge.certificates.map((c) => [c.names[0], c.listenerArns]),
      [
        ["*.example.com", [LISTENER_1]],
        ["*.team-a.example.com", [LISTENER_2]],
      ],
    );
    assert.match(edgeComments(edge, renderConfig), /# {3}team-a\/x {2}alb-out -> public-2 \(public-2\.us-east-1\.elb\.amazonaws\.com\)/);
  });

  it("a route given with status.edge keeps its member", () => {
    const route = placedOn(fileRoute("shop", "shop.example.com", "2030-01-01T00:00:00Z"), "public-2", renderConfig);
    assert.deepEqual(
      renderAll([route], [], renderConfig).edge.placements.map((p) => p.member),
      ["public-2"],
    );
  });

  it("with external-dns each route's DNSEndpoint targets the member it is placed on", () => {
    const config = pooled(anExternalDnsConfig());
    const routes = [
      placedOn(fileRoute("shop", "shop.example.com", "2030-01-01T00:00:00Z"), "public-2", config),
      fileRoute("blog", "blog.example.com", "2030-01-02T00:00:00Z"),
    ];
    const endpoints = renderAll(routes, [], config).objects.filter((o) => o.kind === "DNSEndpoint");
    assert.deepEqual(
      endpoints.map((e) => [
        e.metadata?.namespace,
        (e.spec as { endpoints: { dnsName: string; targets: string[] }[] }).endpoints.map((x) => [x.dnsName, x.targets]),
      ]),
      [
        ["team-a", [["blog.example.com", [PUBLIC_1]]]],
        ["team-a", [["shop.example.com", [PUBLIC_2]]]],
      ],
    );
  });

  it("a route a one-member pool has no room for gets no record and no listener certificate, as the controllers would give it", () => {
    // alb-out is public-1 alone, holding one certificate: shop's *.example.com fills it, x's *.team-a.example.com has no room.
    const members = renderConfig.loadBalancers["alb-out"].members!.slice(0, 1);
    const config = { ...renderConfig, loadBalancers: { ...renderConfig.loadBalancers, "alb-out": { ipAddressType: "ipv4" as const, members } } };
    const routes = [fileRoute("shop", "shop.example.com", "2030-01-01T00:00:00Z"), fileRoute("x", "x.team-a.example.com", "2030-01-02T00:00:00Z")];
    const { edge } = renderAll(routes, [], config);
    assert.deepEqual(
      edge.placements.map((p) => [p.route, p.member ?? "full"]),
      [
        ["team-a/shop", "public-1"],
        ["team-a/x", "full"],
      ],
    );
    assert.deepEqual(
      edge.records.filter((r) => r.type === "A").map((r) => r.name),
      ["shop.example.com"],
    );
    assert.deepEqual(
      edge.certificates.map((c) => [c.names[0], c.listenerArns]),
      [["*.example.com", [LISTENER_1]]],
    );
  });

  it("a config without pools renders no placement", () => {
    const { edge } = renderAll([fileRoute("shop", "shop.example.com", "2030-01-01T00:00:00Z")], [], dnsConfig());
    assert.deepEqual([edge.placements, edgeComments(edge, dnsConfig()).includes("pool placement")], [[], false]);
  });
});
