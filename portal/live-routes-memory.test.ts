// Review R17 S1's churn, end to end: the portal over the cluster backend and
// the in-memory API server, event streams opened and cut over a real socket,
// and the impersonated LIST and WATCH calls the API server receives counted.
import assert from "node:assert/strict";
import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import type { ImpersonatingClient } from "../core/kube/impersonation.ts";
import type { KubeApi } from "../core/kube/object-api.ts";
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

/** The cluster's person-facing client, counting the lists and watches made as each user. */
function counting(client: ImpersonatingClient, counts: Map<string, { lists: number; watches: number }>): ImpersonatingClient {
  return {
    as: (who) => {
      const api = client.as(who);
      const mine = counts.get(who.user) ?? { lists: 0, watches: 0 };
      counts.set(who.user, mine);
      return new Proxy(api, {
        get(target, property) {
          const value = Reflect.get(target, property, target) as unknown;
          if (typeof value !== "function") return value;
          if (property === "list") mine.lists++;
          if (property === "watch") mine.watches++;
          return value.bind(target);
        },
      }) as KubeApi;
    },
    can: (who, question) => client.can(who, question),
    describe: () => client.describe(),
  };
}

/** Opens /api/events as `user`, waits for the first bytes, then cuts the connection (R17's churn.sh). */
function openAndCut(url: string, user: string, groups: string, namespaces: readonly string[]): Promise<number> {
  const query = namespaces.map((ns) => `namespace=${ns}`).join("&");
  return new Promise((resolve, reject) => {
    const req = get(`${url}/api/events?${query}`, { headers: { "X-Forwarded-User": user, "X-Forwarded-Groups": groups } }, (res) => {
      res.once("data", () => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
    });
    req.on("error", (error) => {
      if (!req.destroyed) reject(error);
    });
  });
}

describe("event streams over the in-memory cluster", () => {
  const stops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const stop of stops) await stop();
  });

  it("R17's churn: 30 cut streams of 20 invented namespaces each make no impersonated list or watch; jane's team-a makes one of each", async () => {
    const cluster = await memoryCluster();
    const counts = new Map<string, { lists: number; watches: number }>();
    const backend = new ClusterBackend({ client: counting(cluster.api, counts), own: cluster.api, config: cluster.config, watchTimeoutSeconds: () => 3600 });
    const live = new LiveRoutes({ backend, view: routeView, logger: silentLogger, limits: { lingerMs: 30_000 } });
    const app = createPortalApp({
      backend,
      identity: identityResolver(LOOPBACK_PROXY),
      csrf: new CsrfTokens(),
      live,
      logger: silentLogger,
      view: routeView,
      preview: (route) => previewRoute(route, { config: cluster.config }),
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    stops.push(async () => {
      await live.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    for (let i = 0; i < 30; i++) {
      const invented = Array.from({ length: 20 }, (_, j) => `made-up-${i}-${j}`);
      assert.equal(await openAndCut(url, "mallory", "devs", invented), 200);
    }
    assert.equal(await openAndCut(url, "jane", "team-a", ["team-a"]), 200);
    // The reflector lists, then watches: wait for jane's watch, by which time any of mallory's would have started too.
    for (let i = 0; i < 200 && (counts.get("jane")?.watches ?? 0) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));

    assert.deepEqual(counts.get("mallory") ?? { lists: 0, watches: 0 }, { lists: 0, watches: 0 });
    assert.deepEqual(counts.get("jane"), { lists: 1, watches: 1 });
    assert.equal(live.counts().upstreams, 1, "only jane's team-a, lingering");
  });
});
