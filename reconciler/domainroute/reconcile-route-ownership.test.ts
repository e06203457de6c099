// Issue 10, items 7 and 8: the reconciler never writes or deletes an object
// that is not the route's own (apply/ownership.ts), whether a person made it
// at the generated name or hostgate made it for another route whose names
// collide. Against the in-memory API server, with its managedFields.
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { objectNameFor } from "./render/names.ts";
import { PRODUCED_RESOURCES } from "./render/produced-resources.ts";
import { renderRoute } from "./render/render-route.ts";
import type { RenderedRoute } from "./render/render-route.ts";
import { REFUSED_RECHECK_MS } from "./reconcile-route.ts";
import { defaultConfig, route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

const GATEWAYS = PRODUCED_RESOURCES.find((r) => r.kind === "Gateway")!;
const POLICIES = PRODUCED_RESOURCES.find((r) => r.kind === "AuthorizationPolicy")!;
const gatewayNs = defaultConfig.gateway.namespace;
const sso = { protection: { provider: "sso", appId: "shop" } };

/** A Gateway as a person would create it with kubectl, at `name` in the gateway namespace. */
function personsGateway(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name, namespace: gatewayNs, labels: { team: "platform", ...labels } },
    spec: { selector: { istio: "ingressgateway" }, servers: [{ hosts: ["intranet.example.com"], port: { number: 80, name: "http", protocol: "HTTP" } }] },
  };
}

const stored = (w: World, resource: typeof GATEWAYS, name: string) => w.api.server.get(resource, { namespace: gatewayNs, name });

describe("an object hostgate did not create, at a name it generates", () => {
  let w: World;
  const name = objectNameFor("shop.example.com");
  beforeEach(async () => {
    w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
  });

  test("is left exactly as it is; the route reports ObjectNotOwned naming it, records an Event, serves nothing and is looked at again later", async () => {
    await w.api.create(GATEWAYS, personsGateway(name), { fieldManager: "kubectl-create" });
    const before = stored(w, GATEWAYS, name);
    assert.deepEqual(await w.reconcile("shop"), { requeueAfterMs: REFUSED_RECHECK_MS });
    assert.deepEqual(stored(w, GATEWAYS, name), before, "not one field of the person's Gateway changed");
    assert.deepEqual(w.produced(), [`Gateway ${gatewayNs}/${name}`], "no VirtualService: nothing serves the domain");
    assert.equal(w.condition("shop", "Ready"), "False ObjectNotOwned");
    assert.equal(w.condition("shop", "GatewayReady"), "False ObjectNotOwned");
    assert.match(w.message("shop", "GatewayReady")!, new RegExp(`Gateway ${gatewayNs}/${name} exists and hostgate did not create it`));
    assert.ok(
      w.events.some((e) => e.startsWith("Warning ObjectNotOwned ")),
      w.events.join("\n"),
    );
  });

  test("is not adopted when it carries hostgate's labels but another field manager wrote it", async () => {
    await w.reconcile("shop");
    const uid = w.get("shop")!.metadata.uid!;
    // The route's own Gateway goes; a person puts theirs there, with the route's labels copied onto it.
    const own = stored(w, GATEWAYS, name)!;
    await w.api.delete(GATEWAYS, { namespace: gatewayNs, name });
    await w.api.create(GATEWAYS, personsGateway(name, { ...(own.metadata!.labels as Record<string, string>) }), { fieldManager: "kubectl-create" });
    const before = stored(w, GATEWAYS, name);
    await w.reconcile("shop");
    assert.deepEqual(stored(w, GATEWAYS, name), before);
    assert.equal(w.condition("shop", "Ready"), "False ObjectNotOwned");
    assert.match(w.message("shop", "GatewayReady")!, /managedFields name no write by hostgate-reconciler/);
    assert.deepEqual(w.produced(), [`Gateway ${gatewayNs}/${name}`], "the route's VirtualService was removed: a route is served whole or not at all");
    assert.equal((stored(w, GATEWAYS, name)!.metadata!.labels as Record<string, string>)["hostgate.dev/route-uid"], uid);
  });

  test("is never deleted: not when the route is deleted, and not by a prune", async () => {
    await w.api.create(GATEWAYS, personsGateway(name), { fieldManager: "kubectl-create" });
    await w.reconcile("shop");
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await w.reconcile("shop");
    assert.equal(w.get("shop"), undefined, "the route went");
    assert.ok(stored(w, GATEWAYS, name), "the person's Gateway stayed");
  });

  test("once it is gone, the route takes the name and is served", async () => {
    await w.api.create(GATEWAYS, personsGateway(name), { fieldManager: "kubectl-create" });
    await w.reconcile("shop");
    await w.api.delete(GATEWAYS, { namespace: gatewayNs, name });
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "Ready"), "True Ready");
    assert.equal(w.produced().length, 2, w.produced().join());
  });

  test("made at the name between the read and the write is refused by the create, not taken over", async () => {
    // The store gets the person's Gateway only once the reconciler has looked and found the name free.
    const get = w.api.get.bind(w.api);
    w.api.get = async (resource, key) => {
      const answer = await get(resource, key);
      if (resource.kind === "Gateway" && answer === undefined) await w.api.create(GATEWAYS, personsGateway(name), { fieldManager: "kubectl-create" });
      return answer;
    };
    const before = () => stored(w, GATEWAYS, name);
    await assert.rejects(w.reconcile("shop"), /AlreadyExists/);
    const person = before();
    w.api.get = get;
    await w.reconcile("shop");
    assert.deepEqual(stored(w, GATEWAYS, name), person, "the person's Gateway is untouched");
    assert.equal(w.condition("shop", "Ready"), "False ObjectNotOwned");
  });
});

