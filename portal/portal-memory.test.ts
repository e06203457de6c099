// The portal's HTTP server over the cluster backend and the in-memory API
// server (RBAC, hostgate's admission chain, a status driver): the whole path
// a browser's request takes, minus the browser. Identity comes from the
// loopback "login proxy"; every verdict is the cluster's own.
import assert from "node:assert/strict";
import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import request from "supertest";
import type { KubeObject } from "../core/kube/object-key.ts";
import { silentLogger } from "../core/logger.ts";
import { ClusterBackend } from "./backends/cluster-backend.ts";
import { CsrfTokens } from "./csrf.ts";
import { identityResolver } from "./identity.ts";
import { LiveRoutes } from "./live-routes.ts";
import { createPortalApp } from "./portal-app.ts";
import { previewRoute } from "./preview.ts";
import { routeView } from "./route-view.ts";
import { memoryCluster } from "./testing/memory-cluster.ts";
import { LOOPBACK_PROXY } from "./testing/test-portal.ts";

const JANE = { user: "jane", groups: ["team-a"] };

async function world() {
  const cluster = await memoryCluster();
  const backend = new ClusterBackend({ client: cluster.api, own: cluster.api, config: cluster.config, watchTimeoutSeconds: () => 3600 });
  const csrf = new CsrfTokens();
  const live = new LiveRoutes({ backend, view: routeView, logger: silentLogger, limits: { lingerMs: 0 } });
  const app = createPortalApp({
    backend,
    identity: identityResolver(LOOPBACK_PROXY),
    csrf,
    live,
    logger: silentLogger,
    view: routeView,
    preview: (route) => previewRoute(route, { config: cluster.config }),
  });
  const write = {
    "X-Forwarded-User": JANE.user,
    "X-Forwarded-Groups": JANE.groups.join(","),
    "Sec-Fetch-Site": "same-origin",
    "X-Hostgate-CSRF": csrf.issue(JANE),
  };
  return { cluster, app, live, write };
}

function draft(domain: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "new-shop", namespace: "team-a" },
    spec: { domain, lb: "alb-in", backend: { service: { name: "shop-web", port: 8080 } } },
  };
}

describe("the portal over the in-memory cluster", () => {
  it("a dry run of a domain not granted to the namespace comes back refused, the policy's message at spec.domain", async () => {
    const { app, write } = await world();
    const res = await request(app)
      .post("/api/namespaces/team-a/routes/dry-run")
      .set(write)
      .send({ operation: "create", route: draft("new.team-b.example.com") })
      .expect(200);
    assert.equal(res.body.allowed, false);
    assert.equal(res.body.refusal.stage, "policy");
    assert.match(
      res.body.refusal.fields["spec.domain"][0],
      /^hostname-granted: spec\.domain names new\.team-b\.example\.com, which is not granted to namespace team-a/,
    );
    // A dry run stores nothing.
    await request(app).get("/api/namespaces/team-a/routes/new-shop").set(write).expect(404);
  });

  it("a valid dry run is allowed with the preview in words, and creating it answers 201", async () => {
    const { app, write } = await world();
    const dry = await request(app)
      .post("/api/namespaces/team-a/routes/dry-run")
      .set(write)
      .send({ operation: "create", route: draft("new.shop.example.com") })
      .expect(200);
    assert.equal(dry.body.allowed, true);
    assert.ok(dry.body.preview.includes("Address: https://new.shop.example.com"));
    const created = await request(app)
      .post("/api/namespaces/team-a/routes")
      .set(write)
      .send({ route: draft("new.shop.example.com") })
      .expect(201);
    assert.equal(created.body.object.metadata.name, "new-shop");
  });

  it("a person without rights in a namespace gets the API server's 403 on its routes", async () => {
    const { app, write } = await world();
    const res = await request(app).get("/api/namespaces/team-b/routes").set(write).expect(403);
    assert.match(res.body.error, /User "jane" cannot list resource "domainroutes" in API group "hostgate\.dev" in the namespace "team-b"/);
  });

  it("the event stream shows a new route waiting, then live as the status driver writes its conditions", async () => {
    const { app, write, cluster, live } = await world();
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const texts: string[] = [];
    let snapshot = false;
    let wake = () => {};
    const req = get(`${url}/api/events?namespace=team-a`, { headers: { "X-Forwarded-User": "jane", "X-Forwarded-Groups": "team-a" } }, (res) => {
      let pending = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        pending += chunk;
        for (let end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (block.startsWith("event: snapshot")) snapshot = true;
          if (block.startsWith("event: change") && data !== undefined) {
            const change = JSON.parse(data) as { route: { object: { metadata: { name: string } }; words: { text: string } } };
            if (change.route.object.metadata.name === "new-shop") texts.push(change.route.words.text);
          }
        }
        wake();
      });
    });
    const until = async (condition: () => boolean) => {
      while (!condition()) await new Promise<void>((resolve) => (wake = resolve));
    };
    try {
      await until(() => snapshot);
      await request(app)
        .post("/api/namespaces/team-a/routes")
        .set(write)
        .send({ route: draft("new.shop.example.com") })
        .expect(201);
      await until(() => texts.length >= 1);
      assert.match(texts[0] as string, /waiting for hostgate/);
      await cluster.status.live("team-a", "new-shop");
      await until(() => texts.some((t) => t.startsWith("live")));
    } finally {
      req.destroy();
      await live.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
