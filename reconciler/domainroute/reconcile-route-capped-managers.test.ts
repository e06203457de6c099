// The API server keeps at most ten Update entries in an object's
// managedFields and merges the oldest into one named ancient-changes
// (capmanagers.go). hostgate writes only on drift, so its entry is soon the
// oldest: ten other clients labelling a route's VirtualService (kubectl
// label, annotate, edit, a GitOps tool, a policy engine ...) leave no entry
// naming hostgate-reconciler. An object in the route's own namespace still
// carries the owner reference hostgate set (controller: true, the route's
// uid), which proves it the route's as well; without that, the route would
// refuse its own VirtualService, stop being served, and never recover.
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { ANCIENT_CHANGES, MAX_UPDATE_MANAGERS } from "../../core/kube/testing/fake-kube-api.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { objectNameFor } from "./render/names.ts";
import { PRODUCED_RESOURCES } from "./render/produced-resources.ts";
import { route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

const VIRTUAL_SERVICES = PRODUCED_RESOURCES.find((r) => r.kind === "VirtualService")!;
const key = { namespace: "team-a", name: objectNameFor("shop.example.com") };
const managers = (object: KubeObject) => (object.metadata!.managedFields as { manager: string }[]).map((e) => e.manager);

/** Ten other clients each add a label of their own: the API server merges hostgate's entry, the oldest, into ancient-changes. */
async function tenOtherWriters(w: World, edit: (spec: Record<string, unknown>) => void = () => {}): Promise<void> {
  for (let i = 1; i <= MAX_UPDATE_MANAGERS; i++) {
    const current = w.api.server.get(VIRTUAL_SERVICES, key)!;
    const spec = structuredClone(current.spec) as Record<string, unknown>;
    if (i === MAX_UPDATE_MANAGERS) edit(spec);
    const labels = { ...(current.metadata!.labels as Record<string, string>), [`tool-${i}`]: "x" };
    await w.api.update(VIRTUAL_SERVICES, { ...current, metadata: { ...current.metadata, labels }, spec }, { fieldManager: `tool-${i}` });
  }
  const after = managers(w.api.server.get(VIRTUAL_SERVICES, key)!);
  assert.ok(after.includes(ANCIENT_CHANGES) && !after.includes("hostgate-reconciler"), after.join());
}

describe("a route's own VirtualService after ten other clients updated it", () => {
  let w: World;
  beforeEach(async () => {
    w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "Ready"), "True Ready");
  });

  test("is still the route's: the route stays served, and a hand edit of its routing is reverted", async () => {
    const rendered = structuredClone(w.api.server.get(VIRTUAL_SERVICES, key)!.spec);
    await tenOtherWriters(w, (spec) => (spec.http = [{ route: [{ destination: { host: "elsewhere.team-a.svc.cluster.local" } }] }]));
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "Ready"), "True Ready", w.message("shop", "GatewayReady"));
    assert.deepEqual(w.api.server.get(VIRTUAL_SERVICES, key)!.spec, rendered, "the edit was reverted");
    assert.ok(managers(w.api.server.get(VIRTUAL_SERVICES, key)!).includes("hostgate-reconciler"));
  });
});
