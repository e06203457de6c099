import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainClaim, DomainRoute } from "../../../crds/types.ts";
import { certificateName } from "../../certificates/certificate-names.ts";
import { listenerNameFor } from "../../domainroute/render/gateway-api/names.ts";
import { defaultConfig } from "../../domainroute/testing/route-world.ts";
import { poolRoute } from "../testing/pool-config.ts";
import { certificateSecretFor, invalidListeners, renderPoolGateways } from "./render-pool-gateways.ts";
import { claimsOf, GATEWAY_NAMESPACE, gatewayApiConfig, placedRoute } from "./testing/gateway-api-config.ts";

type Listener = {
  name: string;
  hostname: string;
  port: number;
  protocol: string;
  tls?: unknown;
  allowedRoutes: { namespaces: { from: string; selector: { matchLabels: Record<string, string> } }; kinds: unknown[] };
};
type GatewaySpec = { gatewayClassName: string; listeners: Listener[]; infrastructure?: { labels: Record<string, string> } };
const specOf = (o: KubeObject) => o.spec as GatewaySpec;

const shop = placedRoute("shop", "shop.example.com", "public-1");
const blog = placedRoute("blog", "blog.example.com", "public-1", { namespace: "team-b" });
const api = placedRoute("api", "api.team.example.com", "public-2");
const three = [shop, blog, api];

function render(routes: readonly DomainRoute[], config: PlatformConfig, claims: readonly DomainClaim[] = claimsOf(routes)) {
  return renderPoolGateways(routes, claims, config);
}

