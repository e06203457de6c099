import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import { certificateName, idempotencyToken, wildcardFor } from "./certificate-names.ts";
import { desiredCertificates } from "./desired-certificates.ts";
import { certConfig, IN, OUT, routeFor, world } from "./testing/plan-fixtures.ts";

describe("desiredCertificates", () => {
  const cases: {
    name: string;
    routes: ReturnType<typeof routeFor>[];
    config?: ReturnType<typeof certConfig>;
    listeners?: boolean;
    certificates: { wildcard: string; names: string[]; routes: string[]; listenerArns: string[] }[];
    needs: Record<string, string>;
  }[] = [
    {
      name: "a route at the apex gets the apex's wildcard with the apex as second name",
      routes: [routeFor("root", "example.com")],
      certificates: [{ wildcard: "*.example.com", names: ["*.example.com", "example.com"], routes: ["team-a/root"], listenerArns: [OUT] }],
      needs: { "team-a/root": "uses *.example.com" },
    },
    {
      name: "routes one label below the apex share the apex's one wildcard",
      routes: [routeFor("shop", "shop.example.com"), routeFor("blog", "blog.example.com"), routeFor("root", "example.com")],
      certificates: [
        { wildcard: "*.example.com", names: ["*.example.com", "example.com"], routes: ["team-a/blog", "team-a/root", "team-a/shop"], listenerArns: [OUT] },
      ],
      needs: { "team-a/shop": "uses *.example.com", "team-a/blog": "uses *.example.com", "team-a/root": "uses *.example.com" },
    },
    {
      name: "siblings deeper down share one wildcard for their parent, and the parent itself uses the apex's",
      routes: [routeFor("x", "x.team-a.example.com"), routeFor("y", "y.team-a.example.com"), routeFor("parent", "team-a.example.com")],
      certificates: [
        { wildcard: "*.example.com", names: ["*.example.com", "example.com"], routes: ["team-a/parent"], listenerArns: [OUT] },
        { wildcard: "*.team-a.example.com", names: ["*.team-a.example.com"], routes: ["team-a/x", "team-a/y"], listenerArns: [OUT] },
      ],
      needs: { "team-a/x": "uses *.team-a.example.com", "team-a/y": "uses *.team-a.example.com", "team-a/parent": "uses *.example.com" },
    },
    {
      name: "a certificate used by routes on both load balancers goes on both listeners",
      routes: [routeFor("a", "a.example.com", { lb: "alb-out" }), routeFor("b", "b.example.com", { lb: "alb-in" })],
      certificates: [{ wildcard: "*.example.com", names: ["*.example.com", "example.com"], routes: ["team-a/a", "team-a/b"], listenerArns: [IN, OUT].sort() }],
      needs: { "team-a/a": "uses *.example.com", "team-a/b": "uses *.example.com" },
    },
    {
      name: "a route whose domain is under no apex is refused and needs nothing",
      routes: [routeFor("stray", "shop.other.org")],
      certificates: [],
      needs: { "team-a/stray": "noApex" },
    },
    {
      name: "a route that does not hold its claim needs nothing",
      routes: [routeFor("late", "shop.example.com", { claimed: false })],
      certificates: [],
      needs: { "team-a/late": "notClaimed" },
    },
    {
      name: "a route being deleted needs nothing but remembers what it used",
      routes: [routeFor("gone", "x.team-a.example.com", { deleting: true })],
      certificates: [],
      needs: { "team-a/gone": "deleting *.team-a.example.com" },
    },
    {
      name: "the longest apex a domain is under decides its wildcard",
      routes: [routeFor("deep", "x.team.example.com")],
      config: {
        ...certConfig(),
        domains: [
          { apex: "example.com", zoneId: "Z1", additionalZoneIds: [] },
          { apex: "team.example.com", zoneId: "Z2", additionalZoneIds: [] },
        ],
      },
      certificates: [{ wildcard: "*.team.example.com", names: ["*.team.example.com", "team.example.com"], routes: ["team-a/deep"], listenerArns: [OUT] }],
      needs: { "team-a/deep": "uses *.team.example.com" },
    },
    {
      name: "a route on a load balancer without a listener is refused when certificates go on listeners",
      routes: [routeFor("in", "in.example.com", { lb: "alb-in" })],
      config: { ...certConfig(), loadBalancers: aConfig({ listenerArns: { "alb-out": OUT } }).loadBalancers },
      certificates: [],
      needs: { "team-a/in": "noListener" },
    },
    {
      name: "without listeners (cert-manager alone) a route needs its wildcard and no listener",
      routes: [routeFor("in", "in.example.com", { lb: "alb-in" })],
      config: { ...certConfig(), loadBalancers: aConfig().loadBalancers },
      listeners: false,
      certificates: [{ wildcard: "*.example.com", names: ["*.example.com", "example.com"], routes: ["team-a/in"], listenerArns: [] }],
      needs: { "team-a/in": "uses *.example.com" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { routes, claims } = world(...c.routes);
      const desired = desiredCertificates(routes, claims, c.config ?? certConfig(), { listeners: c.listeners ?? true });
      assert.deepEqual(
        desired.certificates.map(({ wildcard, names, routes, listenerArns }) => ({ wildcard, names, routes, listenerArns })),
        c.certificates,
      );
      const needs = Object.fromEntries(
        [...desired.routes].map(([ref, need]) => [ref, "wildcard" in need && need.wildcard !== undefined ? `${need.kind} ${need.wildcard}` : need.kind]),
      );
      assert.deepEqual(needs, c.needs);
    });
  }
});

describe("certificate names", () => {
  it("a wildcard's object name is a DNS-1123 label, the same on every call, and differs between wildcards", () => {
    const name = certificateName("*.team-a.example.com");
    assert.match(name, /^wildcard-team-a-example-com-[a-z2-7]{20}$/);
    assert.equal(certificateName("*.team-a.example.com"), name);
    assert.notEqual(certificateName("*.team-b.example.com"), name);
    assert.ok(certificateName(`*.${"a".repeat(60)}.example.com`).length <= 63);
  });

  it("the idempotency token is at most 32 word characters, stable, and changes with the owner, the names, what it replaces and its routes", () => {
    const token = idempotencyToken("prod", ["*.example.com", "example.com"]);
    assert.match(token, /^\w{1,32}$/);
    assert.equal(idempotencyToken("prod", ["example.com", "*.example.com"]), token);
    assert.notEqual(idempotencyToken("staging", ["*.example.com", "example.com"]), token);
    assert.notEqual(idempotencyToken("prod", ["*.example.com"]), token);
    assert.notEqual(idempotencyToken("prod", ["*.example.com", "example.com"], ["arn:failed"]), token);
    assert.notEqual(idempotencyToken("prod", ["*.example.com", "example.com"], [], ["uid-1"]), token);
    assert.equal(
      idempotencyToken("prod", ["*.example.com", "example.com"], [], ["uid-2", "uid-1"]),
      idempotencyToken("prod", ["*.example.com", "example.com"], [], ["uid-1", "uid-2"]),
    );
  });

  it("a name not under the apex has no wildcard", () => {
    assert.equal(wildcardFor("shop.other.org", "example.com"), undefined);
  });
});
