// The load balancer pool through the whole reconciler on the in-memory API
// server: route and claim events reach the pool controller, its outcomes
// bring the routes back, and the route controller writes status.edge.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../../core/logger.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { EDGE_MEMBER_ANNOTATION } from "../../crds/types.ts";
import { poolConfig } from "../edge/testing/pool-config.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { ReconcilerManager } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";

// Certificates provider none: nothing counts against the members, so every new route takes the first.
const config = poolConfig({}, "none");
const FAST = { appIdTableDebounceMs: 10, sweepDebounceMs: 10, stopTimeoutMs: 1000 } as const;
const running: ReconcilerManager[] = [];

const shop: KubeObject = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name: "shop", namespace: "team-a" },
  spec: { domain: "shop.example.com", lb: "alb-out", routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } } },
};
const get = (api: FakeKubeApi) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute | undefined;
const member = (api: FakeKubeApi) => get(api)?.status?.edge?.member;
const ready = (api: FakeKubeApi) => get(api)?.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

describe("the load balancer pool, end to end", () => {
  test("a new route is placed on the first member and becomes Ready; a move annotation moves it with no other event", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, shop);
    const m = new ReconcilerManager({ api, config, logger: silentLogger, edgeDebounceMs: 10, ...FAST });
    running.push(m);
    m.start();
    await eventually("shop is placed and Ready", () => member(api) === "public-1" && ready(api));
    const current = get(api)!;
    await api.update(DOMAIN_ROUTES, {
      ...(current as unknown as KubeObject),
      metadata: { ...current.metadata, annotations: { [EDGE_MEMBER_ANNOTATION]: "public-2" } },
    });
    await eventually("shop moved to public-2", () => member(api) === "public-2");
    assert.equal(get(api)!.status!.edge!.target, "public-2.us-east-1.elb.amazonaws.com");
    assert.equal(get(api)!.status!.conditions!.find((c) => c.type === "EdgePlaced")!.reason, "Placed");
  });
});
