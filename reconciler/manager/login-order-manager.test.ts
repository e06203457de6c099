// Through the whole reconciler on the in-memory API server: a protected route
// on the Gateway API data plane never has a listener on its pooled Gateway
// without its login. On creation the Gateway listing the listener is written
// after the login; on deletion the login is deleted after the Gateway stopped
// listing the listener (route controller and pool Gateways controller react
// to the same events; route-login-gate.ts and plan-route.ts order them).
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import type { KubeApi } from "../../core/kube/object-api.ts";
import { loginResourceFor } from "../domainroute/render/gateway-api/route-login.ts";
import { GATEWAY_NAMESPACE, gatewayApiConfigWithSso } from "../edge/gateways/testing/gateway-api-config.ts";
import { DOMAIN_ROUTES, GATEWAYS } from "../resources.ts";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";
import { startQuickManager } from "./testing/quick-manager.ts";

const running: ReconcilerManager[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const shop: KubeObject = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name: "shop", namespace: "team-a" },
  spec: { domain: "shop.example.com", lb: "alb-out", routing: { mode: "External" }, protection: { provider: "sso", appId: "shop" } },
};
const WRITES = new Set(["create", "apply", "update", "delete"]);

/** `api` calling `after` with `verb resource` once each of the reconciler's writes is stored, before anything else runs. */
function checking(api: FakeKubeApi, after: (write: string) => void): KubeApi {
  return new Proxy(api, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== "function") return value;
      if (!WRITES.has(String(property))) return value.bind(target);
      return async (resource: { resource: string }, ...rest: unknown[]) => {
        const result = await (value as (...args: unknown[]) => Promise<unknown>).apply(target, [resource, ...rest]);
        after(`${String(property)} ${resource.resource}`);
        return result;
      };
    },
  });
}
const listed = (api: FakeKubeApi) =>
  (
    (api.server.get(GATEWAYS, { namespace: GATEWAY_NAMESPACE, name: "public-1" })?.spec as { listeners?: { hostname: string }[] } | undefined)?.listeners ?? []
  ).some((l) => l.hostname === "shop.example.com");

describe("a protected route's listener and its login, through the reconciler", () => {
  for (const implementation of ["envoy-gateway", "istio"] as const) {
    test(`on ${implementation}: the listener is written after the login and goes before it`, async () => {
      const api = new FakeKubeApi();
      const config = gatewayApiConfigWithSso(implementation);
      const login = loginResourceFor(implementation)!;
      const logins = () => api.objects({ ...login, namespace: GATEWAY_NAMESPACE });
      // Each of the reconciler's writes after which the Gateway listed the listener while the login did not exist.
      const unsafe: string[] = [];
      const checked = checking(api, (write) => {
        if (listed(api) && logins().length === 0) unsafe.push(write);
      });
      await api.create(DOMAIN_ROUTES, shop);
      startQuickManager(checked, config, running);
      await eventually("shop's listener is on public-1", () => listed(api));
      assert.equal(logins().length, 1);
      await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
      await eventually(
        "shop and its login are gone",
        () => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) === undefined && logins().length === 0,
      );
      assert.deepEqual(unsafe, [], "no write left the listener listed without the login");
      assert.equal(listed(api), false);
    });
  }
});
