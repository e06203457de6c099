// On the Gateway API data plane a protected route's login (SecurityPolicy,
// AuthorizationPolicy) outlives its listener: the pool Gateways controller
// removes the listener of a deleting or refused route, and until it has, the
// route controller prunes everything else and keeps the login (a listener
// admits the team's own HTTPRoutes, which would be served without it).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { poolMembers } from "../../core/config/edge-pool.ts";
import type { GatewayApiImplementation } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { edgeOf } from "../edge/edge-condition.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, FIELD_MANAGER, GATEWAYS, SERVICES } from "../resources.ts";
import { LOGIN_HOLD_RECHECK_MS, ROUTE_FINALIZER } from "./plan-route.ts";
import { ALL_GATEWAY_API_RESOURCES } from "./render/gateway-api/kinds.ts";
import { listenerNameFor } from "./render/gateway-api/names.ts";
import { aGatewayApiConfig, GATEWAY_NAMESPACE } from "./render/gateway-api/testing/gateway-api-config.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "./render/metadata.ts";
import { route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

const DOMAIN = "shop.example.com";
/** The login, and on Envoy Gateway the ReferenceGrant to the auth service without which Envoy Gateway does not accept the SecurityPolicy. */
const LOGIN: Record<"envoy-gateway" | "istio", string[]> = { "envoy-gateway": ["ReferenceGrant", "SecurityPolicy"], istio: ["AuthorizationPolicy"] };

/** The kinds of the Gateway API data plane objects hostgate wrote for the route, sorted. */
const kinds = (w: World) =>
  ALL_GATEWAY_API_RESOURCES.flatMap((r) => w.api.server.objects(r))
    .filter((o) => (o.metadata?.labels as Record<string, string> | undefined)?.[LABEL_MANAGED_BY] === MANAGED_BY_HOSTGATE)
    .map((o) => o.kind!)
    .sort();

/** The protected route served on the one member of alb-in, and that member's pooled Gateway listing its listener (as the pool controller keeps it). */
async function served(implementation: GatewayApiImplementation): Promise<World> {
  const config = aGatewayApiConfig(implementation);
  const w = world({ config });
  const created = await w.api.create(DOMAIN_ROUTES, route("shop", DOMAIN, { protection: { provider: "sso", appId: "shop" } }));
  const member = poolMembers(config, "alb-in")[0]!;
  w.edge.publish(new Map([["team-a/shop", { kind: "placed", uid: created.metadata!.uid!, edge: edgeOf(member) }]]));
  await w.reconcile("shop");
  await w.api.create(
    GATEWAYS,
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: member.name, namespace: GATEWAY_NAMESPACE, labels: { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE } },
      spec: { gatewayClassName: "eg", listeners: [{ name: listenerNameFor(DOMAIN), hostname: DOMAIN, port: 80, protocol: "HTTP" }] },
    },
    { fieldManager: FIELD_MANAGER },
  );
  return w;
}

/** The pool controller took the route's listener away: the Gateway had no other. */
const listenerGone = (w: World) => w.api.server.delete(GATEWAYS, { namespace: GATEWAY_NAMESPACE, name: poolMembers(w.deps.config, "alb-in")[0]!.name });

for (const implementation of ["envoy-gateway", "istio"] as const) {
  const login = LOGIN[implementation];
  describe(`a protected route's ${login.join(" and ")} on ${implementation} goes only after its listener`, () => {
    test("a deleted route keeps its login, its claim and its finalizer while the listener is listed, then lets them go", async () => {
      const w = await served(implementation);
      assert.deepEqual(kinds(w), [...login, "HTTPRoute"].sort(), "served with its login");
      await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
      const held = await w.reconcile("shop");
      assert.deepEqual(kinds(w), login, "the HTTPRoute goes first; the login waits for the listener");
      assert.equal(held.requeueAfterMs, LOGIN_HOLD_RECHECK_MS);
      assert.ok(w.get("shop")?.metadata.finalizers?.includes(ROUTE_FINALIZER), "the finalizer stays");
      assert.notEqual(w.api.server.get(DOMAIN_CLAIMS, { name: DOMAIN }), undefined, "the claim stays");
      listenerGone(w);
      await w.reconcile("shop");
      assert.deepEqual(kinds(w), []);
      assert.equal(w.get("shop"), undefined, "the finalizer went and the route with it");
    });

    test("a refused route (its backend became an ExternalName Service) keeps its login until the listener is gone", async () => {
      const w = await served(implementation);
      const service: KubeObject = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: "team-a" },
        spec: { type: "ExternalName", externalName: "db.example.org" },
      };
      await w.api.create(SERVICES, service);
      const held = await w.reconcile("shop");
      assert.equal(w.condition("shop", "GatewayReady"), "False BackendRejected");
      assert.deepEqual(kinds(w), login);
      assert.equal(held.requeueAfterMs, LOGIN_HOLD_RECHECK_MS);
      listenerGone(w);
      await w.reconcile("shop");
      assert.deepEqual(kinds(w), []);
    });
  });
}

test("an unprotected route's objects go at once on deletion, its listener still listed (it has no login to keep)", async () => {
  const config = aGatewayApiConfig("envoy-gateway");
  const w = world({ config });
  const created = await w.api.create(DOMAIN_ROUTES, route("shop", DOMAIN));
  w.edge.publish(new Map([["team-a/shop", { kind: "placed", uid: created.metadata!.uid!, edge: edgeOf(poolMembers(config, "alb-in")[0]!) }]]));
  await w.reconcile("shop");
  await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
  await w.reconcile("shop");
  assert.deepEqual(kinds(w), []);
});
