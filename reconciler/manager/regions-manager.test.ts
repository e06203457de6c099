// The whole reconciler with external-dns across regions, against the
// in-memory API server (examples/regions/platform-config-weu.yaml: cluster
// aks01-weu in weu, regions weu and neu, two-step load balancers): the
// events that matter reach the controllers that need them. A RegionPolicy
// re-renders the routes of its namespace, a gateway Service's address
// reaches the gateway DNSEndpoints, and the orphan sweep knows this
// cluster's name, so its own regional DNSEndpoints are swept.
import { afterEach, describe, test } from "node:test";
import { loadPlatformConfig } from "../../core/config/index.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { KubeApi } from "../../core/kube/object-api.ts";
import type { WatchCallbacks } from "../../core/kube/list-watch-client.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import { DEFAULT_CONFIG } from "../../core/cli/paths.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { regionalObjectName } from "../domainroute/render/names.ts";
import { DNS_ENDPOINT_RESOURCE } from "../domainroute/render/produced-resources.ts";
import { DOMAIN_ROUTES, FIELD_MANAGER, REGION_POLICIES, SERVICES } from "../resources.ts";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";
import { startQuickManager } from "./testing/quick-manager.ts";

const config = loadPlatformConfig("examples/regions/platform-config-weu.yaml");
const GATEWAY = { namespace: "istio-system", name: "istio-ingressgateway-public" };

const route: KubeObject = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name: "shop", namespace: "team-a" },
  spec: { domain: "shop.example.com", lb: "alb-out", routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } } },
};
const gatewayService = (): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: GATEWAY, spec: { type: "LoadBalancer" } });

const running: ReconcilerManager[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});
function start(api: KubeApi, platform: PlatformConfig = config): void {
  startQuickManager(api, platform, running);
}

/**
 * `api` whose watches deliver the events of gateway DNSEndpoints `lagMs`
 * late, as a real watch may: the write has returned, the cache has not heard
 * of it yet. Every other event arrives at once.
 */
