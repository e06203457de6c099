// The route controller on the Gateway API data plane (gateway.provider
// gateway-api): what it applies for a route placed on a pool member, what it
// refuses, what it tells the team in status (the member's Gateway and the
// route's listener), and that a second pass writes nothing. The rendered
// objects' own shape is the renderers' tests' (render/gateway-api/); here the
// kinds, names and namespaces the controller writes, and its status.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { poolMembers } from "../../core/config/edge-pool.ts";
import type { GatewayApiImplementation, LoadBalancerName, PlatformConfig } from "../../core/config/platform-config.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { edgeOf } from "../edge/edge-condition.ts";
import { poolConfig } from "../edge/testing/pool-config.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { ALL_GATEWAY_API_RESOURCES } from "./render/gateway-api/kinds.ts";
import { externalServiceNameFor, listenerNameFor, routeObjectNameFor } from "./render/gateway-api/names.ts";
import { aGatewayApiConfig, AUTH_SERVICE, GATEWAY_NAMESPACE } from "./render/gateway-api/testing/gateway-api-config.ts";
import { PRODUCED_RESOURCES } from "./render/produced-resources.ts";
import { route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

const DOMAIN = "shop.example.com";
const NAME = routeObjectNameFor(DOMAIN);
const EXTERNAL = externalServiceNameFor(DOMAIN);
const PROTECTED = { protection: { provider: "sso", appId: "shop" } };

/** `Kind namespace/name` of every Gateway API data plane object and every Istio object in the store, sorted. */
function stored(w: World): string[] {
  return [...ALL_GATEWAY_API_RESOURCES, ...PRODUCED_RESOURCES]
    .flatMap((r) => w.api.server.objects(r).map((o) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`))
    .filter((v, i, all) => all.indexOf(v) === i)
    .sort();
}

/** Every object's `Kind namespace/name@resourceVersion`, and the route's: what a pass that writes nothing leaves as it was. */
function versions(w: World): string[] {
  const objects = [...ALL_GATEWAY_API_RESOURCES, ...PRODUCED_RESOURCES].flatMap((r) => w.api.server.objects(r));
  return [...objects, w.get("shop") as unknown as KubeObject]
    .map((o) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}@${o.metadata?.resourceVersion}`)
    .filter((v, i, all) => all.indexOf(v) === i)
    .sort();
}

/**
 * The route created and reconciled once; with `placed`, on the one member of
 * its class as the pool controller publishes it (on the Gateway API data plane
 * only the pool controller places a route: every route takes a listener).
 */
async function serve(config: PlatformConfig, spec: Partial<DomainRoute["spec"]> = {}, placed = true): Promise<World> {
  const w = world({ config });
  const created = await w.api.create(DOMAIN_ROUTES, route("shop", DOMAIN, spec));
  if (placed) {
    const member = poolMembers(config, (spec.lb ?? "alb-in") as LoadBalancerName)[0]!;
    w.edge.publish(new Map([["team-a/shop", { kind: "placed", uid: created.metadata!.uid!, edge: edgeOf(member) }]]));
  }
  await w.reconcile("shop");
  return w;
}

const envoy = aGatewayApiConfig("envoy-gateway");

describe("a route on the Gateway API data plane, placed on its pool member", () => {
  const cases: { name: string; implementation: GatewayApiImplementation; spec: Partial<DomainRoute["spec"]>; objects: string[]; ready: string }[] = [
    {
      name: "a Managed route to a Service gets an HTTPRoute in its namespace and no Istio object",
      implementation: "envoy-gateway",
      spec: {},
      objects: [`HTTPRoute team-a/${NAME}`],
      ready: "True Ready",
    },
    {
      name: "a route to an external address gets a selectorless Service and its EndpointSlice beside the HTTPRoute",
      implementation: "envoy-gateway",
      spec: { backend: { external: { ip: "203.0.113.10", port: 8080, protocol: "HTTP" } } },
      objects: [`EndpointSlice team-a/${EXTERNAL}`, `HTTPRoute team-a/${NAME}`, `Service team-a/${EXTERNAL}`],
      ready: "True Ready",
    },
    {
      name: "a protected route on Envoy Gateway gets a SecurityPolicy on its listener in the gateway namespace and the ReferenceGrant to its auth service",
      implementation: "envoy-gateway",
      spec: PROTECTED,
      objects: [`HTTPRoute team-a/${NAME}`, `ReferenceGrant ${AUTH_SERVICE.namespace}/${NAME}`, `SecurityPolicy ${GATEWAY_NAMESPACE}/${NAME}`],
      ready: "GatewayReady True Applied",
    },
    {
      name: "a protected route on Istio's Gateway API gets an AuthorizationPolicy in the gateway namespace",
      implementation: "istio",
      spec: PROTECTED,
      objects: [`AuthorizationPolicy ${GATEWAY_NAMESPACE}/${NAME}`, `HTTPRoute team-a/${NAME}`],
      ready: "GatewayReady True Applied",
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const w = await serve(aGatewayApiConfig(c.implementation), c.spec);
      // Grant names are the renderer's: compare kinds and namespaces for them.
      const found = stored(w).map((o) => (o.startsWith("ReferenceGrant ") ? o.replace(/\/.*$/, `/${NAME}`) : o));
      assert.deepEqual(found, c.objects);
      const status = w.get("shop")!.status!;
      assert.equal(status.gateway, `${GATEWAY_NAMESPACE}/alb-in`);
      assert.equal(status.gatewayListener, listenerNameFor(DOMAIN));
      assert.equal(status.edge?.dataPlane, "gateway-api");
      if (c.ready.startsWith("GatewayReady ")) assert.equal(`GatewayReady ${w.condition("shop", "GatewayReady")}`, c.ready);
      else assert.equal(w.condition("shop", "Ready"), c.ready);
    });
  }

  const appIdCases: { name: string; outcomes: ("published" | "conflict")[]; extensions: unknown }[] = [
    {
      name: "gives Envoy Gateway's auth server the appId the table published for the route",
      outcomes: ["published"],
      extensions: [{ name: "x-app-id", type: "Value", value: "shop" }],
    },
    { name: "takes the appId from Envoy Gateway's auth server once a second route claims it", outcomes: ["published", "conflict"], extensions: undefined },
  ];
  for (const c of appIdCases) {
    test(c.name, async () => {
      const w = await serve(envoy, PROTECTED);
      const uid = w.get("shop")!.metadata.uid!;
      for (const outcome of c.outcomes) {
        const others = ["team-b/other (other.example.com)"];
        w.appIds.publish(
          new Map([["team-a/shop", outcome === "published" ? { kind: outcome, uid, appId: "shop" } : { kind: outcome, uid, appId: "shop", others }]]),
        );
        await w.reconcile("shop");
      }
      const policy = w.api.server.objects(ALL_GATEWAY_API_RESOURCES.find((r) => r.kind === "SecurityPolicy")!)[0]!;
      assert.deepEqual((policy.spec as { extAuth: { contextExtensions?: unknown } }).extAuth.contextExtensions, c.extensions);
    });
  }

  test("the HTTPRoute attaches to the member's Gateway at the route's listener only", async () => {
    const w = await serve(envoy);
    const httpRoute = w.api.server.objects(ALL_GATEWAY_API_RESOURCES.find((r) => r.kind === "HTTPRoute")!)[0]!;
    const spec = httpRoute.spec as { parentRefs: { namespace: string; name: string; sectionName: string }[]; hostnames: string[] };
    assert.deepEqual(
      spec.parentRefs.map((p) => `${p.namespace}/${p.name}#${p.sectionName}`),
      [`${GATEWAY_NAMESPACE}/alb-in#${listenerNameFor(DOMAIN)}`],
    );
    assert.deepEqual(spec.hostnames, [DOMAIN]);
  });

  test("an External-mode route gets no HTTPRoute, and its status names the Gateway and the listener its team attaches to", async () => {
    const w = await serve(aGatewayApiConfig("istio"), { routing: { mode: "External" }, backend: undefined } as Partial<DomainRoute["spec"]>);
    assert.deepEqual(stored(w), []);
    const status = w.get("shop")!.status!;
    assert.deepEqual([status.gateway, status.gatewayListener], [`${GATEWAY_NAMESPACE}/alb-in`, listenerNameFor(DOMAIN)]);
    assert.equal(w.condition("shop", "GatewayReady"), "True Applied");
  });

  test("a backend moved back from another namespace takes its ReferenceGrant there with it", async () => {
    const w = await serve(envoy, { backend: { service: { name: "web", namespace: "team-b", port: 8080 } } });
    assert.deepEqual(
      stored(w).map((o) => o.replace(/\/.*$/, "")),
      ["HTTPRoute team-a", "ReferenceGrant team-b"],
    );
    const current = w.get("shop")!;
    await w.api.update(DOMAIN_ROUTES, { ...(current as unknown as KubeObject), spec: { ...current.spec, backend: { service: { name: "web", port: 8080 } } } });
    await w.reconcile("shop");
    // Left behind, it would still let team-a's HTTPRoutes reach team-b's Service.
    assert.deepEqual(stored(w), [`HTTPRoute team-a/${NAME}`]);
  });

  test("a write failure is reported as the Gateway API objects' and retried", async () => {
    const w = world({ config: envoy });
    const created = await w.api.create(DOMAIN_ROUTES, route("shop", DOMAIN));
    const member = poolMembers(envoy, "alb-in")[0]!;
    w.edge.publish(new Map([["team-a/shop", { kind: "placed", uid: created.metadata!.uid!, edge: edgeOf(member) }]]));
    w.api.failNext("create", new KubeApiError("500 InternalError: etcd timeout", 500, "InternalError"), "HTTPRoute");
    await assert.rejects(w.reconcile("shop"), /etcd timeout/);
    assert.equal(w.condition("shop", "GatewayReady"), "False ApplyFailed");
    assert.match(w.message("shop", "GatewayReady")!, /^the Gateway API objects could not be applied \(500 InternalError: etcd timeout\)/);
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "Ready"), "True Ready");
  });

  test("a second pass writes nothing: no object and no status changes", async () => {
    for (const config of [envoy, aGatewayApiConfig("istio")]) {
      const w = await serve(config, { ...PROTECTED, backend: { external: { ip: "203.0.113.10", port: 8080, protocol: "HTTP" } } });
      const before = versions(w);
      assert.ok(before.length > 1, "the first pass wrote objects");
      const result = await w.reconcile("shop");
      assert.deepEqual(versions(w), before);
      assert.equal(result.requeueAfterMs, undefined);
    }
  });
});

