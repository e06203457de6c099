import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { FakeListWatchClient, networkError } from "../../core/kube/testing/fake-list-watch.ts";
import { RecordingLogger } from "../../core/testing/recording-logger.ts";
import { Controller } from "./controller.ts";
import { SharedInformer } from "./informer.ts";
import { enqueueKeys } from "./informer-handler.ts";
import type { InformerHandler } from "./informer-handler.ts";

const ROUTES: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true };

function route(name: string, domain = `${name}.example.com`): KubeObject {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace: "team-a" }, spec: { domain } };
}

/** The informer keeps only the domain: handlers must get the transform's result and the key beside it. */
const domainOf = (object: KubeObject): string => String((object.spec as { domain?: unknown } | undefined)?.domain);

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise(setImmediate);
}

/** A handler that writes every call down as one line. */
function recorder(withResync = true): { handler: InformerHandler<string>; events: string[] } {
  const events: string[] = [];
  const handler: InformerHandler<string> = {
    onAdd: (o, key) => events.push(`add ${key} ${o}`),
    onUpdate: (old, o, key) => events.push(`update ${key} ${old} -> ${o}`),
    onDelete: (o, key) => events.push(`delete ${key} ${o}`),
    ...(withResync ? { onResync: (o: string, key: string) => events.push(`resync ${key} ${o}`) } : {}),
  };
  return { handler, events };
}

function harness(seed: KubeObject[] = [], resyncMs?: number) {
  const server = new FakeListWatchClient();
  for (const object of seed) server.put(ROUTES, object);
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const informer = new SharedInformer<string>({
    resource: ROUTES,
    client: server,
    transform: domainOf,
    clock,
    logger,
    random: () => 0.5,
    ...(resyncMs === undefined ? {} : { resyncMs }),
  });
  return { server, clock, logger, informer };
}

describe("SharedInformer: store", () => {
  it("is synced, and holds every object by key, once the first list arrived", async () => {
    const h = harness([route("a"), route("b")]);
    const synced = h.informer.whenSynced();
    assert.equal(h.informer.synced(), false);
    h.informer.start();
    assert.equal(await synced, true);
    assert.equal(h.informer.synced(), true);
    assert.equal(h.informer.get("team-a/a"), "a.example.com");
    assert.equal(h.informer.get({ namespace: "team-a", name: "b" }), "b.example.com");
    assert.equal(h.informer.get("team-a/missing"), undefined);
    assert.deepEqual(h.informer.list().sort(), ["a.example.com", "b.example.com"]);
    assert.deepEqual(h.informer.keys().sort(), ["team-a/a", "team-a/b"]);
    await h.informer.stop();
  });

  it("tells whoever waits for the sync that it never came when stopped first", async () => {
    const h = harness([route("a")]);
    h.server.hold(ROUTES);
    h.informer.start();
    const synced = h.informer.whenSynced();
    await settle();
    await h.informer.stop();
    assert.equal(await synced, false);
    assert.equal(await h.informer.whenSynced(), false);
  });
});

