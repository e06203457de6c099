import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import { identityHeaderStripNameFor, renderIdentityHeaderStrip } from "./identity-header-strip.ts";
import { aGatewayApiConfig, GATEWAY_NAMESPACE } from "./testing/gateway-api-config.ts";

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function withIdentityHeader(identityHeader: string): PlatformConfig {
  const config = aGatewayApiConfig("envoy-gateway");
  return { ...config, protection: { ...config.protection, identityHeader } };
}

describe("renderIdentityHeaderStrip", () => {
  const cases: { name: string; gateway: string; config: PlatformConfig; header: string }[] = [
    {
      name: "removes the configured identity header from every request to the Gateway",
      gateway: "edge-01",
      config: withIdentityHeader("x-app-id"),
      header: "x-app-id",
    },
    {
      name: "removes whichever header the platform names as the identity header",
      gateway: "public-07",
      config: withIdentityHeader("x-tenant-app"),
      header: "x-tenant-app",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const policy = renderIdentityHeaderStrip(c.gateway, c.config);
      assert.deepEqual(policy, {
        apiVersion: "gateway.envoyproxy.io/v1alpha1",
        kind: "ClientTrafficPolicy",
        metadata: {
          name: `${c.gateway}-identity-header`,
          namespace: GATEWAY_NAMESPACE,
          labels: { "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/edge-member": c.gateway },
        },
        spec: {
          targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: c.gateway }],
          headers: { earlyRequestHeaders: { remove: [c.header] } },
        },
      });
    });
  }

  it("targets the whole Gateway, never one listener, so every domain on it is covered", () => {
    const spec = renderIdentityHeaderStrip("edge-01", withIdentityHeader("x-app-id")).spec as { targetRefs: Record<string, unknown>[] };
    assert.equal(spec.targetRefs.length, 1);
    assert.equal("sectionName" in spec.targetRefs[0]!, false);
  });

  it("gives each Gateway its own policy name, a DNS-1123 subdomain even for the longest member name", () => {
    const longest = `${"a".repeat(60)}-99`;
    assert.match(identityHeaderStripNameFor(longest), DNS_1123_SUBDOMAIN);
    assert.notEqual(identityHeaderStripNameFor("edge-01"), identityHeaderStripNameFor("edge-02"));
  });

  it("gives identical JSON twice, with its labels in sorted order", () => {
    const config = withIdentityHeader("x-app-id");
    const policy = renderIdentityHeaderStrip("edge-01", config);
    assert.equal(JSON.stringify(renderIdentityHeaderStrip("edge-01", config)), JSON.stringify(policy));
    const labels = Object.keys((policy.metadata as { labels: Record<string, string> }).labels);
    assert.deepEqual(labels, [...labels].sort());
  });
});
