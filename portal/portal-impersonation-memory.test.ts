// Review R17 B2 end to end: the cluster backend over the in-memory API server
// with the portal's ServiceAccount lacking its impersonation rights (an
// install missing its ClusterRoleBinding). Every read path answers the
// neutral sentence with 503, never the 403 that names the ServiceAccount, and
// the operator's log gets the remedy once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import request from "supertest";
import { RecordingLogger } from "../core/testing/recording-logger.ts";
import { ClusterBackend } from "./backends/cluster-backend.ts";
import { CsrfTokens } from "./csrf.ts";
import { identityResolver } from "./identity.ts";
import { CANNOT_ACT_FOR_YOU, IMPERSONATION_REMEDY } from "./impersonation-refused.ts";
import { LiveRoutes } from "./live-routes.ts";
import { createPortalApp } from "./portal-app.ts";
import { previewRoute } from "./preview.ts";
import { routeView } from "./route-view.ts";
import { memoryCluster } from "./testing/memory-cluster.ts";
import { LOOPBACK_PROXY } from "./testing/test-portal.ts";

const JANE = { "X-Forwarded-User": "jane", "X-Forwarded-Groups": "team-a", "Sec-Fetch-Site": "same-origin" };

describe("the page when the cluster refuses its impersonation", () => {
  it("answers every read with 503 and the neutral sentence, and logs the remedy once", async () => {
    const cluster = await memoryCluster({ portalMayImpersonate: false });
    const backend = new ClusterBackend({ client: cluster.api, own: cluster.api, config: cluster.config, watchTimeoutSeconds: () => 3600 });
    const logger = new RecordingLogger();
    const live = new LiveRoutes({ backend, view: routeView, logger, limits: { lingerMs: 0 } });
    const app = createPortalApp({
      backend,
      identity: identityResolver(LOOPBACK_PROXY),
      csrf: new CsrfTokens(),
      live,
      logger,
      view: routeView,
      preview: (route) => previewRoute(route, { config: cluster.config }),
    });
    const paths = [
      "/api/namespaces",
      "/api/namespaces/team-a/routes",
      "/api/namespaces/team-a/routes/shop-web",
      "/api/namespaces/team-a/choices",
      "/api/events?namespace=team-a",
    ];
    try {
      for (const path of paths) {
        const res = await request(app).get(path).set(JANE);
        assert.equal(res.status, 503, `${path}: ${res.text}`);
        assert.deepEqual(res.body, { error: CANNOT_ACT_FOR_YOU }, path);
        assert.doesNotMatch(res.text, /serviceaccount|hostgate-portal/, path);
      }
    } finally {
      await live.close();
    }
    const errors = logger.at("error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.fields.remedy, IMPERSONATION_REMEDY);
  });
});
