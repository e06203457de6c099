// deploy/components/reconciler-external-dns against what the reconciler does
// to DNSEndpoints with `dns.provider: external-dns`: the whole reconciler runs
// against the in-memory API server through every path that touches them
// (cache, read by name before the first write, create, revert of a hand edit,
// prune on deletion, the orphan sweep), and both directions are checked
// for DNSEndpoints: every request is allowed by the component, and every
// permission it grants was used. The base's own rights stay checked by
// reconciler-rbac-usage.test.ts, which also shows that with the default
// provider nothing touches DNSEndpoints (the base grants nothing on them).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadPlatformConfig } from "../core/config/index.ts";
import type { PlatformConfig } from "../core/config/platform-config.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { DomainRoute } from "../crds/types.ts";
import { DNS_ENDPOINT_RESOURCE } from "../reconciler/domainroute/render/produced-resources.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";
import { ROOT } from "./fixtures.ts";
import type { Request } from "./rbac/rbac-usage.ts";
import { deniedRequests, eventually, grants, recordedManager, unusedGrants } from "./rbac/rbac-usage.ts";

const SERVICE_ACCOUNT = { namespace: "hostgate-system", name: "hostgate-reconciler" };
const COMPONENT = join(ROOT, "deploy", "components", "reconciler-external-dns", "rbac.yaml");
const loaded = loadPlatformConfig(join(ROOT, "deploy", "base", "platform-config.yaml"));
const config: PlatformConfig = { ...loaded, dns: { ...loaded.dns, provider: "external-dns", externalDns: { labels: { "external-dns/instance": "a" } } } };

function route(name: string, domain: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: { domain, lb: "alb-in", routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } } },
  };
}

describe("the reconciler's RBAC for DNSEndpoints (deploy/components/reconciler-external-dns)", () => {
  const requests: Request[] = [];
  const granted = grants([COMPONENT], SERVICE_ACCOUNT);
  let scenarios: Promise<void> | undefined;

  const runScenarios = async () => {
    const api = new FakeKubeApi();
    const manager = recordedManager(api, requests, config);
    const endpoints = () => api.objects(DNS_ENDPOINT_RESOURCE);
    const endpointOf = (domain: string) => endpoints().find((o) => (o.spec as { endpoints: { dnsName: string }[] }).endpoints[0]!.dnsName === domain);
    const get = (name: string) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute | undefined;
    try {
      await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
      await api.create(DOMAIN_ROUTES, route("blog", "blog.example.com"));
      manager.start();
      await eventually(
        "both routes have their DNSEndpoint",
        () => endpointOf("shop.example.com") !== undefined && endpointOf("blog.example.com") !== undefined,
      );
      // external-dns, under its own identity (not recorded), takes the endpoint up.
      const shop = endpointOf("shop.example.com")!;
      const observed = api.server.put(DNS_ENDPOINT_RESOURCE, { ...shop, status: { observedGeneration: shop.metadata!.generation } });
      // A hand edit of the spec is reverted: update (moving the fields to the apply entry), then apply.
      const edited = { ...observed, spec: { endpoints: [{ dnsName: "shop.example.com", recordType: "CNAME", targets: ["evil.example.net"] }] } };
      await api.update(DNS_ENDPOINT_RESOURCE, edited, { fieldManager: "kubectl-edit" });
      const target = () => (endpointOf("shop.example.com")?.spec as { endpoints: { targets: string[] }[] } | undefined)?.endpoints[0]?.targets[0];
      await eventually("the hand edit is reverted", () => target() === config.loadBalancers["alb-in"].dnsName);
      // A route deleted the normal way: its DNSEndpoint is pruned.
      await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "blog" });
      await eventually("blog is gone with its DNSEndpoint", () => get("blog") === undefined && endpointOf("blog.example.com") === undefined);
      // A route gone without its finalizer: the sweep confirms by name, then deletes its DNSEndpoint.
      api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
      await eventually("shop's DNSEndpoint is swept", () => endpoints().length === 0);
    } finally {
      await manager.stop();
    }
  };
  const recorded = () => (scenarios ??= runScenarios());
  after(() => recorded());
  const onEndpoints = () => requests.filter((r) => r.group === DNS_ENDPOINT_RESOURCE.group);

  it("allows every request the reconciler makes on DNSEndpoints", async () => {
    await recorded();
    assert.ok(onEndpoints().length > 5, "the scenarios touched DNSEndpoints");
    const denied = deniedRequests(onEndpoints(), granted);
    assert.deepEqual(denied, [], "requests the RBAC would refuse with 403");
  });

  it("grants nothing the reconciler does not use", async () => {
    await recorded();
    const unused = unusedGrants(granted, requests);
    assert.deepEqual(unused, [], "permissions no request needed");
  });

  it("grants only DNSEndpoints, and only to the reconciler's ServiceAccount", () => {
    assert.deepEqual([...new Set(granted.map((g) => `${g.resource}.${g.group}`))], ["dnsendpoints.externaldns.k8s.io"]);
    assert.deepEqual(grants([COMPONENT], { namespace: "hostgate-system", name: "hostgate-webhook" }), []);
  });

  it("is checked by a comparison that notices a missing verb", async () => {
    await recorded();
    const narrowed = granted.filter((g) => g.verb !== "get");
    assert.ok(deniedRequests(onEndpoints(), narrowed).length > 0, "without get, the read of a name before the route's first DNSEndpoint there is refused");
  });
});
