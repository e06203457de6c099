// A tenant may write hostgate's labels, and name hostgate's field manager,
// on objects in its own namespace: the API server takes `?fieldManager=`
// from the client. Such an object, labelled with another team's route uid,
// must not become that route's: the route's objects live only in its own
// namespace and the gateway's. Otherwise the other route's reconcile deletes
// it, and a tenant changing it under the delete (a failed resourceVersion
// precondition) fails that route's reconciles and holds its deletion.
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { PRODUCED_RESOURCES } from "./render/produced-resources.ts";
import { route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

const forgeable = PRODUCED_RESOURCES.map((resource) => ({ resource, kind: resource.kind }));

/** An object in team-b's namespace carrying team-a's route's labels, written under hostgate's field manager. */
function forged(kind: string, apiVersion: string, routeUid: string): KubeObject {
  const labels = { "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/route-uid": routeUid };
  return {
    apiVersion,
    kind,
    metadata: { name: "mine", namespace: "team-b", labels, annotations: { "hostgate.dev/route": "team-a/shop" } },
    spec: { tenant: "b" },
  };
}

describe("an object a tenant labels as another team's route's, in its own namespace", () => {
  let w: World;
  beforeEach(async () => {
    w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { protection: { provider: "sso", appId: "shop" } }));
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "Ready"), "False ProtectionPending");
  });

  for (const { resource, kind } of forgeable) {
    test(`is neither changed nor deleted by that route's reconcile or deletion, and cannot fail them (${kind})`, async () => {
      const uid = w.get("shop")!.metadata.uid!;
      await w.api.create(resource, forged(kind, `${resource.group}/${resource.version}`, uid), { fieldManager: "hostgate-reconciler" });
      // The tenant changes its object whenever a delete of it is on its way: a stale resourceVersion precondition.
      const del = w.api.delete.bind(w.api);
      w.api.delete = async (r, key, preconditions) => {
        const stored = w.api.server.get(r, key);
        if (key.namespace === "team-b" && stored !== undefined) await w.api.update(r, { ...stored, spec: { tenant: `b${stored.metadata!.resourceVersion}` } });
        return del(r, key, preconditions);
      };
      w.api.takeWrites();
      await w.reconcile("shop");
      assert.deepEqual(w.api.takeWrites(), [], "nothing written: the route's own objects are as rendered");
      assert.equal(w.condition("shop", "GatewayReady"), "True Applied");
      await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
      await w.reconcile("shop");
      assert.equal(w.get("shop"), undefined, "the route's deletion completed");
      assert.ok(w.api.server.get(resource, { namespace: "team-b", name: "mine" }), "the tenant's object is still there");
    });
  }
});
