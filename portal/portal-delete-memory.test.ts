// Deleting through the page over the cluster backend and the in-memory API
// server: the uid read is the one precondition (review R17 N5). The
// reconciler writes status often while a route is pending, so a
// resourceVersion precondition would refuse almost every delete of a route
// that is not live yet.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import request from "supertest";
import { silentLogger } from "../core/logger.ts";
import { DOMAIN_ROUTES } from "../core/state/sources/indexed-resources.ts";
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
  const app = createPortalApp({
    backend,
    identity: identityResolver(LOOPBACK_PROXY),
    csrf,
    live: new LiveRoutes({ backend, view: routeView, logger: silentLogger, limits: { lingerMs: 0 } }),
    logger: silentLogger,
    view: routeView,
    preview: (route) => previewRoute(route, { config: cluster.config }),
  });
  const headers = {
    "X-Forwarded-User": JANE.user,
    "X-Forwarded-Groups": JANE.groups.join(","),
    "Content-Type": "application/json",
    "Sec-Fetch-Site": "same-origin",
    "X-Hostgate-CSRF": csrf.issue(JANE),
  };
  return { cluster, app, headers };
}

describe("deleting a route through the page", () => {
  it("deletes the route the row showed although the reconciler wrote its status since (the row's resourceVersion is old)", async () => {
    const { cluster, app, headers } = await world();
    const shown = (await request(app).get("/api/namespaces/team-a/routes/shop-web").set(headers).expect(200)).body.object;
    await cluster.status.pending("team-a", "shop-web", "dns");
    const { uid, resourceVersion } = shown.metadata;
    const res = await request(app).delete("/api/namespaces/team-a/routes/shop-web").set(headers).send({ uid, resourceVersion }).expect(200);
    assert.equal(res.body.allowed, true);
    assert.equal(await cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop-web" }), undefined);
  });

  it("refuses with 409 to delete a new route of the same name (another uid), and deletes nothing", async () => {
    const { cluster, app, headers } = await world();
    const res = await request(app).delete("/api/namespaces/team-a/routes/shop-web").set(headers).send({ uid: "not-the-one-read" }).expect(409);
    assert.equal(res.body.allowed, false);
    assert.notEqual(await cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop-web" }), undefined);
  });
});
