import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { ManualClock } from "../../../core/clock.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../../core/kube/testing/fake-kube-api.ts";
import { silentLogger } from "../../../core/logger.ts";
import { CertificateOutcomes } from "../../certificates/certificate-outcomes.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import { GATEWAYS } from "../../resources.ts";
import { reconcilePoolGateways } from "./reconcile-pool-gateways.ts";
import { GATEWAY_NAMESPACE as NS, gatewayApiConfig, placedRoute } from "./testing/gateway-api-config.ts";
import { putRoutes } from "./testing/routes-on-server.ts";

const withClass = (config: PlatformConfig, gatewayClassName: string): PlatformConfig => ({
  ...config,
  gateway: { ...config.gateway, gatewayApi: { ...config.gateway.gatewayApi!, gatewayClassName } },
});
const classOf = (gateway: KubeObject | undefined) => (gateway?.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName;

describe("a pooled Gateway's GatewayClass never changes under it", () => {
  let api: FakeKubeApi;
  let reader: ObjectReader;
  const config = gatewayApiConfig();
  beforeEach(() => {
    api = new FakeKubeApi();
    reader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
  });
  const pass = (c: PlatformConfig) => {
    const deps = { api, reader, config: c, logger: silentLogger, clock: new ManualClock(), certificates: new CertificateOutcomes() };
    return reconcilePoolGateways(deps);
  };
  const gateway = (name: string) => api.server.get(GATEWAYS, { namespace: NS, name });

  it("holds a member whose Gateway is of another class than the config's: left as it is, the pass failing saying why and what to do", async () => {
    putRoutes(api, placedRoute("shop", "shop.example.com", "public-1"));
    await pass(config);
    const before = gateway("public-1");
    assert.equal(classOf(before), "hostgate");
    putRoutes(api, placedRoute("shop", "shop.example.com", "public-1"), placedRoute("blog", "blog.example.com", "public-1"));
    await assert.rejects(
      pass(withClass(config, "eg-new")),
      /the Gateway edge\/public-1 is of GatewayClass "hostgate" and gateway\.gatewayApi\.gatewayClassName is "eg-new": hostgate never changes a pooled Gateway's class .* set gateway\.gatewayApi\.gatewayClassName back to "hostgate", or migrate/,
    );
    assert.deepEqual(gateway("public-1"), before, "not written, not deleted");
  });

  it("gives a new member's Gateway the configured class", async () => {
    putRoutes(api, placedRoute("shop", "shop.example.com", "public-1"));
    await pass(config);
    putRoutes(api, placedRoute("shop", "shop.example.com", "public-1"), placedRoute("api", "api.example.com", "public-2"));
    await assert.rejects(pass(withClass(config, "eg-new")), /edge\/public-1 is of GatewayClass "hostgate"/);
    assert.equal(classOf(gateway("public-2")), "eg-new");
  });
});