describe("a route the Gateway API data plane cannot serve", () => {
  test("a protected route on the AWS Load Balancer Controller is refused: nothing served, Ready False ProtectionUnsupported, no gateway in status", async () => {
    const w = await serve(aGatewayApiConfig("aws-load-balancer-controller"), PROTECTED);
    assert.deepEqual(stored(w), []);
    assert.equal(w.condition("shop", "GatewayReady"), "False ProtectionUnsupported");
    assert.equal(w.condition("shop", "Ready"), "False ProtectionUnsupported");
    assert.match(w.message("shop", "GatewayReady")!, /AWS Load Balancer Controller.*remove spec\.protection/);
    const status = w.get("shop")!.status!;
    assert.deepEqual([status.gateway, status.gatewayListener], [undefined, undefined]);
  });

  test("a served route that becomes protected on the AWS Load Balancer Controller loses everything it served", async () => {
    const w = await serve(aGatewayApiConfig("aws-load-balancer-controller"));
    assert.deepEqual(stored(w), [`HTTPRoute team-a/${NAME}`]);
    const current = w.get("shop")!;
    await w.api.update(DOMAIN_ROUTES, { ...(current as unknown as KubeObject), spec: { ...current.spec, ...PROTECTED } });
    await w.reconcile("shop");
    assert.deepEqual(stored(w), []);
    assert.equal(w.condition("shop", "Ready"), "False ProtectionUnsupported");
    assert.equal(w.get("shop")!.status!.gatewayListener, undefined);
  });

  test("a protected route whose provider has no Envoy Gateway auth service is refused", async () => {
    const w = await serve(aGatewayApiConfig("envoy-gateway", { authServices: {} }), PROTECTED);
    assert.deepEqual(stored(w), []);
    assert.equal(w.condition("shop", "Ready"), "False ProtectionUnsupported");
  });
});

