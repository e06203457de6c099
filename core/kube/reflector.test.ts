import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../clock.ts";
import { KubeApiError } from "./api-error.ts";
import type { KubeObject } from "./object-key.ts";
import { formatKey } from "./object-key.ts";
import { Reflector } from "./reflector.ts";
import type { ReflectorOptions } from "./reflector.ts";
import type { ReflectorBatch } from "./reflector-types.ts";
import type { ResourceRef } from "./resource.ts";
import { FakeListWatchClient, GONE_STATUS, goneError, networkError } from "./testing/fake-list-watch.ts";
import { RecordingLogger } from "../testing/recording-logger.ts";

const ROUTES: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true };

function route(name: string, domain = `${name}.example.com`, namespace = "team-a"): KubeObject {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace, managedFields: [{ manager: "kubectl" }] }, spec: { domain } };
}

/** Lets every pending promise chain run (the fake answers on microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A reflector on the fake server that mirrors `domain` by key into a Map, as a store would. */
function harness(overrides: Partial<ReflectorOptions<string>> = {}, seed: KubeObject[] = []) {
  const server = new FakeListWatchClient();
  for (const object of seed) server.put(ROUTES, object);
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const reflector = new Reflector<string>({
    resource: ROUTES,
    client: server,
    // The store keeps only the domain: the reflector must hand over the transform's result.
    transform: (object) => String((object.spec as { domain?: unknown } | undefined)?.domain),
    clock,
    logger,
    random: () => 0.5,
    pageSize: 2,
    ...overrides,
  });
  const store = new Map<string, string>();
  const batches: ReflectorBatch<string>[] = [];
  reflector.addHandler((batch) => {
    batches.push(batch);
    for (const change of batch.changes) {
      if (change.type === "deleted") store.delete(formatKey(change.key));
      else store.set(formatKey(change.key), change.object);
    }
  });
  /** What the server holds, as the store should mirror it. */
  const serverView = async () => {
    const items = (await server.list(ROUTES, { limit: 1000, signal: new AbortController().signal })).items;
    server.listCalls.pop();
    return new Map(items.map((o) => [formatKey({ namespace: o.metadata?.namespace, name: o.metadata!.name! }), String((o.spec as { domain: string }).domain)]));
  };
  const changeTypes = (batch: ReflectorBatch<string> | undefined) => batch?.changes.map((c) => `${c.type} ${formatKey(c.key)}`).sort();
  return { server, clock, logger, reflector, store, batches, serverView, changeTypes };
}

describe("Reflector: initial list", () => {
  it("lists every page, then watches from the list's resourceVersion with bookmarks", async () => {
    const h = harness({}, [route("a"), route("b"), route("c"), route("d"), route("e")]);
    h.reflector.start();
    await settle();
    assert.deepEqual(
      h.server.listCalls.map((c) => c.continue ?? "first"),
      ["first", "continue-1", "continue-2"],
    );
    assert.ok(h.server.listCalls.every((c) => c.limit === 2));
    assert.equal(h.server.watchCalls.length, 1);
    const watch = h.server.watchCalls[0]!;
    assert.equal(watch.resourceVersion, h.server.resourceVersion);
    assert.equal(watch.allowWatchBookmarks, true);
    assert.ok(watch.timeoutSeconds >= 300 && watch.timeoutSeconds < 600, `timeout ${watch.timeoutSeconds}`);
    assert.equal(h.batches.length, 1);
    assert.equal(h.batches[0]!.cause, "list");
    assert.deepEqual(h.changeTypes(h.batches[0]), ["added team-a/a", "added team-a/b", "added team-a/c", "added team-a/d", "added team-a/e"]);
    assert.deepEqual(h.store, await h.serverView());
    assert.equal(h.reflector.hasSynced(), true);
    await h.reflector.stop();
  });

  it("delivers nothing and is not synced until the last page arrived", async () => {
    const h = harness({}, [route("a"), route("b"), route("c")]);
    h.server.failLists(ROUTES, undefined, networkError());
    h.reflector.start();
    await settle();
    assert.equal(h.reflector.hasSynced(), false);
    assert.equal(h.batches.length, 0, "half a list is never delivered");
    assert.equal(h.server.watchCalls.length, 0, "no watch before a complete list");
    assert.deepEqual(h.clock.pendingDelays(), [750]);
    h.clock.advance(750);
    await settle();
    assert.equal(h.server.listCalls[2]!.continue, undefined, "the retry starts from the first page");
    assert.equal(h.reflector.hasSynced(), true);
    assert.deepEqual(h.store, await h.serverView());
    await h.reflector.stop();
  });

  it("starts the list over from the first page when a continue token expired", async () => {
    const h = harness({}, [route("a"), route("b"), route("c")]);
    h.server.failLists(ROUTES, undefined, new KubeApiError("410 Expired: continue too old", 410, "Expired"));
    h.reflector.start();
    await settle();
    assert.deepEqual(
      h.server.listCalls.map((c) => c.continue ?? "first"),
      ["first", "continue-1", "first", "continue-2"],
    );
    assert.deepEqual(h.changeTypes(h.batches[0]), ["added team-a/a", "added team-a/b", "added team-a/c"], "no object twice");
    assert.equal(h.reflector.status().listRestarts, 1);
    assert.equal(h.clock.pendingTimers(), 0, "a restart is immediate, not a failure");
    await h.reflector.stop();
  });

  it("gives objects without apiVersion and kind the resource's, as built-in list items lack them", async () => {
    const h = harness({ transform: (o) => `${o.apiVersion} ${o.kind}` }, [{ metadata: { name: "bare", namespace: "team-a" } }]);
    h.reflector.start();
    await settle();
    assert.deepEqual([...h.store], [["team-a/bare", "hostgate.dev/v1alpha1 DomainRoute"]]);
    await h.reflector.stop();
  });
});