describe("two routes whose generated names collide", () => {
  // A real collision needs a second preimage of 100 bits of SHA-256; the
  // test renders team-b's route under team-a's names instead, which is what a
  // collision of today's names (or of the 8-hex-digit names before) looks like.
  const aName = objectNameFor("a.example.com");
  const collide = (r: Parameters<typeof renderRoute>[0], c: Parameters<typeof renderRoute>[1]): RenderedRoute => {
    const rendered = renderRoute(r, c);
    if (r.spec.domain !== "b.example.com") return rendered;
    return { ...rendered, objects: rendered.objects.map((o) => ({ ...o, metadata: { ...o.metadata, name: aName } })) };
  };
  let w: World;
  let aObjects: () => KubeObject[];
  beforeEach(async () => {
    w = world({ render: collide });
    await w.api.create(DOMAIN_ROUTES, route("shop", "a.example.com", sso, "team-a"));
    await w.api.create(DOMAIN_ROUTES, route("shop", "b.example.com", { protection: { provider: "sso", appId: "shop-b" } }, "team-b"));
    aObjects = () => [stored(w, GATEWAYS, aName)!, stored(w, POLICIES, aName)!];
    await w.reconcile("shop", "team-a");
    assert.equal(aObjects().length, 2);
  });

  test("the second route never takes the first one's Gateway and AuthorizationPolicy; it reports ObjectOwnedByAnotherRoute and an Event", async () => {
    const before = aObjects();
    await w.reconcile("shop", "team-b");
    assert.deepEqual(aObjects(), before, "team-a's objects are exactly as they were");
    assert.equal(w.condition("shop", "Ready", "team-b"), "False ObjectOwnedByAnotherRoute");
    assert.match(w.message("shop", "GatewayReady", "team-b")!, new RegExp(`Gateway ${gatewayNs}/${aName} belongs to DomainRoute team-a/shop`));
    assert.ok(
      w.events.some((e) => e.startsWith("Warning ObjectOwnedByAnotherRoute ")),
      w.events.join("\n"),
    );
    assert.ok(!w.produced().some((p) => p.includes(" team-b/")), "nothing serves team-b's domain");
  });

  test("the first route stays correct and ready, with nothing to write", async () => {
    await w.reconcile("shop", "team-b");
    w.api.takeWrites();
    await w.reconcile("shop", "team-a");
    assert.deepEqual(w.api.takeWrites(), []);
    const uid = w.get("shop", "team-a")!.metadata.uid;
    assert.ok(aObjects().every((o) => (o.metadata!.labels as Record<string, string>)["hostgate.dev/route-uid"] === uid));
  });

  test("deleting the second route leaves the first one's objects", async () => {
    await w.reconcile("shop", "team-b");
    const before = aObjects();
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-b", name: "shop" });
    await w.reconcile("shop", "team-b");
    assert.equal(w.get("shop", "team-b"), undefined);
    assert.deepEqual(aObjects(), before);
  });
});