describe("a route on the Gateway API data plane not placed yet", () => {
  // alb-out is a pool of two members: nothing is certain until the pool controller places the route.
  const pooled = (): PlatformConfig => {
    const base = poolConfig({}, "none");
    return { ...base, gateway: { ...envoy.gateway } };
  };

  test("gets nothing that serves and no gateway in status; Ready names the placement", async () => {
    const w = await serve(pooled(), { lb: "alb-out" }, false);
    assert.deepEqual(stored(w), []);
    assert.equal(w.condition("shop", "GatewayReady"), "False PlacementPending");
    assert.equal(w.condition("shop", "Ready"), "False PlacementPending");
    assert.match(w.message("shop", "GatewayReady")!, /no Gateway has a listener for shop\.example\.com until the route is placed/);
    const status = w.get("shop")!.status!;
    assert.deepEqual([status.gateway, status.gatewayListener, status.edge], [undefined, undefined, undefined]);
  });

  test("once placed, its HTTPRoute attaches to that member's Gateway in the same pass", async () => {
    const w = await serve(pooled(), { lb: "alb-out" }, false);
    const uid = w.get("shop")!.metadata.uid!;
    const edge = { loadBalancer: "alb-out", member: "public-2", target: "public-2.us-east-1.elb.amazonaws.com" };
    w.edge.publish(new Map([["team-a/shop", { kind: "placed", uid, edge }]]));
    await w.reconcile("shop");
    assert.deepEqual(stored(w), [`HTTPRoute team-a/${NAME}`]);
    const status = w.get("shop")!.status!;
    assert.deepEqual(status.edge, {
      ...edge,
      dataPlane: "gateway-api",
      implementation: "envoy-gateway",
      gatewayClassName: envoy.gateway.gatewayApi!.gatewayClassName,
    });
    assert.equal(status.gateway, `${GATEWAY_NAMESPACE}/public-2`);
    assert.equal(w.condition("shop", "Ready"), "True Ready");
  });
});