describe("Reflector: watch events", () => {
  const cases: { name: string; act: (s: FakeListWatchClient) => void; changes: string[] }[] = [
    { name: "a created object is added", act: (s) => s.put(ROUTES, route("new")), changes: ["added team-a/new"] },
    { name: "a changed object is modified", act: (s) => s.put(ROUTES, route("a", "moved.example.com")), changes: ["modified team-a/a"] },
    { name: "a deleted object is removed", act: (s) => s.delete(ROUTES, { namespace: "team-a", name: "a" }), changes: ["deleted team-a/a"] },
    {
      name: "objects of the same name in two namespaces are distinct",
      act: (s) => s.put(ROUTES, route("a", "other.example.com", "team-b")),
      changes: ["added team-b/a"],
    },
  ];
  for (const c of cases) {
    it(`${c.name}, in one batch per event, and the store mirrors the server`, async () => {
      const h = harness({}, [route("a"), route("b")]);
      h.reflector.start();
      await settle();
      c.act(h.server);
      await settle();
      assert.equal(h.batches.length, 2);
      assert.equal(h.batches[1]!.cause, "watch");
      assert.deepEqual(h.changeTypes(h.batches[1]), c.changes);
      assert.deepEqual(h.store, await h.serverView());
      assert.equal(h.reflector.status().events, 1);
      await h.reflector.stop();
    });
  }

  it("hands a deletion seen by the watch the object's last state", async () => {
    const h = harness({}, [route("a")]);
    h.reflector.start();
    await settle();
    h.server.delete(ROUTES, { namespace: "team-a", name: "a" });
    assert.deepEqual(h.batches[1]!.changes, [{ type: "deleted", key: { namespace: "team-a", name: "a" }, object: "a.example.com" }]);
    await h.reflector.stop();
  });

  it("ignores, and logs, objects without a name and events of unknown types", async () => {
    const h = harness({}, [route("a")]);
    h.reflector.start();
    await settle();
    h.server.send(ROUTES, { type: "ADDED", object: { kind: "DomainRoute", metadata: {} } });
    h.server.send(ROUTES, { type: "ADDED", object: "junk" });
    h.server.send(ROUTES, { type: "SURPRISE", object: route("x") });
    h.server.send(ROUTES, { type: "BOOKMARK", object: { metadata: {} } });
    await settle();
    assert.equal(h.batches.length, 1);
    assert.equal(h.server.openWatches(ROUTES), 1, "junk does not end the watch");
    assert.deepEqual(h.logger.messages("warn"), [
      "domainroutes.hostgate.dev: a ADDED event without metadata.name was ignored",
      "domainroutes.hostgate.dev: a ADDED event without metadata.name was ignored",
      'watch of domainroutes.hostgate.dev: an event of unknown type "SURPRISE" was ignored',
      "watch of domainroutes.hostgate.dev: a BOOKMARK without metadata.resourceVersion was ignored",
    ]);
    await h.reflector.stop();
  });

  it("keeps other handlers fed when one throws, and logs it", async () => {
    const h = harness({}, [route("a")]);
    const fresh = new Reflector<string>({ resource: ROUTES, client: h.server, transform: () => "x", clock: h.clock, logger: h.logger });
    const seen: string[] = [];
    fresh.addHandler(() => {
      throw new Error("store bug");
    });
    fresh.addHandler((batch) => seen.push(batch.cause));
    fresh.start();
    await settle();
    h.server.put(ROUTES, route("b"));
    assert.deepEqual(seen, ["list", "watch"]);
    assert.equal(h.logger.messages("error").length, 2);
    await fresh.stop();
  });
});

