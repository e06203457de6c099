// A SecurityPolicy on an Envoy Gateway whose CRD lacks a field hostgate
// renders (extAuth.contextExtensions, added by envoyproxy/gateway#7383): the
// API server's default field validation would drop the field and accept the
// write, so the stored policy would never contain the render, every pass would
// write it again, and the auth server would never get the appId. hostgate
// writes Envoy Gateway's kinds with fieldValidation Strict, so the write is
// refused and the route says why (GatewayReady False ApplyFailed, naming the
// field), and nothing half-written is served.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { poolMembers } from "../../core/config/edge-pool.ts";
import { edgeOf } from "../edge/edge-condition.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { SECURITY_POLICY_RESOURCE } from "./render/gateway-api/kinds.ts";
import { aGatewayApiConfig } from "./render/gateway-api/testing/gateway-api-config.ts";
import { route, world } from "./testing/route-world.ts";

const DOMAIN = "shop.example.com";
const envoy = aGatewayApiConfig("envoy-gateway");

async function protectedRouteOnAnOldEnvoyGateway() {
  const w = world({ config: envoy });
  w.api.undeclared("SecurityPolicy", "spec.extAuth.contextExtensions");
  const created = await w.api.create(DOMAIN_ROUTES, route("shop", DOMAIN, { protection: { provider: "sso", appId: "shop" } }));
  const uid = created.metadata!.uid!;
  w.appIds.publish(new Map([["team-a/shop", { kind: "published", uid, appId: "shop" }]]));
  w.edge.publish(new Map([["team-a/shop", { kind: "placed", uid, edge: edgeOf(poolMembers(envoy, "alb-in")[0]!) }]]));
  return w;
}

describe("a protected route on an Envoy Gateway whose SecurityPolicy CRD lacks extAuth.contextExtensions", () => {
  test("is refused by the API server, not stored without the appId: GatewayReady False ApplyFailed names the field", async () => {
    const w = await protectedRouteOnAnOldEnvoyGateway();
    await assert.rejects(w.reconcile("shop"), /strict decoding error: unknown field "spec\.extAuth\.contextExtensions"/);
    assert.deepEqual(w.api.objects(SECURITY_POLICY_RESOURCE), [], "no SecurityPolicy without the appId");
    assert.equal(w.condition("shop", "GatewayReady"), "False ApplyFailed");
    assert.match(w.message("shop", "GatewayReady")!, /400 BadRequest: .*unknown field "spec\.extAuth\.contextExtensions"/);
  });

  test("is not written again and again: each pass fails the same way and stores nothing", async () => {
    const w = await protectedRouteOnAnOldEnvoyGateway();
    for (let pass = 0; pass < 3; pass++) await assert.rejects(w.reconcile("shop"), /unknown field/);
    assert.deepEqual(w.api.objects(SECURITY_POLICY_RESOURCE), []);
    assert.equal(w.condition("shop", "Ready"), "False ApplyFailed");
  });
});
