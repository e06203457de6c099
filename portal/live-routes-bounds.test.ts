// LiveRoutes' bounds on what one person can make the page ask of the API
// server (review R17 S1), and how the page's own refused impersonation reads
// on a stream (R17 B2), driven directly (no socket) over a FakeBackend.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { KubeApiError } from "../core/kube/api-error.ts";
import { cannotImpersonateError } from "../core/kube/testing/fake-admission.ts";
import { RecordingLogger } from "../core/testing/recording-logger.ts";
import { CANNOT_ACT_FOR_YOU, IMPERSONATION_REMEDY } from "./impersonation-refused.ts";
import { LiveRoutes } from "./live-routes.ts";
import type { EventSink, LiveLimits } from "./live-routes.ts";
import { routeView } from "./route-view.ts";
import { FakeBackend, forbidden } from "./testing/fake-backend.ts";
import { PORTAL_SERVICE_ACCOUNT } from "./testing/memory-cluster.ts";

const MALLORY = { user: "mallory", groups: ["devs"] };
const JANE = { user: "jane", groups: ["team-a"] };

interface MemorySink {
  sink: EventSink;
  events(name: string): Array<{ namespace: string; message?: string }>;
}

function memorySink(): MemorySink {
  const texts: string[] = [];
  return {
    sink: { start: () => {}, write: (text) => texts.push(text), end: () => {} },
    events: (name) =>
      texts.filter((t) => t.startsWith(`event: ${name}\n`)).map((t) => JSON.parse(/^data: (.*)$/m.exec(t)?.[1] ?? "null") as { namespace: string }),
  };
}

const started: LiveRoutes[] = [];
afterEach(async () => {
  for (const live of started.splice(0)) await live.close();
});

function world(limits: Partial<LiveLimits> = {}) {
  const backend = new FakeBackend();
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const live = new LiveRoutes({ backend, view: routeView, clock, logger, random: () => 0.5, limits: { lingerMs: 30_000, ...limits } });
  started.push(live);
  return { backend, clock, logger, live };
}

/** Lets the reflectors' lists and the stops they trigger run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

const names = (prefix: string, count: number, from = 0) => Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(3, "0")}`);

describe("what one person's event streams can make the page ask of the API server", () => {
  it("R17's churn: 30 streams over 20 invented namespaces each start no watch and no list, and say a problem for each namespace", async () => {
    const { backend, live } = world();
    for (let i = 0; i < 30; i++) {
      const stream = memorySink();
      const result = await live.open(MALLORY, names(`made-up-${i}`, 20), stream.sink);
      assert.ok(result.ok);
      assert.equal(stream.events("problem").length, 20);
      assert.match(stream.events("problem")[0]?.message ?? "", /made-up-\d+-000 is not followed: the page offers you only namespaces/);
      result.close();
    }
    await settle();
    assert.deepEqual(live.counts(), { streams: 0, upstreams: 0, identities: 0 });
    assert.equal(backend.callsOf("routes").length, 0);
    assert.equal(backend.callsOf("watchRoutes").length, 0);
  });

  it("follows the namespaces it offers and says a problem for the others in the same stream", async () => {
    const { backend, live } = world();
    const stream = memorySink();
    const result = await live.open(JANE, ["team-a", "elsewhere"], stream.sink);
    assert.ok(result.ok);
    await settle();
    assert.deepEqual(
      stream.events("snapshot").map((e) => e.namespace),
      ["team-a"],
    );
    assert.deepEqual(
      stream.events("problem").map((e) => e.namespace),
      ["elsewhere"],
    );
    assert.deepEqual(
      backend.callsOf("routes").map((c) => c.args[0]),
      ["team-a"],
    );
  });

  it("holds at most upstreamsPerIdentity upstreams for one person, lingering ones included, over 10 streams of 20 new namespaces", async () => {
    const { backend, live } = world();
    backend.namespaceList = names("ns", 200).map((name) => ({ name, may: { list: true, create: false, update: false, delete: false } }));
    for (let i = 0; i < 10; i++) {
      const result = await live.open(MALLORY, names("ns", 20, i * 20), memorySink().sink);
      assert.ok(result.ok, `stream ${i}`);
      await settle();
      result.close();
      assert.ok(live.counts().upstreams <= 80, `after stream ${i}: ${live.counts().upstreams} upstreams`);
    }
    await settle();
    assert.equal(live.counts().upstreams, 80);
    assert.equal(backend.openWatches().length, 80, "the stopped upstreams' watches are closed");
  });

  it("answers 429 when the person's open streams already hold the upstreams (nothing lingers to make room)", async () => {
    const { backend, live } = world({ upstreamsPerIdentity: 30 });
    backend.namespaceList = names("ns", 60).map((name) => ({ name, may: { list: true, create: false, update: false, delete: false } }));
    const first = await live.open(MALLORY, names("ns", 20), memorySink().sink);
    assert.ok(first.ok);
    const overlapping = await live.open(MALLORY, names("ns", 20, 10), memorySink().sink);
    assert.ok(overlapping.ok, "10 shared + 20 = 30 upstreams: within the bound");
    const refused = await live.open(MALLORY, names("ns", 20, 40), memorySink().sink);
    assert.deepEqual(refused, {
      ok: false,
      status: 429,
      message: "your open streams follow 30 namespaces (at most 30 for one person); close a tab of this page",
    });
  });

  it("stops a namespace whose list the person was refused as soon as its stream closes, instead of retrying it for the linger", async () => {
    const { backend, clock, live } = world();
    backend.failingReads.set("team-b", forbidden("mallory", "team-b"));
    const stream = memorySink();
    const result = await live.open(MALLORY, ["team-b"], stream.sink);
    assert.ok(result.ok);
    await settle();
    assert.equal(stream.events("problem").length, 1);
    result.close();
    await settle();
    assert.equal(live.counts().upstreams, 0);
    const lists = backend.callsOf("routes").length;
    clock.advance(60_000);
    await settle();
    assert.equal(backend.callsOf("routes").length, lists, "no more lists after the stream closed");
  });

  it("stops a lingering upstream at once when its relist is refused", async () => {
    const { backend, live } = world();
    const result = await live.open(JANE, ["team-a"], memorySink().sink);
    assert.ok(result.ok);
    await backend.waitForWatches(1, "team-a");
    result.close();
    assert.equal(live.counts().upstreams, 1, "lingering");
    backend.failingReads.set("team-a", forbidden("jane", "team-a"));
    backend.endWatches("team-a", new KubeApiError("410 Expired: too old resource version", 410, "Expired"));
    await settle();
    assert.equal(live.counts().upstreams, 0);
  });
});

describe("the page's own impersonation refused, on an event stream", () => {
  it("says the neutral sentence without the ServiceAccount, and logs the operator's remedy once", async () => {
    const { backend, live, logger } = world();
    backend.failingReads.set("team-a", cannotImpersonateError(PORTAL_SERVICE_ACCOUNT, JANE));
    const streams = [memorySink(), memorySink()];
    for (const [i, who] of [JANE, { user: "joe", groups: ["team-a"] }].entries()) assert.ok((await live.open(who, ["team-a"], streams[i]!.sink)).ok);
    await settle();
    for (const stream of streams) assert.deepEqual(stream.events("problem"), [{ namespace: "team-a", message: CANNOT_ACT_FOR_YOU }]);
    const errors = logger.at("error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.fields.remedy, IMPERSONATION_REMEDY);
    assert.match(IMPERSONATION_REMEDY, /deploy\/components\/portal/);
  });
});
