import assert from "node:assert/strict";
import { get } from "node:http";
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, it } from "node:test";
import { KubeApiError } from "../core/kube/api-error.ts";
import type { LiveLimits } from "./live-routes.ts";
import { forbidden, sampleRoute } from "./testing/fake-backend.ts";
import { testPortal } from "./testing/test-portal.ts";
import type { TestPortal } from "./testing/test-portal.ts";

type Received = { event: string; data: unknown } | { comment: string };

/** An event stream read over a real socket, parsed as EventSource parses it. */
interface Stream {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  received: Received[];
  /** True once the server ended the response. */
  ended: boolean;
  /** Resolves with the first received item (already there or to come) after `from` that matches. */
  next(match: (r: Received) => boolean, from?: number): Promise<Received>;
  close(): void;
}

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});

async function serve(
  options: { limits?: Partial<LiveLimits>; app?: NonNullable<Parameters<typeof testPortal>[0]>["app"] } = {},
): Promise<TestPortal & { url: string }> {
  const portal = testPortal(options);
  const server = createServer(portal.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  running.push(async () => {
    await portal.live.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { ...portal, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function open(url: string, query: string, user = "jane", groups = "team-a"): Promise<Stream> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest;
    const waiters: Array<() => void> = [];
    const stream: Stream = {
      status: 0,
      headers: {},
      body: "",
      received: [],
      ended: false,
      next: async (match, from = 0) => {
        for (;;) {
          const found = stream.received.slice(from).find(match);
          if (found !== undefined) return found;
          if (stream.status !== 200 || stream.ended) assert.fail(`the stream ended (HTTP ${stream.status} ${stream.body}) before the event came`);
          await new Promise<void>((wake) => waiters.push(wake));
        }
      },
      close: () => req.destroy(),
    };
    req = get(`${url}/api/events?${query}`, { headers: { "X-Forwarded-User": user, "X-Forwarded-Groups": groups, "Sec-Fetch-Site": "same-origin" } }, (res) => {
      stream.status = res.statusCode ?? 0;
      stream.headers = res.headers;
      res.setEncoding("utf8");
      let pending = "";
      res.on("data", (chunk: string) => {
        if (stream.status !== 200) {
          stream.body += chunk;
          return;
        }
        pending += chunk;
        for (let end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (block.startsWith(":")) stream.received.push({ comment: block.slice(1).trim() });
          else if (event !== undefined && data !== undefined) stream.received.push({ event, data: JSON.parse(data) });
        }
        for (const wake of waiters.splice(0)) wake();
      });
      res.on("end", () => {
        stream.ended = true;
        for (const wake of waiters.splice(0)) wake();
      });
      if (stream.status === 200) resolve(stream);
      else res.on("end", () => resolve(stream));
    });
    req.on("error", (error) => {
      if (stream.status === 0) reject(error);
    });
  });
}

const isEvent = (name: string, namespace?: string) => (r: Received) =>
  "event" in r && r.event === name && (namespace === undefined || (r.data as { namespace: string }).namespace === namespace);

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe("live routes over a real socket", () => {
  it("sends the snapshot first, then a change for each watch event", async () => {
    const portal = await serve();
    portal.backend.put(sampleRoute("team-a", "shop"));
    const stream = await open(portal.url, "namespace=team-a");
    assert.equal(stream.headers["content-type"], "text/event-stream; charset=utf-8");
    assert.equal(stream.headers["cache-control"], "no-store");
    const snapshot = await stream.next(isEvent("snapshot"));
    assert.deepEqual((snapshot as { data: { namespace: string; items: Array<{ object: { metadata: { name: string } } }> } }).data.namespace, "team-a");
    assert.deepEqual(
      (snapshot as { data: { items: Array<{ object: { metadata: { name: string } } }> } }).data.items.map((i) => i.object.metadata.name),
      ["shop"],
    );
    const [watch] = await portal.backend.waitForWatches(1, "team-a");
    assert.deepEqual(watch?.who, { user: "jane", groups: ["team-a"] });
    const added = { ...sampleRoute("team-a", "blog"), metadata: { name: "blog", namespace: "team-a", resourceVersion: "50" } };
    portal.backend.emit("team-a", { type: "ADDED", object: added });
    const change = (await stream.next(isEvent("change"))) as { data: { namespace: string; type: string; route: { object: unknown; words: { text: string } } } };
    assert.equal(change.data.type, "added");
    assert.deepEqual(change.data.route.object, added);
    assert.equal(typeof change.data.route.words.text, "string");
    assert.ok(stream.received.findIndex(isEvent("snapshot")) < stream.received.findIndex(isEvent("change")));
  });

  it("sends a problem for a namespace the person may not list, and keeps the stream for the others", async () => {
    const portal = await serve();
    portal.backend.failingReads.set("team-b", forbidden("jane", "team-b"));
    const stream = await open(portal.url, "namespace=team-a&namespace=team-b");
    const problem = (await stream.next(isEvent("problem", "team-b"))) as { data: { message: string } };
    assert.match(problem.data.message, /User "jane" cannot list resource "domainroutes" .* "team-b"/);
    await stream.next(isEvent("snapshot", "team-a"));
    await portal.backend.waitForWatches(1, "team-a");
    portal.backend.emit("team-a", {
      type: "ADDED",
      object: { ...sampleRoute("team-a", "x"), metadata: { name: "x", namespace: "team-a", resourceVersion: "9" } },
    });
    await stream.next(isEvent("change", "team-a"));
  });

  it("sends a keepalive comment every 25 seconds", async () => {
    const portal = await serve();
    const stream = await open(portal.url, "namespace=team-a");
    await stream.next(isEvent("snapshot"));
    portal.clock.advance(24_999);
    portal.clock.advance(1);
    await stream.next((r) => "comment" in r && r.comment === "keepalive");
    const count = () => stream.received.filter((r) => "comment" in r).length;
    portal.clock.advance(25_000);
    await stream.next((r) => "comment" in r, stream.received.length - 1);
    await until(() => count() === 2, "a second keepalive arrived");
  });

  it("sends a fresh snapshot after the watch expires (410) and the namespace is listed again", async () => {
    const portal = await serve();
    portal.backend.put(sampleRoute("team-a", "shop"));
    const stream = await open(portal.url, "namespace=team-a");
    await stream.next(isEvent("snapshot"));
    await portal.backend.waitForWatches(1, "team-a");
    portal.backend.put(sampleRoute("team-a", "blog"));
    portal.backend.endWatches("team-a", new KubeApiError("410 Expired: too old resource version", 410, "Expired"));
    const relisted = (await stream.next(isEvent("snapshot"), stream.received.findIndex(isEvent("snapshot")) + 1)) as {
      data: { items: Array<{ object: { metadata: { name: string } } }> };
    };
    assert.deepEqual(
      relisted.data.items.map((i) => i.object.metadata.name),
      ["blog", "shop"],
    );
    assert.equal(portal.backend.callsOf("routes").length, 2);
  });

  it("shares one upstream watch between one person's tabs, and closes it when the last tab leaves", async () => {
    const portal = await serve();
    const first = await open(portal.url, "namespace=team-a");
    await first.next(isEvent("snapshot"));
    const second = await open(portal.url, "namespace=team-a");
    await second.next(isEvent("snapshot"));
    await portal.backend.waitForWatches(1, "team-a");
    assert.equal(portal.backend.callsOf("routes").length, 1, "the second tab's snapshot came from memory");
    assert.equal(portal.backend.callsOf("watchRoutes").length, 1);
    first.close();
    await until(() => portal.live.counts().streams === 1, "the first tab's stream is gone");
    assert.equal(portal.backend.openWatches("team-a").length, 1, "the other tab still needs the watch");
    second.close();
    await until(() => portal.backend.openWatches("team-a").length === 0, "the upstream watch is closed");
    assert.deepEqual(portal.live.counts(), { streams: 0, upstreams: 0, identities: 0 });
  });

  it("keeps an upstream for the linger time after the last tab leaves, so a reload reuses it", async () => {
    const portal = await serve({ limits: { lingerMs: 30_000 } });
    const first = await open(portal.url, "namespace=team-a");
    await first.next(isEvent("snapshot"));
    first.close();
    await until(() => portal.live.counts().streams === 0, "the tab is gone");
    portal.clock.advance(29_000);
    const reloaded = await open(portal.url, "namespace=team-a");
    await reloaded.next(isEvent("snapshot"));
    assert.equal(portal.backend.callsOf("routes").length, 1);
    reloaded.close();
    await until(() => portal.live.counts().streams === 0, "the reloaded tab is gone");
    portal.clock.advance(29_999);
    assert.equal(portal.backend.openWatches("team-a").length, 1);
    portal.clock.advance(1);
    await until(() => portal.backend.openWatches("team-a").length === 0, "the lingering watch is closed");
  });

  it("makes a separate upstream watch for each person", async () => {
    const portal = await serve();
    const jane = await open(portal.url, "namespace=team-a", "jane", "team-a");
    const joe = await open(portal.url, "namespace=team-a", "joe", "team-a,devs");
    await jane.next(isEvent("snapshot"));
    await joe.next(isEvent("snapshot"));
    const watches = await portal.backend.waitForWatches(2, "team-a");
    assert.deepEqual(
      watches.map((w) => w.who).sort((a, b) => a.user.localeCompare(b.user)),
      [
        { user: "jane", groups: ["team-a"] },
        { user: "joe", groups: ["devs", "team-a"] },
      ],
    );
  });

  const bounds: Array<{ name: string; limits: Partial<LiveLimits>; people: string[]; refused: RegExp }> = [
    {
      name: "more streams than one person may hold",
      limits: { streamsPerIdentity: 2 },
      people: ["jane", "jane", "jane"],
      refused: /you have 2 live streams open/,
    },
    { name: "more streams than the page serves", limits: { streams: 2 }, people: ["jane", "joe", "ann"], refused: /serves 2 live streams, its limit/ },
    { name: "more people than the page follows", limits: { identities: 2 }, people: ["jane", "joe", "ann"], refused: /follows routes for 2 people/ },
  ];
  for (const c of bounds) {
    it(`answers 429 past the bound: ${c.name}`, async () => {
      const portal = await serve({ limits: c.limits });
      const admitted = c.people.slice(0, -1);
      for (const person of admitted) {
        const stream = await open(portal.url, "namespace=team-a", person);
        assert.equal(stream.status, 200);
      }
      const refused = await open(portal.url, "namespace=team-a", c.people.at(-1));
      assert.equal(refused.status, 429);
      assert.match(JSON.parse(refused.body).error, c.refused);
    });
  }

  const badRequests: Array<{ name: string; query: string; status: number; error: RegExp }> = [
    { name: "no namespace", query: "", status: 400, error: /name at least one namespace/ },
    { name: "a malformed namespace", query: "namespace=Team_A", status: 400, error: /"Team_A" is not a namespace name/ },
    {
      name: "more namespaces than one stream may follow",
      query: Array.from({ length: 21 }, (_, i) => `namespace=n${i}`).join("&"),
      status: 400,
      error: /21 namespaces in one stream; at most 20/,
    },
  ];
  for (const c of badRequests) {
    it(`refuses ${c.name} with ${c.status}`, async () => {
      const portal = await serve();
      const stream = await open(portal.url, c.query);
      assert.equal(stream.status, c.status);
      assert.match(JSON.parse(stream.body).error, c.error);
      assert.equal(portal.backend.calls.length, 0);
    });
  }

  it("refuses a stream another site asks for (Sec-Fetch-Site cross-site) before opening any watch", async () => {
    const portal = await serve();
    const status = await new Promise<number>((resolve) => {
      get(`${portal.url}/api/events?namespace=team-a`, { headers: { "X-Forwarded-User": "jane", "Sec-Fetch-Site": "cross-site" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
    });
    assert.equal(status, 403);
    assert.equal(portal.backend.calls.length, 0);
  });

  it("ends the stream of a reader that stopped reading once too much waits for it, and keeps serving the others", async () => {
    const portal = await serve({ app: { streamBufferBytes: 64 * 1024 } });
    const stalled = await new Promise<IncomingMessage>((resolve) => {
      get(`${portal.url}/api/events?namespace=team-a`, { headers: { "X-Forwarded-User": "jane", "X-Forwarded-Groups": "team-a" } }, (res) => {
        res.pause();
        resolve(res);
      });
    });
    const reading = await open(portal.url, "namespace=team-a", "joe");
    await portal.backend.waitForWatches(2, "team-a");
    const big = "x".repeat(256 * 1024);
    for (let i = 0; i < 64 && portal.live.counts().streams === 2; i++) {
      portal.backend.emit("team-a", {
        type: "ADDED",
        object: { ...sampleRoute("team-a", `r${i}`), metadata: { name: `r${i}`, namespace: "team-a", resourceVersion: String(100 + i) }, big },
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => portal.live.counts().streams === 1, "the stalled stream was ended");
    assert.match(portal.logger.messages("info").join(), /fell too far behind; ended/);
    stalled.destroy();
    await reading.next(isEvent("change"));
    assert.equal(reading.ended, false);
  });

  it("does not count the stream of a client that left before its request was handled", async () => {
    // A fixed identity: the destroyed socket no longer knows its peer's address.
    const portal = testPortal({ identity: { kind: "fixed", identity: { user: "jane", groups: [] } } });
    // The socket closes (and the response's "close" fires) before the app sees the request.
    const server = createServer((req, res) => {
      req.socket.destroy();
      setTimeout(() => portal.app(req, res), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    running.push(async () => {
      await portal.live.close();
      await new Promise((resolve) => server.close(resolve));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => {
      get(`${url}/api/events?namespace=team-a`, { headers: { "X-Forwarded-User": "jane" } }).on("error", () => resolve());
    });
    await until(() => portal.backend.callsOf("routes").length === 1, "the app handled the request");
    await until(() => portal.live.counts().streams === 0, "the stream is not counted");
  });

  it("ends every stream and stops every watch on close", async () => {
    const portal = await serve();
    const stream = await open(portal.url, "namespace=team-a");
    await stream.next(isEvent("snapshot"));
    await portal.backend.waitForWatches(1);
    await portal.live.close();
    await until(() => stream.ended, "the server ended the stream");
    assert.equal(portal.live.counts().streams, 0);
    assert.equal(portal.backend.openWatches().length, 0);
    const late = await open(portal.url, "namespace=team-a");
    assert.equal(late.status, 429);
  });
});