describe("renderPoolGateways", () => {
  it("renders one Gateway per member serving a route, named after it, in the gateway namespace, of the configured class", () => {
    const { gateways, routesOn } = render(three, gatewayApiConfig());
    assert.deepEqual(
      gateways.map((g) => [g.apiVersion, g.kind, g.metadata?.namespace, g.metadata?.name, specOf(g).gatewayClassName]),
      [
        ["gateway.networking.k8s.io/v1", "Gateway", GATEWAY_NAMESPACE, "public-1", "hostgate"],
        ["gateway.networking.k8s.io/v1", "Gateway", GATEWAY_NAMESPACE, "public-2", "hostgate"],
      ],
    );
    assert.deepEqual(Object.fromEntries(routesOn), { "public-1": ["team-a/shop", "team-b/blog"], "public-2": ["team-a/api"] });
  });

  it("labels each Gateway managed-by hostgate and with its member", () => {
    const { gateways } = render([shop], gatewayApiConfig());
    assert.deepEqual(gateways[0]!.metadata?.labels, { "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/edge-member": "public-1" });
  });

  it("gives each route one listener named after its domain, for its hostname, sorted by name", () => {
    const { gateways } = render(three, gatewayApiConfig());
    const listeners = specOf(gateways[0]!).listeners;
    const expected = [
      { name: listenerNameFor("blog.example.com"), hostname: "blog.example.com" },
      { name: listenerNameFor("shop.example.com"), hostname: "shop.example.com" },
    ].sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(
      listeners.map((l) => ({ name: l.name, hostname: l.hostname })),
      expected,
    );
  });

  it("admits HTTPRoutes from the route's own namespace only", () => {
    const { gateways } = render([blog], gatewayApiConfig());
    assert.deepEqual(specOf(gateways[0]!).listeners[0]!.allowedRoutes, {
      kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
      namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "team-b" } } },
    });
  });

  describe("terminates TLS as the implementation and the certificates provider allow", () => {
    const secret = (name: string) => ({ mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name }] });
    const cases = [
      {
        name: "cert-manager on envoy-gateway: HTTPS 443 with the route's wildcard certificate Secret",
        config: gatewayApiConfig({ certificates: "cert-manager" }),
        listener: { port: 443, protocol: "HTTPS", tls: secret(certificateName("*.example.com")) },
      },
      {
        name: "cert-manager with importToAcm on istio: still the Secret (the Gateway terminates)",
        config: gatewayApiConfig({ implementation: "istio", certificates: "cert-manager", importToAcm: true }),
        listener: { port: 443, protocol: "HTTPS", tls: secret(certificateName("*.example.com")) },
      },
      {
        name: "ACM on the AWS Load Balancer Controller: HTTPS 443 without tls (the LBC finds the certificate in ACM by hostname)",
        config: gatewayApiConfig({ implementation: "aws-load-balancer-controller", certificates: "acm" }),
        listener: { port: 443, protocol: "HTTPS" },
      },
      {
        name: "cert-manager imported to ACM on the AWS Load Balancer Controller: HTTPS 443 without tls",
        config: gatewayApiConfig({ implementation: "aws-load-balancer-controller", certificates: "cert-manager", importToAcm: true }),
        listener: { port: 443, protocol: "HTTPS" },
      },
      {
        name: "ACM on envoy-gateway (TLS ends at the ALB in front): HTTP 80",
        config: gatewayApiConfig({ certificates: "acm" }),
        listener: { port: 80, protocol: "HTTP" },
      },
      { name: "no certificates: HTTP 80", config: gatewayApiConfig(), listener: { port: 80, protocol: "HTTP" } },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const listener = specOf(render([shop], c.config).gateways[0]!).listeners[0]!;
        assert.deepEqual({ port: listener.port, protocol: listener.protocol, ...(listener.tls === undefined ? {} : { tls: listener.tls }) }, c.listener);
      });
    }

    it("a name two labels below the apex uses its parent's wildcard Secret", () => {
      assert.equal(certificateSecretFor("api.team.example.com", defaultConfig), certificateName("*.team.example.com"));
      const listener = specOf(render([api], gatewayApiConfig({ certificates: "cert-manager" })).gateways[0]!).listeners[0]!;
      assert.deepEqual(listener.tls, secret(certificateName("*.team.example.com")));
    });
  });

  describe("renders no listener where TLS cannot be served as configured, and says why", () => {
    const cases = [
      {
        name: "cert-manager alone on the AWS Load Balancer Controller (it cannot read a Secret)",
        config: gatewayApiConfig({ implementation: "aws-load-balancer-controller", certificates: "cert-manager" }),
        message: /aws-load-balancer-controller cannot serve a cert-manager Secret .*set certificates\.provider: acm .* or none/,
      },
      {
        name: "cert-manager issuing into another namespace than the Gateways'",
        config: gatewayApiConfig({ certificates: "cert-manager", certManagerNamespace: "cert-manager" }),
        message: /certificates\.certManager\.namespace \(cert-manager\) must be gateway\.namespace \(edge\)/,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const rendered = render([shop], c.config);
        assert.deepEqual(rendered.gateways, []);
        assert.deepEqual(
          rendered.skipped.map((s) => [s.routeRef, s.member, s.reason]),
          [["team-a/shop", "public-1", "ListenerUnsupported"]],
        );
        assert.match(rendered.skipped[0]!.message, c.message);
      });
    }
  });

  it("gives a route under none of the platform's apexes no HTTPS listener (it has no certificate), and says why", () => {
    const stray = placedRoute("stray", "shop.elsewhere.org", "public-1");
    const rendered = render([stray, blog], gatewayApiConfig({ certificates: "cert-manager" }));
    assert.deepEqual(
      rendered.gateways.flatMap((g) => specOf(g).listeners.map((l) => l.hostname)),
      ["blog.example.com"],
    );
    assert.deepEqual(
      rendered.skipped.map((s) => [s.routeRef, s.reason]),
      [["team-a/stray", "NoCertificate"]],
    );
    assert.match(rendered.skipped[0]!.message, /shop\.elsewhere\.org is under none of the platform's domains/);
  });

  it("with Istio's implementation puts gateway.selector on the Gateway's pods (spec.infrastructure.labels)", () => {
    assert.deepEqual(specOf(render([shop], gatewayApiConfig({ implementation: "istio" })).gateways[0]!).infrastructure, {
      labels: { istio: "ingressgateway" },
    });
    assert.equal(specOf(render([shop], gatewayApiConfig()).gateways[0]!).infrastructure, undefined, "not on envoy-gateway");
  });

  describe("gives no listener to a route that is not to be served", () => {
    const unclaimed = placedRoute("unclaimed", "unclaimed.example.com", "public-1");
    const deleting = { ...shop, metadata: { ...shop.metadata, deletionTimestamp: "2026-01-02T00:00:00Z" } };
    const unplaced = poolRoute("unplaced", "unplaced.example.com", 3);
    const cases = [
      { name: "one that does not hold its claim", route: unclaimed, claims: [] },
      { name: "one that another route's claim names", route: shop, claims: claimsOf([{ ...shop, metadata: { ...shop.metadata, uid: "uid-other" } }]) },
      { name: "one being deleted", route: deleting, claims: claimsOf([deleting]) },
      { name: "one of a pool not placed yet", route: unplaced, claims: claimsOf([unplaced]) },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const rendered = render([c.route, blog], gatewayApiConfig(), [...c.claims, ...claimsOf([blog])]);
        assert.deepEqual(
          rendered.gateways.flatMap((g) => specOf(g).listeners.map((l) => l.hostname)),
          ["blog.example.com"],
        );
        assert.deepEqual(rendered.skipped, []);
      });
    }

    it("one the data plane refuses (a protected route on the AWS Load Balancer Controller), reported with the refusal", () => {
      const guarded = { ...shop, spec: { ...shop.spec, protection: { provider: "sso", appId: "shop" } } } as DomainRoute;
      const rendered = render([guarded, blog], gatewayApiConfig({ implementation: "aws-load-balancer-controller" }));
      assert.deepEqual(
        rendered.gateways.flatMap((g) => specOf(g).listeners.map((l) => l.hostname)),
        ["blog.example.com"],
      );
      assert.deepEqual(
        rendered.skipped.map((s) => [s.routeRef, s.member, s.reason]),
        [["team-a/shop", "public-1", "ProtectionUnsupported"]],
      );
    });
  });

  describe("places a route on the member its status.edge names", () => {
    const internal = (edge?: string): DomainRoute => {
      const route = poolRoute("intranet", "intranet.corp.example.net", 1);
      return {
        ...route,
        spec: { ...route.spec, lb: "alb-in" },
        ...(edge === undefined ? {} : { status: { edge: { loadBalancer: "alb-in", member: edge, target: `${edge}.gw.example.com` } } }),
      } as DomainRoute;
    };
    const autoscaling = (): PlatformConfig => {
      const config = gatewayApiConfig();
      const capacity = { certificates: 25, rules: 100, targetGroups: 100, listeners: 64 };
      const autoscale = { prefix: "gw-in", maxMembers: 5, gatewayDomain: "gw.example.com", capacity };
      return { ...config, loadBalancers: { ...config.loadBalancers, "alb-in": { ...config.loadBalancers["alb-in"], autoscale } } };
    };
    const cases = [
      {
        name: "a class of one entry: that entry's Gateway",
        route: internal("alb-in"),
        config: gatewayApiConfig(),
        gateways: [["alb-in", ["intranet.corp.example.net"]]],
      },
      {
        name: "a class of one entry without status.edge: none yet (only the pool controller puts a listener on a Gateway)",
        route: internal(),
        config: gatewayApiConfig(),
        gateways: [],
      },
      {
        name: "an autoscaled member: its own Gateway",
        route: internal("gw-in-03"),
        config: autoscaling(),
        gateways: [["gw-in-03", ["intranet.corp.example.net"]]],
      },
      { name: "a member the config no longer has: none", route: internal("gw-in-03"), config: gatewayApiConfig(), gateways: [] },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const { gateways } = render([c.route], c.config);
        assert.deepEqual(
          gateways.map((g) => [g.metadata?.name, specOf(g).listeners.map((l) => l.hostname)]),
          c.gateways,
        );
      });
    }
  });

  it("renders nothing with gateway.provider istio", () => {
    const istio = { ...gatewayApiConfig(), gateway: { ...gatewayApiConfig().gateway, provider: "istio" as const } };
    assert.deepEqual(render(three, istio), { gateways: [], routesOn: new Map(), held: [], skipped: [] });
  });

  it("is deterministic: the same routes in any order render byte-identical Gateways", () => {
    const config = gatewayApiConfig({ certificates: "cert-manager" });
    const once = JSON.stringify(render(three, config).gateways);
    assert.equal(JSON.stringify(render([...three].reverse(), config, claimsOf(three).reverse()).gateways), once);
    assert.equal(JSON.stringify(render([api, shop, blog], config).gateways), once);
  });

  describe("never renders a Gateway the API server would refuse: its member is held", () => {
    it("more than 64 listeners", () => {
      const many = Array.from({ length: 65 }, (_, i) => placedRoute(`r${i}`, `r${i}.example.com`, "public-1"));
      const rendered = render([...many, api], gatewayApiConfig());
      assert.deepEqual(
        rendered.gateways.map((g) => g.metadata?.name),
        ["public-2"],
      );
      assert.equal(rendered.held.length, 1);
      assert.equal(rendered.held[0]!.member, "public-1");
      assert.match(rendered.held[0]!.message, /Gateway edge\/public-1 is not written: it would have 65 listeners and the Gateway API allows 64/);
      assert.equal(rendered.routesOn.get("public-1")?.length, 65);
    });

    it("64 listeners are rendered", () => {
      const many = Array.from({ length: 64 }, (_, i) => placedRoute(`r${i}`, `r${i}.example.com`, "public-1"));
      assert.equal(specOf(render(many, gatewayApiConfig()).gateways[0]!).listeners.length, 64);
    });

    const listener = (name: string, hostname: string) => ({ name, hostname, port: 80, protocol: "HTTP" });
    const cases = [
      { name: "two listeners with one name", listeners: [listener("a", "a.example.com"), listener("a", "b.example.com")], problem: /named a/ },
      {
        name: "two listeners for one hostname and port",
        listeners: [listener("a", "a.example.com"), listener("b", "a.example.com")],
        problem: /a\.example\.com on HTTP port 80/,
      },
    ];
    for (const c of cases) {
      it(c.name, () => assert.match(invalidListeners(c.listeners) ?? "", c.problem));
    }
  });
});

describe("renderPoolGateways with a GatewayClass per class", () => {
  it("gives each member's Gateway its class's GatewayClass (gatewayApi.gatewayClassNames, else gatewayClassName)", () => {
    const base = gatewayApiConfig();
    const config: PlatformConfig = {
      ...base,
      gateway: { ...base.gateway, gatewayApi: { ...base.gateway.gatewayApi!, gatewayClassNames: { "alb-in": "hostgate-internal" } } },
    };
    const inside = {
      ...placedRoute("wiki", "wiki.example.com", "alb-in"),
      spec: { ...placedRoute("wiki", "wiki.example.com", "alb-in").spec, lb: "alb-in" as const },
    };
    const internal = { ...inside, status: { ...inside.status, edge: { loadBalancer: "alb-in", member: "alb-in", target: "alb-in.gw.example.com" } } };
    const routes = [placedRoute("shop", "shop.example.com", "public-1"), internal];
    const { gateways } = renderPoolGateways(routes, claimsOf(routes), config);
    assert.deepEqual(
      gateways.map((g) => [g.metadata?.name, (g.spec as { gatewayClassName: string }).gatewayClassName]),
      [
        ["alb-in", "hostgate-internal"],
        ["public-1", "hostgate"],
      ],
    );
  });
});
