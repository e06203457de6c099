// A load balancer pool of two two-step members with dns.provider
// external-dns, through the whole reconciler on the in-memory API server:
// alb-in is gw-1 and gw-2 (gateway Services istio-system/gw-1 and gw-2,
// published at gw-1/gw-2.example.com). The gateway records are labelled and
// reported per MEMBER, while routes name their class in spec.lb: the events
// of a member's gateway (its Service, its record) must still reach the routes
// on it, and a route's DNSEndpoint must point at its own member from the
// reconcile that writes its placement.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { EDGE_MEMBER_ANNOTATION } from "../../crds/types.ts";
import { anExternalDnsConfig } from "../dns/external-dns/testing/external-dns-config.ts";
import { GW_1, GW_2, pooled } from "../dns/testing/pool-fixtures.ts";
import { DNS_ENDPOINT_RESOURCE } from "../domainroute/render/produced-resources.ts";
import { DOMAIN_ROUTES, SERVICES } from "../resources.ts";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";
import { startQuickManager } from "./testing/quick-manager.ts";

const config = pooled(anExternalDnsConfig());
const running: ReconcilerManager[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

function start(api: KubeApi): void {
  startQuickManager(api, config, running);
}

/** A route on alb-in; `member` asks the pool controller for that member (else first fit: gw-1). */
function albInRoute(name: string, member?: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a", ...(member === undefined ? {} : { annotations: { [EDGE_MEMBER_ANNOTATION]: member } }) },
    spec: { domain: `${name}.example.com`, lb: "alb-in", routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } } },
  };
}

/** Gateway Service istio-system/`name`, with `ip` as its load balancer address when given. */
async function gatewayService(api: FakeKubeApi, name: string, ip?: string): Promise<void> {
  const created = await api.create(SERVICES, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { namespace: "istio-system", name },
    spec: { type: "LoadBalancer" },
  });
  // status is a subresource: the API server drops it on create.
  if (ip !== undefined) await api.updateStatus(SERVICES, { ...created, status: { loadBalancer: { ingress: [{ ip }] } } });
}

/** `<dnsName> <recordType> <targets>` of each endpoint of the DNSEndpoints in `namespace` as `api` holds them now, sorted. */
function records(api: FakeKubeApi, namespace: string): string[] {
  return api.server
    .objects(DNS_ENDPOINT_RESOURCE)
    .filter((o) => o.metadata?.namespace === namespace)
    .flatMap((o) => (o.spec as { endpoints: { dnsName: string; recordType: string; targets: string[] }[] }).endpoints)
    .map((e) => `${e.dnsName} ${e.recordType} ${e.targets.join(",")}`)
    .sort();
}

/**
 * `api` that notes, for each route, the route DNSEndpoints the cluster held
 * when the route controller first wrote a status.edge for it (the executor
 * writes objects before status): what the reconcile that placed it rendered.
 */
function notingFirstPlacement(api: FakeKubeApi): { api: KubeApi; atPlacement: Map<string, { member: string; records: string[] }> } {
  const atPlacement = new Map<string, { member: string; records: string[] }>();
  const noting = new Proxy(api, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (property !== "updateStatus") return typeof value === "function" ? value.bind(target) : value;
      return (resource: Parameters<KubeApi["updateStatus"]>[0], object: KubeObject) => {
        const member = (object.status as { edge?: { member: string } } | undefined)?.edge?.member;
        const name = object.metadata?.name ?? "";
        if (resource === DOMAIN_ROUTES && member !== undefined && !atPlacement.has(name)) {
          const domain = (object.spec as { domain: string }).domain;
          atPlacement.set(name, { member, records: records(target, "team-a").filter((r) => r.startsWith(`${domain} `)) });
        }
        return target.updateStatus(resource, object);
      };
    },
  });
  return { api: noting, atPlacement };
}

/** `<status> <reason>: <message>` of route team-a/`name`'s condition of `type` as stored, or undefined. */
function conditionOf(api: FakeKubeApi, name: string, type: string): string | undefined {
  const stored = api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name });
  const conditions = (stored?.status as { conditions?: { type: string; status: string; reason: string; message: string }[] } | undefined)?.conditions;
  const condition = conditions?.find((c) => c.type === type);
  return condition === undefined ? undefined : `${condition.status} ${condition.reason}: ${condition.message}`;
}

describe("a pool of two-step members with external-dns, end to end", () => {
  test("routes placed on different members get DNSEndpoints to their own member's gatewayHostname in the reconcile that places them", async () => {
    const fake = new FakeKubeApi();
    await gatewayService(fake, "gw-1", "203.0.113.1");
    await gatewayService(fake, "gw-2", "203.0.113.2");
    await fake.create(DOMAIN_ROUTES, albInRoute("shop"));
    await fake.create(DOMAIN_ROUTES, albInRoute("blog", "gw-2"));
    const { api, atPlacement } = notingFirstPlacement(fake);
    start(api);
    await eventually("both routes are placed", () => atPlacement.size === 2);
    assert.deepEqual(Object.fromEntries([...atPlacement].sort()), {
      blog: { member: "gw-2", records: [`blog.example.com CNAME ${GW_2}`] },
      shop: { member: "gw-1", records: [`shop.example.com CNAME ${GW_1}`] },
    });
    // Each member's gateway record holds its own Service's address.
    await eventually("both gateway records are written", () => records(fake, "istio-system").join() === `${GW_1} A 203.0.113.1,${GW_2} A 203.0.113.2`);
  });

  test("a member's gateway Service changing brings the routes on that member back: they say why they wait, then stop waiting", async () => {
    const api = new FakeKubeApi();
    await gatewayService(api, "gw-1", "203.0.113.1");
    await api.create(DOMAIN_ROUTES, albInRoute("blog", "gw-2"));
    start(api);
    const blogSays = (pattern: RegExp) => () => pattern.test(conditionOf(api, "blog", "DNSReady") ?? "");
    await eventually("blog waits for gw-2's Service, which does not exist", blogSays(/^Unknown GatewayAddressPending: .*istio-system\/gw-2.* does not exist/));
    // Let the passes its own writes queued finish: only the Service's events may bring what follows.
    await new Promise((resolve) => setTimeout(resolve, 200));
    // No gateway record is written for a Service without an address: only the Service's event can bring blog back.
    await gatewayService(api, "gw-2");
    await eventually(
      "blog says gw-2's Service has no address yet",
      blogSays(/^Unknown GatewayAddressPending: .*no address in status\.loadBalancer\.ingress yet/),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The address arrives: gw-2's gateway record is written, and blog no longer waits for it (external-dns does not run here).
    const service = (await api.get(SERVICES, { namespace: "istio-system", name: "gw-2" }))!;
    await api.updateStatus(SERVICES, { ...service, status: { loadBalancer: { ingress: [{ ip: "203.0.113.2" }] } } });
    await eventually("blog no longer waits for gw-2's gateway record", blogSays(/^Unknown WaitingForExternalDns:/));
  });
});