function lagGatewayRecordEvents(api: FakeKubeApi, lagMs: number): KubeApi {
  const isGatewayRecord = (object: KubeObject | undefined) => (object?.metadata?.labels as Record<string, string> | undefined)?.["hostgate.dev/gateway-record"];
  return new Proxy(api, {
    get(target, property) {
      if (property !== "watch") {
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (resource: Parameters<KubeApi["watch"]>[0], request: Parameters<KubeApi["watch"]>[1], callbacks: WatchCallbacks) =>
        target.watch(resource, request, {
          onEvent: (event) => {
            if (isGatewayRecord(event.object as KubeObject | undefined) === undefined) callbacks.onEvent(event);
            else setTimeout(() => callbacks.onEvent(event), lagMs);
          },
          onEnd: (error) => callbacks.onEnd(error),
        });
    },
  });
}

const endpoints = (api: FakeKubeApi) => api.objects(DNS_ENDPOINT_RESOURCE);
/** `<first dnsName> <region label>` of each DNSEndpoint, sorted. */
const shown = (api: FakeKubeApi, namespace: string) =>
  endpoints(api)
    .filter((o) => o.metadata?.namespace === namespace)
    .map((o) => {
      const spec = o.spec as { endpoints: { dnsName: string; targets: string[] }[] };
      return `${spec.endpoints[0]?.dnsName} ${spec.endpoints[0]?.targets.join(",")} ${(o.metadata?.labels as Record<string, string> | undefined)?.["hostgate.dev/region"]}`;
    })
    .sort();

/** `<status> <reason>: <message>` of route team-a/shop's condition of `type` as stored, or undefined. */
function conditionOf(api: FakeKubeApi, type: string): string | undefined {
  const stored = api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
  const conditions = (stored?.status as { conditions?: { type: string; status: string; reason: string; message: string }[] } | undefined)?.conditions;
  const condition = conditions?.find((c) => c.type === type);
  return condition === undefined ? undefined : `${condition.status} ${condition.reason}: ${condition.message}`;
}

describe("the reconciler across regions with external-dns", () => {
  test("a RegionPolicy created in the route's namespace re-renders the route: one DNSEndpoint per region instead of its own region's", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route);
    start(api);
    await eventually("the Active endpoint exists", () => shown(api, "team-a").join() === "shop.example.com aks01-weu-public.example.com weu");
    await api.create(REGION_POLICIES, {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "RegionPolicy",
      metadata: { namespace: "team-a", name: "default" },
      spec: { mode: "RegionBound", sourceRegion: "weu" },
    });
    await eventually(
      "one endpoint per region",
      () => shown(api, "team-a").join() === "shop.example.com aks01-weu-public.example.com neu,shop.example.com aks01-weu-public.example.com weu",
    );
  });

  test("a gateway Service's new address reaches the gateway DNSEndpoints through the Service's event", async () => {
    const api = new FakeKubeApi();
    // status is a subresource: the API server drops it on create.
    const created = await api.create(SERVICES, gatewayService());
    await api.updateStatus(SERVICES, { ...created, status: { loadBalancer: { ingress: [{ ip: "203.0.113.7" }] } } });
    start(api);
    const gateways = () => shown(api, "istio-system").filter((e) => e.startsWith("aks01-weu-public."));
    await eventually(
      "the gateway records hold the address",
      () => gateways().join() === "aks01-weu-public.example.com 203.0.113.7 neu,aks01-weu-public.example.com 203.0.113.7 weu",
    );
    // Let the passes its own writes queued (their DNSEndpoint events, 10 ms debounce) finish: only the Service's event may bring what follows.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await api.updateStatus(SERVICES, { ...(await api.get(SERVICES, GATEWAY))!, status: { loadBalancer: { ingress: [{ ip: "203.0.113.99" }] } } });
    await eventually(
      "the gateway records hold the new address",
      () => gateways().join() === "aks01-weu-public.example.com 203.0.113.99 neu,aks01-weu-public.example.com 203.0.113.99 weu",
    );
  });

  test("a route on a two-step load balancer stops waiting for its gateway record when the record's event reaches the cache late", async () => {
    const api = new FakeKubeApi();
    const created = await api.create(SERVICES, gatewayService());
    await api.updateStatus(SERVICES, { ...created, status: { loadBalancer: { ingress: [{ ip: "203.0.113.7" }] } } });
    await api.create(DOMAIN_ROUTES, route);
    // The gateway controller's writes return before the cache holds them: the routes it re-queues still see no record.
    start(lagGatewayRecordEvents(api, 300));
    // external-dns does not run here, so once the gateway record is seen the route waits for external-dns only.
    await eventually("the route's DNSReady no longer waits for the gateway record", () =>
      /^Unknown WaitingForExternalDns:/.test(conditionOf(api, "DNSReady") ?? ""),
    );
  });

  test("a route waiting for its gateway record says why as the gateway Service changes, without waiting for a resync", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route);
    start(api);
    const saying = (pattern: RegExp) => () => pattern.test(conditionOf(api, "DNSReady") ?? "");
    await eventually(
      "the route says the gateway Service does not exist",
      saying(/^Unknown GatewayAddressPending: .*istio-ingressgateway-public.* does not exist/),
    );
    // The Service appears without an address yet: nothing is written for the gateway, only the reason changes.
    await api.create(SERVICES, gatewayService());
    await eventually(
      "the route says the gateway Service has no address yet",
      saying(/^Unknown GatewayAddressPending: .*no address in status\.loadBalancer\.ingress yet/),
    );
  });

  test("a route kept from its regional DNSEndpoint's name by another route's leftover takes the name as soon as the leftover is deleted", async () => {
    const api = new FakeKubeApi();
    const name = regionalObjectName("shop.example.com", "aks01-weu", "weu");
    // hostgate wrote it for a route (uid-gone) that names no owner, so the sweep leaves it: only the test deletes it.
    const labels = { "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/route-uid": "uid-gone" };
    const leftover = {
      apiVersion: "externaldns.k8s.io/v1alpha1",
      kind: "DNSEndpoint",
      metadata: { name, namespace: "team-a", labels },
      spec: { endpoints: [] },
    };
    await api.create(DNS_ENDPOINT_RESOURCE, leftover, { fieldManager: FIELD_MANAGER });
    await api.create(DOMAIN_ROUTES, route);
    start(api);
    await eventually("the route reports the name taken", () => /^False ObjectOwnedByAnotherRoute:/.test(conditionOf(api, "Ready") ?? ""));
    api.server.delete(DNS_ENDPOINT_RESOURCE, { namespace: "team-a", name });
    // Well within the 30 s a refused route waits before it looks again by itself.
    await eventually(
      "the route's own endpoint holds the name",
      () => shown(api, "team-a").join() === "shop.example.com aks01-weu-public.example.com weu",
      2000,
    );
  });

  test("a route that vanished without its finalizer has its regional DNSEndpoint swept (this cluster's own, by its cluster label)", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route);
    start(api);
    await eventually("the endpoint exists", () => shown(api, "team-a").length === 1);
    api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await eventually("the endpoint is swept", () => shown(api, "team-a").length === 0);
  });
});

describe("the reconciler on a platform without regions", () => {
  test("runs where the RegionPolicy CRD was never installed (an upgrade that kept its CRDs): it does not watch RegionPolicies", async () => {
    const api = new FakeKubeApi();
    const notFound = () => new KubeApiError("404 NotFound: the server could not find the requested resource", 404, "NotFound");
    api.server.failLists(REGION_POLICIES, ...Array.from({ length: 1000 }, notFound));
    await api.create(DOMAIN_ROUTES, { ...route, spec: { ...(route.spec as object), lb: "alb-in" } });
    start(api, loadPlatformConfig(DEFAULT_CONFIG));
    await eventually("the route is Ready", () => /^True /.test(conditionOf(api, "Ready") ?? ""));
  });
});
