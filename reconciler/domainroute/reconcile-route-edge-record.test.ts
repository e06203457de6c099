// status.edge records what serves a route, for the mode-switch gate
// (reconciler/manager/data-plane-gate.ts): the data plane, and on the Gateway
// API data plane the implementation and GatewayClass. A route placed before
// they were recorded gets them written once, then nothing.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { poolMembers } from "../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { edgeOf } from "../edge/edge-condition.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { aGatewayApiConfig } from "./render/gateway-api/testing/gateway-api-config.ts";
import { route, world } from "./testing/route-world.ts";

async function placed(config: PlatformConfig) {
  const w = world({ config });
  const created = await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
  w.edge.publish(new Map([["team-a/shop", { kind: "placed", uid: created.metadata!.uid!, edge: edgeOf(poolMembers(config, "alb-in")[0]!) }]]));
  await w.reconcile("shop");
  return w;
}

describe("status.edge records what serves the route", () => {
  for (const implementation of ["envoy-gateway", "istio", "aws-load-balancer-controller"] as const) {
    test(`on the Gateway API with ${implementation}: the data plane, the implementation and the GatewayClass`, async () => {
      const config = aGatewayApiConfig(implementation);
      const w = await placed(config);
      const edge = w.get("shop")!.status!.edge!;
      assert.deepEqual(
        [edge.dataPlane, edge.implementation, edge.gatewayClassName],
        ["gateway-api", implementation, config.gateway.gatewayApi!.gatewayClassName],
      );
    });
  }

  test("a route placed before the implementation and GatewayClass were recorded gets them written once, then nothing", async () => {
    const config = aGatewayApiConfig("istio");
    const w = await placed(config);
    const current = w.get("shop")!;
    const { implementation: _implementation, gatewayClassName: _className, ...legacy } = current.status!.edge!;
    await w.api.updateStatus(DOMAIN_ROUTES, { ...(current as unknown as KubeObject), status: { ...current.status, edge: legacy } });
    await w.reconcile("shop");
    assert.deepEqual(w.get("shop")!.status!.edge, { ...legacy, implementation: "istio", gatewayClassName: config.gateway.gatewayApi!.gatewayClassName });
    const before = w.get("shop")!.metadata.resourceVersion;
    await w.reconcile("shop");
    assert.equal(w.get("shop")!.metadata.resourceVersion, before);
  });

  test("on the Istio data plane: the data plane only", async () => {
    const w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    await w.reconcile("shop");
    const edge = w.get("shop")!.status!.edge!;
    assert.deepEqual([edge.dataPlane, edge.implementation, edge.gatewayClassName], ["istio", undefined, undefined]);
  });
});
