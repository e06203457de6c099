// The adapter against a stub API server on localhost: real HTTP through
// client-node's own request path, so the paths, query parameters, headers,
// status handling and stream handling tested here are the ones production
// uses.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { isExpired, KubeApiError } from "./api-error.ts";
import { ClientNodeListWatch } from "./client-node-list-watch.ts";
import type { WatchEvent } from "./list-watch-client.ts";
import type { ResourceRef } from "./resource.ts";

const ROUTES: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true };

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

interface Seen {
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
}

function kubeConfigFor(server: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    // client-node refuses plain HTTP unless TLS verification is explicitly off.
    clusters: [{ name: "stub", server, skipTLSVerify: true }],
    users: [{ name: "tester", token: "secret-token" }],
    contexts: [{ name: "stub", cluster: "stub", user: "tester" }],
    currentContext: "stub",
  });
  return config;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", code, reason, message };
}

const signal = () => new AbortController().signal;

/** Calls `then` once `ready()` holds, checking on every turn of the event loop. */
function whenReady(ready: () => boolean, then: () => void): void {
  if (ready()) then();
  else setImmediate(() => whenReady(ready, then));
}

describe("ClientNodeListWatch against a stub API server", () => {
  let server: Server;
  let url: string;
  let handler: Handler = (_req, res) => json(res, 500, {});
  const seen: Seen[] = [];
  let client: ClientNodeListWatch;

  before(async () => {
    server = createServer((req, res) => {
      const u = new URL(req.url ?? "/", "http://stub");
      seen.push({ path: u.pathname, query: Object.fromEntries(u.searchParams), authorization: req.headers.authorization });
      handler(req, res, u);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new ClientNodeListWatch(kubeConfigFor(url));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const reset = (h: Handler) => {
    handler = h;
    seen.length = 0;
  };

  it("lists a page with the kubeconfig's credentials, the limit and the continue token", async () => {
    reset((_req, res) =>
      json(res, 200, {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRouteList",
        metadata: { resourceVersion: "42", continue: "next-page" },
        items: [{ metadata: { name: "a" } }],
      }),
    );
    const page = await client.list(ROUTES, { limit: 2, continue: "this-page", signal: signal() });
    assert.deepEqual(page, { items: [{ metadata: { name: "a" } }], resourceVersion: "42", continue: "next-page" });
    assert.deepEqual(seen, [
      { path: "/apis/hostgate.dev/v1alpha1/domainroutes", query: { limit: "2", continue: "this-page" }, authorization: "Bearer secret-token" },
    ]);
  });

  const paths: { name: string; resource: ResourceRef; path: string }[] = [
    {
      name: "a cluster-scoped CRD",
      resource: { group: "hostgate.dev", version: "v1alpha1", resource: "hostnamegrants", kind: "HostnameGrant", namespaced: false },
      path: "/apis/hostgate.dev/v1alpha1/hostnamegrants",
    },
    { name: "the core group", resource: { group: "", version: "v1", resource: "services", kind: "Service", namespaced: true }, path: "/api/v1/services" },
    { name: "one namespace", resource: { ...ROUTES, namespace: "team-a" }, path: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes" },
  ];
  for (const c of paths) {
    it(`lists ${c.name} at its own path`, async () => {
      reset((_req, res) => json(res, 200, { metadata: { resourceVersion: "1" }, items: [] }));
      const page = await client.list(c.resource, { limit: 500, signal: signal() });
      assert.deepEqual(page, { items: [], resourceVersion: "1" });
      assert.equal(seen[0]!.path, c.path);
    });
  }

  const failures: { name: string; respond: Handler; status: number; reason: string; message: RegExp; expired?: boolean }[] = [
    {
      name: "a Status body gives the server's reason and message",
      respond: (_req, res) => json(res, 403, status(403, "Forbidden", 'domainroutes.hostgate.dev is forbidden: User "x" cannot list resource')),
      status: 403,
      reason: "Forbidden",
      message: /^403 Forbidden: domainroutes\.hostgate\.dev is forbidden: User "x" cannot list resource$/,
    },
    {
      name: "an expired continue token is recognisably expired",
      respond: (_req, res) => json(res, 410, status(410, "Expired", "The provided continue parameter is too old")),
      status: 410,
      reason: "Expired",
      message: /^410 Expired: The provided continue parameter is too old$/,
      expired: true,
    },
    {
      name: "a body that is no Status still gives the HTTP status",
      respond: (_req, res) => {
        res.writeHead(502, { "content-type": "text/html" });
        res.end("<html>bad gateway</html>");
      },
      status: 502,
      reason: "Unknown",
      message: /^502 Unknown \(the response carries no Status\)$/,
    },
    {
      name: "a 200 that is not a list is refused",
      respond: (_req, res) => json(res, 200, { hello: "world" }),
      status: 500,
      reason: "InvalidList",
      message: /is not a list .*is the server a Kubernetes API server\?/,
    },
  ];
  for (const c of failures) {
    it(`reports a failed list as a KubeApiError: ${c.name}`, async () => {
      reset(c.respond);
      await assert.rejects(client.list(ROUTES, { limit: 10, continue: "t", signal: signal() }), (e: unknown) => {
        assert.ok(e instanceof KubeApiError, String(e));
        assert.equal(e.status, c.status);
        assert.equal(e.reason, c.reason);
        assert.match(e.message, c.message);
        assert.equal(isExpired(e), c.expired ?? false);
        return true;
      });
    });
  }

  it("reports an unreachable server as a network error naming it", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const offline = new ClientNodeListWatch(kubeConfigFor(dead));
    await assert.rejects(offline.list(ROUTES, { limit: 1, signal: signal() }), (e: unknown) => {
      assert.ok(e instanceof KubeApiError);
      assert.equal(e.status, 0);
      assert.equal(e.reason, "NetworkError");
      assert.match(e.message, new RegExp(`^cannot reach the API server at ${dead.replaceAll(".", "\\.")}: ECONNREFUSED`));
      return true;
    });
  });

  it("ends a list in flight when its signal aborts", async () => {
    reset(() => {}); // never answers
    const controller = new AbortController();
    const listing = client.list(ROUTES, { limit: 1, signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await assert.rejects(listing, (e: unknown) => e instanceof KubeApiError && e.reason === "Aborted");
  });

  /** Opens a watch and collects what it reports until onEnd. */
  function collectWatch(resource: ResourceRef = ROUTES) {
    const events: WatchEvent[] = [];
    let endedWith: KubeApiError | undefined | "open" = "open";
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const handle = client.watch(
      resource,
      { resourceVersion: "42", allowWatchBookmarks: true, timeoutSeconds: 321 },
      {
        onEvent: (event) => events.push(event),
        onEnd: (error) => {
          endedWith = error;
          ended();
        },
      },
    );
    return { events, done, handle, ended: () => endedWith };
  }

  it("streams watch events from the resourceVersion with bookmarks and the server's timeout, then ends normally", async () => {
    reset((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "43" } } })}\n`);
      res.write(`${JSON.stringify({ type: "BOOKMARK", object: { metadata: { resourceVersion: "50" } } })}\n`);
      res.end(`${JSON.stringify({ type: "ERROR", object: status(410, "Expired", "too old resource version: 42 (60)") })}\n`);
    });
    const w = collectWatch();
    await w.done;
    assert.deepEqual(seen[0], {
      path: "/apis/hostgate.dev/v1alpha1/domainroutes",
      query: { watch: "true", resourceVersion: "42", allowWatchBookmarks: "true", timeoutSeconds: "321" },
      authorization: "Bearer secret-token",
    });
    assert.deepEqual(
      w.events.map((e) => e.type),
      ["ADDED", "BOOKMARK", "ERROR"],
    );
    assert.equal((w.events[2]!.object as { code: number }).code, 410);
    assert.equal(w.ended(), undefined, "the stream ended normally");
  });

  it("reports a 410 on opening the watch as an expired error", async () => {
    reset((_req, res) => json(res, 410, status(410, "Gone", "too old")));
    const w = collectWatch();
    await w.done;
    const error = w.ended();
    assert.ok(error instanceof KubeApiError);
    assert.equal(error.status, 410);
    assert.ok(isExpired(error));
  });

  it("fires no callback after abort() and closes the connection", async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    reset((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "43" } } })}\n`);
      req.socket.on("close", closed);
    });
    const w = collectWatch();
    await Promise.race([w.done, new Promise<void>((resolve) => whenReady(() => w.events.length > 0, resolve))]);
    assert.equal(w.ended(), "open", "the watch is streaming");
    w.handle.abort();
    await connectionClosed;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(w.ended(), "open", "onEnd is not called after abort()");
    assert.equal(w.events.length, 1);
  });
});
