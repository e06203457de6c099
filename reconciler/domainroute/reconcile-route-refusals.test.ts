// Issue 10, items 6 and 9 (the route controller's half): a route whose
// backend is an ExternalName Service, or whose protection provider the
// platform does not list, gets nothing served (no Gateway, VirtualService or
// AuthorizationPolicy; what an earlier spec had is removed) and Ready=False
// with a stable reason, until that changes.
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { DOMAIN_ROUTES, SERVICES } from "../resources.ts";
import { defaultConfig, route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

function service(name: string, namespace: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec };
}
const externalName = (target: string) => ({ type: "ExternalName", externalName: target });
const clusterIp = { type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 8080 }] };

async function setService(w: World, object: KubeObject): Promise<void> {
  const current = w.api.server.get(SERVICES, { namespace: object.metadata!.namespace!, name: object.metadata!.name! });
  if (current === undefined) await w.api.create(SERVICES, object);
  else await w.api.update(SERVICES, { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata!.resourceVersion } });
}

describe("a route whose backend Service is of type ExternalName", () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });

  const cases = [
    {
      name: "in the route's namespace, pointing at a metadata address",
      backend: { name: "web", port: 8080 },
      at: ["web", "team-a"],
      target: "169.254.169.254",
    },
    {
      name: "in another namespace, pointing at another cluster",
      backend: { name: "api", namespace: "shared", port: 8080 },
      at: ["api", "shared"],
      target: "api.other-cluster.example.net",
    },
  ] as const;
  for (const c of cases) {
    test(`gets no VirtualService and Ready=False BackendRejected naming the Service (${c.name})`, async () => {
      await setService(w, service(c.at[0], c.at[1], externalName(c.target)));
      await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { backend: { service: { ...c.backend } } }));
      await w.reconcile("shop");
      assert.deepEqual(w.produced(), [], "nothing is served for the domain");
      assert.equal(w.condition("shop", "Ready"), "False BackendRejected");
      assert.equal(w.condition("shop", "GatewayReady"), "False BackendRejected");
      const message = w.message("shop", "GatewayReady")!;
      assert.match(message, new RegExp(`Service ${c.at[1]}/${c.at[0]}, which is of type ExternalName`));
      assert.ok(message.includes(JSON.stringify(c.target)), message);
    });
  }

  test("is served once the Service is a normal one, and served no more when it becomes an ExternalName again", async () => {
    await setService(w, service("web", "team-a", externalName("169.254.169.254")));
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    await w.reconcile("shop");
    await setService(w, service("web", "team-a", clusterIp));
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "Ready"), "True Ready");
    assert.ok(
      w.produced().some((p) => p.startsWith("VirtualService team-a/")),
      w.produced().join(),
    );
    await setService(w, service("web", "team-a", externalName("db.internal.example.net")));
    await w.reconcile("shop");
    assert.deepEqual(w.produced(), [], "the VirtualService and the Gateway were removed");
    assert.equal(w.condition("shop", "Ready"), "False BackendRejected");
  });

  test("is served when the Service does not exist yet (nothing leaves the cluster)", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "Ready"), "True Ready");
  });

  test("in External routing mode, where hostgate routes nothing, is not looked at", async () => {
    await setService(w, service("web", "team-a", externalName("169.254.169.254")));
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { routing: { mode: "External" }, backend: undefined }));
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "GatewayReady"), "True Applied");
  });
});

describe("a route whose protection provider the platform does not list", () => {
  let w: World;
  beforeEach(async () => {
    w = world();
  });

  test("gets no Gateway, VirtualService or AuthorizationPolicy, and Ready=False UnknownProvider naming the provider", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { protection: { provider: "ssoo", appId: "shop" } }));
    await w.reconcile("shop");
    assert.deepEqual(w.produced(), []);
    assert.equal(w.condition("shop", "Ready"), "False UnknownProvider");
    assert.equal(w.condition("shop", "GatewayReady"), "False UnknownProvider");
    assert.match(w.message("shop", "GatewayReady")!, /spec\.protection\.provider is "ssoo", which the platform does not list \(it lists sso\)/);
    assert.equal(w.get("shop")!.status!.gateway, undefined, "no gateway serves it");
  });

  test("that was served before the provider left the config has everything removed", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { protection: { provider: "sso", appId: "shop" } }));
    await w.reconcile("shop");
    assert.deepEqual(
      w.produced().map((p) => p.split(" ")[0]),
      ["AuthorizationPolicy", "Gateway", "VirtualService"],
    );
    w.deps.config = { ...defaultConfig, protection: { ...defaultConfig.protection, providers: [] } };
    await w.reconcile("shop");
    assert.deepEqual(w.produced(), []);
    assert.match(w.message("shop", "GatewayReady")!, /it lists none/);
  });

  test("takes ProtectionReady=False UnknownProvider from the appId table's outcome, and Ready stays False", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { protection: { provider: "ssoo", appId: "shop" } }));
    await w.reconcile("shop");
    const uid = w.get("shop")!.metadata.uid!;
    w.appIds.publish(new Map([["team-a/shop", { kind: "unknownProvider", uid, appId: "shop", provider: "ssoo" }]]));
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "ProtectionReady"), "False UnknownProvider");
    assert.match(w.message("shop", "ProtectionReady")!, /spec\.protection\.provider is "ssoo"/);
    assert.equal(w.condition("shop", "Ready"), "False UnknownProvider");
    assert.deepEqual(w.produced(), []);
  });

  test("is served once its provider is a listed one", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { protection: { provider: "ssoo", appId: "shop" } }));
    await w.reconcile("shop");
    const current = w.get("shop")! as DomainRoute;
    await w.api.update(DOMAIN_ROUTES, { ...(current as unknown as KubeObject), spec: { ...current.spec, protection: { provider: "sso", appId: "shop" } } });
    await w.reconcile("shop");
    assert.deepEqual(
      w.produced().map((p) => p.split(" ")[0]),
      ["AuthorizationPolicy", "Gateway", "VirtualService"],
    );
    assert.equal(w.condition("shop", "GatewayReady"), "True Applied");
  });
});