describe("status.edge.dataPlane", () => {
  test("a route placed before there was a data plane in status gets it written once, then nothing", async () => {
    const w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", DOMAIN));
    await w.reconcile("shop");
    // As a reconciler before issue 15 left it: status.edge without dataPlane.
    const placed = w.get("shop")!;
    const { dataPlane, ...legacy } = placed.status!.edge!;
    assert.equal(dataPlane, "istio");
    await w.api.updateStatus(DOMAIN_ROUTES, { ...(placed as unknown as KubeObject), status: { ...placed.status, edge: legacy } });
    await w.reconcile("shop");
    assert.deepEqual(w.get("shop")!.status!.edge, { ...legacy, dataPlane: "istio" });
    const before = w.get("shop")!.metadata.resourceVersion;
    await w.reconcile("shop");
    assert.equal(w.get("shop")!.metadata.resourceVersion, before);
  });

  test("the Istio data plane still renders its own objects and says istio", async () => {
    const w = await serve(world().deps.config);
    assert.deepEqual(
      stored(w).map((o) => o.split(" ")[0]),
      ["Gateway", "VirtualService"],
    );
    assert.equal(w.get("shop")!.status!.edge?.dataPlane, "istio");
    assert.equal(w.get("shop")!.status!.gatewayListener, undefined);
  });
});
