import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { ManualClock } from "../../../core/clock.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../../core/kube/testing/fake-kube-api.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { Condition, DomainRoute } from "../../../crds/types.ts";
import { resourceFor } from "../../apply/write-objects.ts";
import { CertificateOutcomes } from "../../certificates/certificate-outcomes.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import { listenerNameFor } from "../../domainroute/render/gateway-api/names.ts";
import { isLoginObject } from "../../domainroute/render/gateway-api/route-login.ts";
import { renderRoute } from "../../domainroute/render/render-route.ts";
import { FIELD_MANAGER, GATEWAYS } from "../../resources.ts";
import { reconcilePoolGateways } from "./reconcile-pool-gateways.ts";
import { renderPoolGateways } from "./render-pool-gateways.ts";
import { loginInPlace, routeControllerRefusal } from "./route-login-gate.ts";
import { claimsOf, GATEWAY_NAMESPACE as NS, placedRoute, gatewayApiConfigWithSso } from "./testing/gateway-api-config.ts";
import { putRoutes } from "./testing/routes-on-server.ts";

function protectedRoute(name: string, domain: string, member: string, provider = "sso"): DomainRoute {
  const route = placedRoute(name, domain, member);
  return { ...route, metadata: { ...route.metadata, generation: 2 }, spec: { ...route.spec, protection: { provider, appId: name } } };
}

function withGatewayReady(route: DomainRoute, reason: string, observedGeneration: number | undefined, status: "True" | "False" = "False"): DomainRoute {
  const condition: Condition = { type: "GatewayReady", status, reason, message: "the route says why", lastTransitionTime: "2026-01-01T00:00:00Z" };
  return { ...route, status: { ...route.status, conditions: [observedGeneration === undefined ? condition : { ...condition, observedGeneration }] } };
}

/** The route's login as the route controller renders it. */
function loginOf(route: DomainRoute, config: PlatformConfig): KubeObject {
  const login = renderRoute(route, config).objects.find(isLoginObject);
  assert.ok(login, "the route renders a login");
  return login;
}

const listenersOf = (gateway: KubeObject | undefined) =>
  ((gateway?.spec as { listeners?: { name: string }[] } | undefined)?.listeners ?? []).map((l) => l.name);

describe("routeControllerRefusal", () => {
  const route = placedRoute("shop", "shop.example.com", "public-1");
  const current = { ...route, metadata: { ...route.metadata, generation: 3 } };
  const cases = [
    { name: "reads an UnknownProvider refusal of the current generation", route: withGatewayReady(current, "UnknownProvider", 3), refused: "UnknownProvider" },
    { name: "reads a BackendRejected refusal of the current generation", route: withGatewayReady(current, "BackendRejected", 3), refused: "BackendRejected" },
    { name: "reads a name taken by someone else's object", route: withGatewayReady(current, "ObjectNotOwned", 3), refused: "ObjectNotOwned" },
    {
      name: "reads a name taken by another route's object",
      route: withGatewayReady(current, "ObjectOwnedByAnotherRoute", 3),
      refused: "ObjectOwnedByAnotherRoute",
    },
    { name: "reads an invalid spec", route: withGatewayReady(current, "InvalidSpec", 3), refused: "InvalidSpec" },
    {
      name: "ignores a refusal of an earlier generation (the route controller looks at the new spec again)",
      route: withGatewayReady(current, "UnknownProvider", 2),
    },
    { name: "ignores an apply failure (not a refusal: the objects already applied stay)", route: withGatewayReady(current, "ApplyFailed", 3) },
    { name: "ignores a route waiting for placement", route: withGatewayReady(current, "PlacementPending", 3) },
    { name: "ignores a served route", route: withGatewayReady(current, "Applied", 3, "True") },
    { name: "ignores a route with no status yet", route: current },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(routeControllerRefusal(c.route)?.reason, c.refused));
  }
});