describe("Reflector: resuming and relisting", () => {
  it("resumes a watch that ended normally from the last resourceVersion, without relisting, and misses nothing", async () => {
    const h = harness({}, [route("a")]);
    h.reflector.start();
    await settle();
    h.server.put(ROUTES, route("b"));
    const seen = h.server.resourceVersion;
    h.server.endWatches(ROUTES);
    h.server.put(ROUTES, route("c")); // while disconnected
    await settle();
    assert.equal(h.clock.pendingTimers(), 1, "resumes after a backoff");
    h.clock.advance(h.clock.pendingDelays()[0]!);
    await settle();
    assert.equal(h.server.listCalls.length, 1, "no relist");
    assert.equal(h.server.watchCalls[1]!.resourceVersion, seen);
    assert.deepEqual(h.store, await h.serverView());
    assert.equal(h.reflector.status().relists, 0);
    await h.reflector.stop();
  });

  it("resumes from the resourceVersion of the last bookmark", async () => {
    const h = harness({}, [route("a")]);
    h.reflector.start();
    await settle();
    h.server.put(ROUTES, route("elsewhere"));
    h.server.delete(ROUTES, { namespace: "team-a", name: "elsewhere" });
    h.server.bookmark(ROUTES);
    const bookmarked = h.server.resourceVersion;
    h.server.endWatches(ROUTES);
    await settle();
    h.clock.advance(h.clock.pendingDelays()[0]!);
    await settle();
    assert.equal(h.server.watchCalls[1]!.resourceVersion, bookmarked);
    assert.equal(h.reflector.status().bookmarks, 1);
    await h.reflector.stop();
  });

  for (const expiredAs of ["event", "status"] as const) {
    it(`relists on 410 Gone (as ${expiredAs === "event" ? "an ERROR event" : "the watch's HTTP status"}) and replaces the contents: objects deleted while disconnected disappear`, async () => {
      const h = harness({}, [route("kept"), route("changed"), route("deleted")]);
      h.server.expiredAs = expiredAs;
      h.reflector.start();
      await settle();
      h.server.endWatches(ROUTES, networkError());
      h.server.delete(ROUTES, { namespace: "team-a", name: "deleted" });
      h.server.put(ROUTES, route("changed", "changed-again.example.com"));
      h.server.put(ROUTES, route("created"));
      h.server.compact(ROUTES);
      await settle();
      h.clock.advance(h.clock.pendingDelays()[0]!);
      await settle();
      assert.equal(h.server.listCalls.filter((c) => c.continue === undefined).length, 2, "one relist after the first list");
      const relist = h.batches.at(-1)!;
      assert.equal(relist.cause, "relist");
      assert.deepEqual(
        h.changeTypes(relist),
        ["added team-a/created", "deleted team-a/deleted", "modified team-a/changed"],
        "unchanged objects are not re-sent",
      );
      assert.equal(relist.changes.find((c) => c.type === "deleted")!.object, undefined, "only the key of an object found gone is known");
      assert.deepEqual(h.store, await h.serverView());
      assert.equal(h.reflector.status().relists, 1);
      assert.equal(h.server.watchCalls.at(-1)!.resourceVersion, h.server.resourceVersion, "watches again from the new list");
      assert.equal(h.server.openWatches(ROUTES), 1);
      await h.reflector.stop();
    });
  }

  it("relists at once after a 410, but pauses between relists while every new watch expires before delivering anything", async () => {
    const h = harness({}, [route("a")]);
    h.server.expiredAs = "status";
    h.server.failWatches(ROUTES, goneError(), goneError(), goneError());
    h.reflector.start();
    await settle();
    assert.equal(h.server.listCalls.length, 2, "the first relist is immediate");
    assert.deepEqual(h.clock.pendingDelays(), [1500], "the second waits");
    h.clock.advance(1500);
    await settle();
    assert.equal(h.server.listCalls.length, 3);
    assert.deepEqual(h.clock.pendingDelays(), [3000], "and the pause grows");
    h.clock.advance(3000);
    await settle();
    assert.equal(h.server.openWatches(ROUTES), 1, "the watch works again");
    h.server.put(ROUTES, route("b"));
    h.server.send(ROUTES, { type: "ERROR", object: GONE_STATUS });
    await settle();
    assert.equal(h.server.listCalls.length, 5, "after a watch that delivered events, the relist is immediate again");
    assert.equal(h.reflector.status().relists, 4);
    await h.reflector.stop();
  });

  it("delivers a relist as one batch, so no reader sees part of it applied", async () => {
    const h = harness({}, [route("a"), route("b"), route("c"), route("d")]);
    h.reflector.start();
    await settle();
    for (const name of ["a", "b", "c"]) h.server.delete(ROUTES, { namespace: "team-a", name });
    h.server.send(ROUTES, { type: "ERROR", object: GONE_STATUS });
    h.server.compact(ROUTES);
    await settle();
    assert.equal(h.batches.length, 5, "the list, three deletions seen by the watch, and one relist batch");
    // Deletions already seen by the watch are not repeated by the relist.
    assert.deepEqual(h.changeTypes(h.batches[4]), []);
    await h.reflector.stop();
  });

  it("resumes after an ERROR event other than 410 without relisting", async () => {
    const h = harness({}, [route("a")]);
    h.reflector.start();
    await settle();
    h.server.send(ROUTES, { type: "ERROR", object: { kind: "Status", code: 500, reason: "InternalError", message: "etcd leader changed" } });
    await settle();
    assert.equal(h.server.openWatches(ROUTES), 0, "the watch is closed");
    h.clock.advance(h.clock.pendingDelays()[0]!);
    await settle();
    assert.equal(h.server.listCalls.length, 1);
    assert.equal(h.server.watchCalls.length, 2);
    assert.deepEqual(h.reflector.status().lastError, {
      time: h.reflector.status().lastError!.time,
      operation: "watch",
      status: 500,
      reason: "InternalError",
      message: "500 InternalError: etcd leader changed",
    });
    await h.reflector.stop();
  });

  it("backs off exponentially with jitter up to the cap on repeated network errors, then resets after a healthy watch", async () => {
    const h = harness({ backoff: { initialMs: 1000, maxMs: 5000, factor: 2, jitter: 0.5 } }, [route("a")]);
    h.reflector.start();
    await settle();
    const resumeFrom = h.server.resourceVersion;
    h.server.failWatches(ROUTES, networkError(), networkError(), networkError(), networkError());
    h.server.endWatches(ROUTES, networkError());
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await settle();
      const [delay] = h.clock.pendingDelays();
      delays.push(delay!);
      h.clock.advance(delay!);
    }
    await settle();
    // random() = 0.5 and jitter 0.5 draw 75% of each ceiling: 1000, 2000, 4000, 5000 (cap), 5000.
    assert.deepEqual(delays, [750, 1500, 3000, 3750, 3750]);
    assert.ok(
      h.server.watchCalls.slice(1).every((w) => w.resourceVersion === resumeFrom),
      "every retry resumes from the same version",
    );
    assert.equal(h.server.listCalls.length, 1, "network errors never relist");
    assert.equal(h.reflector.status().errors, 5);
    h.server.put(ROUTES, route("b")); // the watch works again
    h.server.endWatches(ROUTES);
    await settle();
    assert.deepEqual(h.clock.pendingDelays(), [750], "a healthy watch resets the backoff");
    await h.reflector.stop();
  });

  it("counts a watch the server closes at once, without any event, as a failure", async () => {
    const h = harness({}, [route("a")]);
    h.reflector.start();
    await settle();
    h.server.endWatches(ROUTES);
    await settle();
    h.clock.advance(750);
    await settle();
    h.server.endWatches(ROUTES);
    await settle();
    assert.deepEqual(h.clock.pendingDelays(), [1500]);
    await h.reflector.stop();
  });

  it("says what to do in the log when the API server refuses the list", async () => {
    const h = harness();
    h.server.failLists(
      ROUTES,
      new KubeApiError(
        '403 Forbidden: domainroutes.hostgate.dev is forbidden: User "system:serviceaccount:hostgate:webhook" cannot list resource',
        403,
        "Forbidden",
      ),
    );
    h.reflector.start();
    await settle();
    assert.deepEqual(h.logger.messages("warn"), [
      'list of domainroutes.hostgate.dev failed: 403 Forbidden: domainroutes.hostgate.dev is forbidden: User "system:serviceaccount:hostgate:webhook" cannot list resource; grant this identity list and watch on domainroutes.hostgate.dev in its ClusterRole (retrying)',
    ]);
    const status = h.reflector.status();
    assert.equal(status.phase, "waiting");
    assert.equal(status.nextAttemptTime, h.clock.now() + 750);
    assert.equal(status.synced, false);
    await h.reflector.stop();
  });
});

