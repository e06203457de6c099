// The pooled Gateways' identity-header ClientTrafficPolicies through the pool
// Gateways controller's pass (reconcile-pool-gateways.ts) on the in-memory API
// server: one per Gateway on Envoy Gateway, written before its Gateway and
// deleted after it, never over someone else's object, and none at all with
// the other implementations.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { KubeApiError } from "../../../core/kube/api-error.ts";
import type { GatewayApiImplementation, PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../../core/kube/testing/fake-kube-api.ts";
import { ManualClock } from "../../../core/clock.ts";
import { silentLogger } from "../../../core/logger.ts";
import { CertificateOutcomes } from "../../certificates/certificate-outcomes.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import { CLIENT_TRAFFIC_POLICY_RESOURCE, renderIdentityHeaderStrip } from "../../domainroute/render/gateway-api/identity-header-strip.ts";
import { GATEWAYS } from "../../resources.ts";
import { identityHeaderStripsNeeded } from "./identity-header-strips.ts";
import { reconcilePoolGateways } from "./reconcile-pool-gateways.ts";
import { GATEWAY_NAMESPACE as NS, gatewayApiConfig, placedRoute } from "./testing/gateway-api-config.ts";
import { putRoutes, removeRoute } from "./testing/routes-on-server.ts";

const CTP = CLIENT_TRAFFIC_POLICY_RESOURCE;
const POLICIES = `${CTP.resource}.${CTP.group}`;
const GATEWAYS_NAME = `${GATEWAYS.resource}.${GATEWAYS.group}`;

describe("the pooled Gateways' identity-header ClientTrafficPolicies", () => {
  let api: FakeKubeApi;
  let reader: ObjectReader;
  const config = gatewayApiConfig({ implementation: "envoy-gateway" });
  const pass = (c: PlatformConfig = config) =>
    reconcilePoolGateways({ api, reader, config: c, logger: silentLogger, clock: new ManualClock(), certificates: new CertificateOutcomes() });
  const policy = (gateway: string) => api.server.get(CTP, { namespace: NS, name: `${gateway}-identity-header` });
  const policies = () => api.objects({ ...CTP, namespace: NS }).map((o) => o.metadata?.name);
  const gateway = (name: string) => api.server.get(GATEWAYS, { namespace: NS, name });
  /** `verb kind key` of each write since the last call. */
  const writes = () =>
    api.takeWrites().map((w) => `${w.verb} ${w.resource === POLICIES ? "policy" : w.resource === GATEWAYS_NAME ? "gateway" : w.resource} ${w.key}`);
  const shop = placedRoute("shop", "shop.example.com", "public-1");
  const api2 = placedRoute("api", "api.example.com", "public-2");

  beforeEach(() => {
    api = new FakeKubeApi();
    reader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
  });

  const implementations: { implementation: GatewayApiImplementation; needed: boolean }[] = [
    { implementation: "envoy-gateway", needed: true },
    { implementation: "istio", needed: false },
    { implementation: "aws-load-balancer-controller", needed: false },
  ];
  for (const c of implementations) {
    it(`are ${c.needed ? "" : "not "}kept with implementation ${c.implementation}${c.needed ? "" : " (no ClientTrafficPolicy is read or written)"}`, async () => {
      const configured = gatewayApiConfig({ implementation: c.implementation });
      assert.equal(identityHeaderStripsNeeded(configured), c.needed);
      putRoutes(api, shop);
      const guarded: ObjectReader = {
        get: (r, k) => (r.resource === CTP.resource ? assert.fail("a ClientTrafficPolicy was read") : api.server.get(r, k)),
        list: (r) => (r.resource === CTP.resource ? assert.fail("ClientTrafficPolicies were listed") : api.server.objects(r)),
      };
      if (!c.needed) reader = guarded;
      await pass(configured);
      assert.deepEqual(policies(), c.needed ? ["public-1-identity-header"] : []);
      assert.notEqual(gateway("public-1"), undefined);
    });
  }

  it("writes each Gateway's policy before the Gateway, as rendered, and nothing on a second pass", async () => {
    putRoutes(api, shop, api2);
    const outcome = await pass();
    assert.deepEqual(writes(), [
      `create policy ${NS}/public-1-identity-header`,
      `create policy ${NS}/public-2-identity-header`,
      `create gateway ${NS}/public-1`,
      `create gateway ${NS}/public-2`,
    ]);
    assert.deepEqual(outcome.identityHeaderStrips, { written: [`${NS}/public-1-identity-header`, `${NS}/public-2-identity-header`], deleted: [] });
    assert.deepEqual(policy("public-1")?.spec, renderIdentityHeaderStrip("public-1", config).spec);
    await pass();
    assert.deepEqual(writes(), []);
  });

  it("reverts a hand edit of a policy and re-creates a deleted one", async () => {
    putRoutes(api, shop);
    await pass();
    const current = policy("public-1")!;
    await api.update(
      CTP,
      { ...current, spec: { ...(current.spec as object), headers: { earlyRequestHeaders: { remove: ["x-other"] } } } },
      { fieldManager: "kubectl-edit" },
    );
    await pass();
    assert.deepEqual(policy("public-1")?.spec, renderIdentityHeaderStrip("public-1", config).spec);
    api.server.delete(CTP, { namespace: NS, name: "public-1-identity-header" });
    await pass();
    assert.deepEqual(policy("public-1")?.spec, renderIdentityHeaderStrip("public-1", config).spec);
  });

  it("never writes over someone else's ClientTrafficPolicy at the name, and then writes no Gateway for that member (it must not serve without one)", async () => {
    const foreign: KubeObject = {
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "ClientTrafficPolicy",
      metadata: { namespace: NS, name: "public-1-identity-header" },
      spec: { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "public-1" }] },
    };
    await api.create(CTP, foreign, { fieldManager: "kubectl-create" });
    const before = policy("public-1");
    putRoutes(api, shop, api2);
    await assert.rejects(
      pass(),
      /ClientTrafficPolicy edge\/public-1-identity-header exists and hostgate did not create it .* pooled Gateway public-1 is not written/,
    );
    assert.deepEqual(policy("public-1"), before);
    assert.equal(gateway("public-1"), undefined);
    assert.notEqual(gateway("public-2"), undefined, "the other members are served");
  });

  it("a Gateway whose policy could not be written is not written (created or changed)", async () => {
    putRoutes(api, shop);
    api.failNext("create", new KubeApiError("500 Internal Server Error: etcd unavailable", 500, "InternalError"), "ClientTrafficPolicy");
    await assert.rejects(pass(), /writing ClientTrafficPolicy edge\/public-1-identity-header: 500/);
    assert.equal(gateway("public-1"), undefined);
    await pass();
    assert.notEqual(policy("public-1"), undefined);
    assert.notEqual(gateway("public-1"), undefined);
  });

  it("deletes a policy after its Gateway, with preconditions, once the member's last route has gone", async () => {
    putRoutes(api, shop, api2);
    await pass();
    writes();
    removeRoute(api, api2);
    const outcome = await pass();
    assert.deepEqual(writes(), [`delete gateway ${NS}/public-2`, `delete policy ${NS}/public-2-identity-header`]);
    assert.deepEqual(outcome.identityHeaderStrips.deleted, [`${NS}/public-2-identity-header`]);
    assert.deepEqual(policies(), ["public-1-identity-header"]);
  });

  it("keeps a policy while its Gateway's delete fails: the Gateway never serves without it", async () => {
    putRoutes(api, shop, api2);
    await pass();
    removeRoute(api, api2);
    api.failNext("delete", new KubeApiError("500 Internal Server Error: etcd unavailable", 500, "InternalError"), "Gateway");
    await assert.rejects(pass(), /deleting Gateway edge\/public-2: 500/);
    assert.notEqual(gateway("public-2"), undefined);
    assert.notEqual(policy("public-2"), undefined);
    await pass();
    assert.deepEqual([gateway("public-2"), policy("public-2")], [undefined, undefined]);
  });

  it("leaves a policy it did not make (another field manager) when its member has no route", async () => {
    await api.create(CTP, renderIdentityHeaderStrip("public-2", config), { fieldManager: "kubectl-create" });
    putRoutes(api, shop);
    await pass();
    assert.deepEqual(policies(), ["public-1-identity-header", "public-2-identity-header"]);
  });
});