describe("SharedInformer: handlers", () => {
  it("tells every handler of each add, update (old and new) and delete seen by the watch", async () => {
    const h = harness([route("a")]);
    const first = recorder();
    const second = recorder();
    h.informer.addEventHandler(first.handler);
    h.informer.addEventHandler(second.handler);
    h.informer.start();
    await settle();
    h.server.put(ROUTES, route("b"));
    h.server.put(ROUTES, route("a", "moved.example.com"));
    h.server.delete(ROUTES, { namespace: "team-a", name: "b" });
    await settle();
    const expected = [
      "add team-a/a a.example.com",
      "add team-a/b b.example.com",
      "update team-a/a a.example.com -> moved.example.com",
      "delete team-a/b b.example.com",
    ];
    assert.deepEqual(first.events, expected);
    assert.deepEqual(second.events, expected);
    assert.deepEqual(h.informer.keys(), ["team-a/a"]);
    await h.informer.stop();
  });

  it("hands a deletion found by a relist the last state it held, as only the key came back", async () => {
    const h = harness([route("kept"), route("gone")]);
    const r = recorder();
    h.informer.addEventHandler(r.handler);
    h.informer.start();
    await settle();
    h.server.endWatches(ROUTES, networkError());
    h.server.delete(ROUTES, { namespace: "team-a", name: "gone" });
    h.server.compact(ROUTES);
    await settle();
    h.clock.advance(h.clock.pendingDelays()[0]!);
    await settle();
    assert.equal(h.informer.status().relists, 1);
    assert.deepEqual(r.events.slice(2), ["delete team-a/gone gone.example.com"]);
    assert.equal(h.informer.get("team-a/gone"), undefined);
    await h.informer.stop();
  });

  it("replays the store as adds to a handler registered late, and stops telling one that unregistered", async () => {
    const h = harness([route("a")]);
    h.informer.start();
    await settle();
    const late = recorder();
    const unregister = h.informer.addEventHandler(late.handler);
    assert.deepEqual(late.events, ["add team-a/a a.example.com"]);
    unregister();
    h.server.put(ROUTES, route("b"));
    await settle();
    assert.deepEqual(late.events, ["add team-a/a a.example.com"]);
    await h.informer.stop();
  });

  it("keeps telling the other handlers, and logs, when one handler throws", async () => {
    const h = harness([route("a")]);
    h.informer.addEventHandler({
      onAdd: () => {
        throw new Error("handler bug");
      },
    });
    const r = recorder();
    h.informer.addEventHandler(r.handler);
    h.informer.start();
    await settle();
    assert.deepEqual(r.events, ["add team-a/a a.example.com"]);
    assert.equal(h.informer.get("team-a/a"), "a.example.com");
    assert.deepEqual(h.logger.messages("error"), ["informer for domainroutes.hostgate.dev: a handler's onAdd threw for team-a/a: handler bug"]);
    await h.informer.stop();
  });
});

describe("SharedInformer: resync", () => {
  it("replays every stored object to every handler each resyncMs, as onResync or else as an update to itself", async () => {
    const h = harness([route("a"), route("b")], 60_000);
    const withResync = recorder(true);
    const withoutResync = recorder(false);
    h.informer.addEventHandler(withResync.handler);
    h.informer.addEventHandler(withoutResync.handler);
    h.informer.start();
    await settle();
    withResync.events.length = 0;
    withoutResync.events.length = 0;
    h.clock.advance(59_999);
    assert.deepEqual(withResync.events, []);
    h.clock.advance(1);
    assert.deepEqual(withResync.events.sort(), ["resync team-a/a a.example.com", "resync team-a/b b.example.com"]);
    assert.deepEqual(withoutResync.events.sort(), ["update team-a/a a.example.com -> a.example.com", "update team-a/b b.example.com -> b.example.com"]);
    h.clock.advance(60_000);
    assert.equal(withResync.events.length, 4, "and again every period");
    await h.informer.stop();
    assert.equal(h.clock.pendingTimers(), 0, "stop cancels the resync");
  });

  it("replays nothing before the first list completed", async () => {
    const h = harness([route("a")], 1000);
    const r = recorder();
    h.informer.addEventHandler(r.handler);
    h.server.hold(ROUTES);
    h.informer.start();
    await settle();
    h.clock.advance(1000);
    assert.deepEqual(r.events, []);
    await h.informer.stop();
  });

  it("refuses a negative resync period", () => {
    assert.throws(() => harness([], -1), RangeError);
  });
});

describe("SharedInformer with a Controller", () => {
  it("reconciles the key of every object listed, changed, deleted, and again on each resync", async () => {
    const h = harness([route("a"), route("b")], 300_000);
    const reconciled: string[] = [];
    const controller = new Controller({
      name: "routes",
      clock: h.clock,
      workers: 1,
      reconcile: async (key) => {
        reconciled.push(`${key}=${h.informer.get(key) ?? "gone"}`);
      },
    });
    h.informer.addEventHandler(enqueueKeys((key) => controller.enqueue(key)));
    controller.start();
    h.informer.start();
    await settle();
    assert.deepEqual(reconciled.sort(), ["team-a/a=a.example.com", "team-a/b=b.example.com"]);
    reconciled.length = 0;
    h.server.put(ROUTES, route("a", "moved.example.com"));
    h.server.delete(ROUTES, { namespace: "team-a", name: "b" });
    await settle();
    assert.deepEqual(reconciled, ["team-a/a=moved.example.com", "team-a/b=gone"]);
    reconciled.length = 0;
    h.clock.advance(300_000);
    await settle();
    assert.deepEqual(reconciled, ["team-a/a=moved.example.com"]);
    await controller.stop(1000);
    await h.informer.stop();
  });
});
