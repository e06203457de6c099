// deploy/components/reconciler-gateway-api against what the reconciler does
// with `gateway.provider: gateway-api` (Envoy Gateway): the whole reconciler
// runs against the in-memory API server through every path that touches the
// Gateway API data plane's objects (cache, read by name before the first
// write, create, revert of a hand edit, prune on deletion, the orphan sweep),
// and both directions are checked for them: every request on them is allowed
// by the base plus the component, and every permission the component grants
// was used. The base's own rights stay checked by reconciler-rbac-usage.test.ts.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadPlatformConfig } from "../core/config/index.ts";
import type { PlatformConfig } from "../core/config/platform-config.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { DomainRoute } from "../crds/types.ts";
import { gatewayApiResources } from "../reconciler/domainroute/render/gateway-api/kinds.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";
import { ROOT } from "./fixtures.ts";
import type { Request } from "./rbac/rbac-usage.ts";
import { deniedRequests, eventually, grants, recordedManager, show, unusedGrants } from "./rbac/rbac-usage.ts";

const SERVICE_ACCOUNT = { namespace: "hostgate-system", name: "hostgate-reconciler" };
const BASE = join(ROOT, "deploy", "base", "reconciler-rbac.yaml");
const COMPONENT = join(ROOT, "deploy", "components", "reconciler-gateway-api", "rbac.yaml");
const loaded = loadPlatformConfig(join(ROOT, "deploy", "base", "platform-config.yaml"));
const config: PlatformConfig = {
  ...loaded,
  // A backend Service in another namespace gets a ReferenceGrant there.
  serviceBackends: { allowCrossNamespace: true },
  gateway: {
    ...loaded.gateway,
    provider: "gateway-api",
    gatewayApi: { implementation: "envoy-gateway", gatewayClassName: "eg", authServices: { sso: { namespace: "auth", name: "ext-authz", port: 9001 } } },
  },
};
/** What the component is about: the route's Gateway API data plane objects. */
const RESOURCES = gatewayApiResources("envoy-gateway");
const ABOUT = new Set(RESOURCES.map((r) => `${r.resource}.${r.group}`));
const about = (r: { group: string; resource: string }) => ABOUT.has(`${r.resource}.${r.group}`);

function route(name: string, domain: string, backend: object): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: { domain, lb: "alb-in", routing: { mode: "Managed" }, backend, protection: { provider: "sso", appId: name } },
  };
}

describe("the reconciler's RBAC for the Gateway API data plane (deploy/components/reconciler-gateway-api)", () => {
  const requests: Request[] = [];
  const granted = grants([COMPONENT], SERVICE_ACCOUNT);
  const all = grants([BASE, COMPONENT], SERVICE_ACCOUNT);
  let scenarios: Promise<void> | undefined;

  const runScenarios = async () => {
    const api = new FakeKubeApi();
    const manager = recordedManager(api, requests, config);
    const get = (name: string) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute | undefined;
    const served = (name: string) => get(name)?.status?.conditions?.some((c) => c.type === "GatewayReady" && c.status === "True") ?? false;
    const objects = () => RESOURCES.flatMap((r) => api.objects(r));
    try {
      // An external backend: a Service and its EndpointSlice; a Service in another namespace: a ReferenceGrant there.
      await api.create(DOMAIN_ROUTES, route("vm", "vm.example.com", { external: { ip: "203.0.113.10", port: 8080, protocol: "HTTP" } }));
      await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { service: { name: "web", namespace: "team-b", port: 8080 } }));
      manager.start();
      await eventually("both routes are served", () => served("vm") && served("shop"));
      // Every object edited by hand: each is replaced (update) with what the route renders.
      for (const resource of RESOURCES) {
        for (const object of api.objects(resource)) {
          const annotations = { ...(object.metadata!.annotations as object), "hostgate.dev/applied-hash": "edited" };
          await api.update(resource, { ...object, metadata: { ...object.metadata, annotations } }, { fieldManager: "kubectl-edit" });
        }
      }
      const edited = (o: KubeObject) => (o.metadata!.annotations as Record<string, string>)["hostgate.dev/applied-hash"] === "edited";
      await eventually("every hand edit is reverted", () => !objects().some(edited));
      // A route deleted the normal way: pruned.
      await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "vm" });
      await eventually("vm is gone", () => get("vm") === undefined);
      // A route gone without its finalizer: the sweep confirms by name, then deletes.
      const shopUid = get("shop")!.metadata.uid!;
      api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
      await eventually("shop's objects are swept", () =>
        objects().every((o) => (o.metadata!.labels as Record<string, string>)["hostgate.dev/route-uid"] !== shopUid),
      );
    } finally {
      await manager.stop();
    }
  };
  const recorded = () => (scenarios ??= runScenarios());
  after(() => recorded());

  it("allows every request the reconciler makes on the Gateway API data plane's objects", async () => {
    await recorded();
    if (process.env.SHOW_RBAC_REQUESTS) console.log([...new Set(requests.map(show))].sort().join("\n"));
    const onDataPlane = requests.filter(about);
    assert.ok(onDataPlane.length > 10, "the scenarios touched the data plane's objects");
    assert.deepEqual(deniedRequests(onDataPlane, all), [], "requests the RBAC would refuse with 403");
  });

  it("grants nothing the reconciler does not use", async () => {
    await recorded();
    assert.deepEqual(unusedGrants(granted, requests), [], "permissions no request needed");
  });

  it("grants only the data plane's kinds, and only to the reconciler's ServiceAccount", () => {
    assert.deepEqual([...new Set(granted.map((g) => `${g.resource}.${g.group}`))].sort(), [...ABOUT].sort());
    assert.deepEqual(grants([COMPONENT], { namespace: "hostgate-system", name: "hostgate-webhook" }), []);
  });

  it("is checked by a comparison that notices a missing verb", async () => {
    await recorded();
    const narrowed = all.filter((g) => !(g.verb === "delete" && g.resource === "httproutes"));
    assert.ok(deniedRequests(requests.filter(about), narrowed).length > 0, "without delete on HTTPRoutes, pruning one is refused");
  });
});