describe("Reflector: lifecycle", () => {
  it("stop() while watching closes the watch and leaves no timer", async () => {
    const h = harness({}, [route("a")]);
    h.reflector.start();
    await settle();
    await h.reflector.stop();
    assert.equal(h.server.openWatches(ROUTES), 0);
    assert.equal(h.clock.pendingTimers(), 0);
    assert.equal(h.reflector.status().phase, "stopped");
    h.server.put(ROUTES, route("late"));
    assert.equal(h.batches.length, 1, "nothing arrives after stop");
  });

  it("stop() while waiting to retry cancels the retry", async () => {
    const h = harness();
    h.server.failLists(ROUTES, networkError());
    h.reflector.start();
    await settle();
    assert.equal(h.clock.pendingTimers(), 1);
    await h.reflector.stop();
    assert.equal(h.clock.pendingTimers(), 0);
    assert.equal(h.server.listCalls.length, 1);
  });

  it("stop() during a list that never answers returns at once", async () => {
    const h = harness({}, [route("a")]);
    h.server.hold(ROUTES);
    h.reflector.start();
    await settle();
    await h.reflector.stop();
    assert.equal(h.reflector.hasSynced(), false);
    assert.equal(h.batches.length, 0);
    assert.equal(h.server.watchCalls.length, 0);
  });

  it("refuses handlers added after start, since it keeps no objects to replay", async () => {
    const h = harness();
    h.reflector.start();
    assert.throws(() => h.reflector.addHandler(() => {}), /add handlers before start\(\)/);
    assert.throws(() => h.reflector.start(), /already started/);
    await h.reflector.stop();
  });

  it("refuses a malformed resource description with what to fix", () => {
    const server = new FakeListWatchClient();
    assert.throws(
      () => new Reflector({ resource: { ...ROUTES, resource: "DomainRoutes", namespace: "team-a", namespaced: false }, client: server, transform: (o) => o }),
      (e: unknown) =>
        e instanceof RangeError &&
        /resource "DomainRoutes" is not a lower-case plural name; use e\.g\. domainroutes/.test(e.message) &&
        /namespace is set but the resource is cluster-scoped; drop the namespace/.test(e.message),
    );
  });

  it("reports its progress in status()", async () => {
    const h = harness({}, [route("a"), route("b")]);
    h.reflector.start();
    await settle();
    h.server.put(ROUTES, route("c"));
    h.server.bookmark(ROUTES);
    const status = h.reflector.status();
    assert.deepEqual(
      { ...status, lastSyncTime: undefined, lastEventTime: undefined },
      {
        resource: "domainroutes.hostgate.dev",
        phase: "watching",
        synced: true,
        objects: 3,
        resourceVersion: h.server.resourceVersion,
        lastSyncTime: undefined,
        lastEventTime: undefined,
        lists: 1,
        relists: 0,
        listRestarts: 0,
        watches: 1,
        events: 1,
        bookmarks: 1,
        errors: 0,
        consecutiveFailures: 0,
      },
    );
    assert.equal(status.lastSyncTime, h.clock.now());
    await h.reflector.stop();
  });
});