describe("the pooled Gateways wait for each protected route's login", () => {
  let api: FakeKubeApi;
  let reader: ObjectReader;
  beforeEach(() => {
    api = new FakeKubeApi();
    reader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
  });
  const pass = (config: PlatformConfig) => {
    const deps = { api, reader, config, logger: silentLogger, clock: new ManualClock(), certificates: new CertificateOutcomes() };
    return reconcilePoolGateways(deps);
  };
  const shop = protectedRoute("shop", "shop.example.com", "public-1");
  const listener = listenerNameFor("shop.example.com");

  for (const implementation of ["envoy-gateway", "istio"] as const) {
    describe(`on ${implementation}`, () => {
      const config = gatewayApiConfigWithSso(implementation);
      it("gives a protected route no listener until its login is in the cache, then one", async () => {
        putRoutes(api, shop);
        const before = await pass(config);
        assert.deepEqual(listenersOf(api.server.get(GATEWAYS, { namespace: NS, name: "public-1" })), []);
        assert.deepEqual(
          before.skipped.map((s) => [s.routeRef, s.reason]),
          [["team-a/shop", "WaitingForLogin"]],
        );
        const login = loginOf(shop, config);
        await api.create(resourceFor(login), login, { fieldManager: FIELD_MANAGER });
        await pass(config);
        assert.deepEqual(listenersOf(api.server.get(GATEWAYS, { namespace: NS, name: "public-1" })), [listener]);
      });

      it("takes the listener away once the login is gone (the route controller pruned it)", async () => {
        putRoutes(api, shop, placedRoute("blog", "blog.example.com", "public-1"));
        const login = loginOf(shop, config);
        await api.create(resourceFor(login), login, { fieldManager: FIELD_MANAGER });
        await pass(config);
        assert.ok(listenersOf(api.server.get(GATEWAYS, { namespace: NS, name: "public-1" })).includes(listener));
        api.server.delete(resourceFor(login), { namespace: NS, name: login.metadata!.name! });
        await pass(config);
        assert.deepEqual(listenersOf(api.server.get(GATEWAYS, { namespace: NS, name: "public-1" })), [listenerNameFor("blog.example.com")]);
      });

      it("does not count a login hostgate did not write (its labels copied by hand)", async () => {
        putRoutes(api, shop);
        const login = loginOf(shop, config);
        await api.create(resourceFor(login), login, { fieldManager: "kubectl-create" });
        await pass(config);
        assert.deepEqual(listenersOf(api.server.get(GATEWAYS, { namespace: NS, name: "public-1" })), []);
      });

      it("does not count a login on another member's Gateway", async () => {
        putRoutes(api, shop);
        const login = loginOf(protectedRoute("shop", "shop.example.com", "public-2"), config);
        await api.create(resourceFor(login), login, { fieldManager: FIELD_MANAGER });
        assert.equal(loginInPlace(reader, config, shop, "public-1"), false);
        assert.equal(loginInPlace(reader, config, shop, "public-2"), true);
      });

      it("takes the listener away from a route the route controller refused, its login still there", async () => {
        putRoutes(api, shop);
        const login = loginOf(shop, config);
        await api.create(resourceFor(login), login, { fieldManager: FIELD_MANAGER });
        await pass(config);
        putRoutes(api, withGatewayReady(shop, "BackendRejected", 2));
        const outcome = await pass(config);
        assert.equal(api.server.get(GATEWAYS, { namespace: NS, name: "public-1" }), undefined, "no listener left: the Gateway goes");
        assert.deepEqual(
          outcome.skipped.map((s) => [s.routeRef, s.reason]),
          [["team-a/shop", "BackendRejected"]],
        );
      });
    });
  }

  it("gives an unprotected route its listener without any login", () => {
    const blog = placedRoute("blog", "blog.example.com", "public-1");
    assert.equal(loginInPlace(reader, gatewayApiConfigWithSso("envoy-gateway"), blog, "public-1"), true);
  });

  it("gives no listener to a protected route on Istio whose provider the platform does not list (the route controller refuses it, UnknownProvider)", () => {
    const external = protectedRoute("blog", "blog.example.com", "public-1", "nosuch");
    const rendered = renderPoolGateways([external], claimsOf([external]), gatewayApiConfigWithSso("istio"));
    assert.deepEqual(rendered.gateways, []);
    assert.deepEqual(
      rendered.skipped.map((s) => [s.routeRef, s.reason]),
      [["team-a/blog", "UnknownProvider"]],
    );
  });
});
