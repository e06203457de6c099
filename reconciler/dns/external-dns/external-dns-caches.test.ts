// The reconciler's caches watch DNSEndpoints only with dns.provider
// external-dns: in a cluster without external-dns, its CRD does not exist and
// a watch on it would keep the caches from ever syncing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cachedResources } from "../../manager/caches.ts";
import { aConfig } from "../../domainroute/render/testing/platform-config.ts";
import { anExternalDnsConfig } from "./testing/external-dns-config.ts";

const watched = (config: Parameters<typeof cachedResources>[0]) =>
  cachedResources(config)
    .filter((c) => c.resource.group === "externaldns.k8s.io")
    .map((c) => ({ resource: c.resource.resource, namespace: c.resource.namespace, labelSelector: c.resource.labelSelector, role: c.role }));

describe("the caches and DNSEndpoints", () => {
  const cases = [
    { name: "dns.provider none watches no DNSEndpoint", config: aConfig(), expected: [] },
    { name: "dns.provider route53 watches no DNSEndpoint", config: aConfig({ dns: { provider: "route53", ownerId: "hostgate-test" } }), expected: [] },
    {
      name: "dns.provider external-dns watches hostgate's DNSEndpoints in every namespace, as produced objects",
      config: anExternalDnsConfig(),
      expected: [{ resource: "dnsendpoints", namespace: undefined, labelSelector: "app.kubernetes.io/managed-by=hostgate", role: "produced" }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(watched(c.config), c.expected);
    });
  }
});
