import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reservedName } from "./reserved-name.ts";
import { anExternalDnsConfig, GATEWAY_HOSTNAME } from "./external-dns/testing/external-dns-config.ts";

describe("reservedName", () => {
  const twoStep = anExternalDnsConfig({ twoStep: true });
  const cases = [
    { name: "a two-step load balancer's gatewayHostname is reserved for it", domain: GATEWAY_HOSTNAME, config: twoStep, expected: "alb-in" },
    { name: "a name under the gatewayHostname is not reserved", domain: `api.${GATEWAY_HOSTNAME}`, config: twoStep, expected: undefined },
    { name: "a fixed load balancer's DNS name reserves nothing in the platform's zones", domain: "shop.example.com", config: twoStep, expected: undefined },
    { name: "without a two-step load balancer nothing is reserved", domain: GATEWAY_HOSTNAME, config: anExternalDnsConfig(), expected: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(reservedName(c.domain, c.config)?.loadBalancer, c.expected);
    });
  }

  it("says what the name is, whose address it holds and what to do", () => {
    const reserved = reservedName(GATEWAY_HOSTNAME, twoStep);
    assert.equal(reserved?.reason, "ReservedName");
    assert.equal(reserved?.gatewayHostname, GATEWAY_HOSTNAME);
    assert.match(
      reserved?.message ?? "",
      /^aks01-weu-internal\.example\.com is loadBalancers\.alb-in\.gatewayHostname in the platform config: .*istio-system\/gw-internal.*Route another name$/,
    );
  });
});
