// loadBalancerTarget: the one reading of a load balancer entry's kind.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LoadBalancerTarget } from "./load-balancer-target.ts";
import { loadBalancerTarget } from "./load-balancer-target.ts";
import type { LoadBalancerConfig } from "./platform-config.ts";

describe("loadBalancerTarget", () => {
  const cases: { name: string; entry: LoadBalancerConfig; target: LoadBalancerTarget }[] = [
    {
      name: "reads a fixed entry as its DNS name and canonical zone",
      entry: { dnsName: "public-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K", ipAddressType: "ipv4" },
      target: { kind: "fixed", dnsName: "public-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" },
    },
    {
      name: "compares a fixed entry's DNS name as DNS does: lower-cased, without a trailing dot",
      entry: { dnsName: "Public-1.us-east-1.ELB.amazonaws.com.", hostedZoneId: "Z35SXDOTRQ7X7K", ipAddressType: "dualstack" },
      target: { kind: "fixed", dnsName: "public-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" },
    },
    {
      name: "reads a two-step entry as its Service and gateway hostname, whatever else it carries",
      entry: {
        service: { namespace: "istio-system", name: "gateway-internal" },
        gatewayHostname: "aks01-weu-internal.example.com",
        ipAddressType: "ipv4",
        listenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/internal-1/60dc6c495c0c9188/a2f7dc8efc522ab3",
      },
      target: { kind: "service", service: { namespace: "istio-system", name: "gateway-internal" }, gatewayHostname: "aks01-weu-internal.example.com" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(loadBalancerTarget(c.entry), c.target));
  }

  const incomplete: { name: string; entry: LoadBalancerConfig }[] = [
    { name: "a fixed entry without its zone", entry: { dnsName: "public-1.us-east-1.elb.amazonaws.com", ipAddressType: "ipv4" } },
    { name: "a two-step entry without its Service", entry: { gatewayHostname: "gw.example.com", ipAddressType: "ipv4" } },
    { name: "an entry of neither kind", entry: { ipAddressType: "ipv4" } },
  ];
  for (const c of incomplete) {
    it(`throws, naming both kinds, for ${c.name} (a loaded config never has one)`, () => {
      assert.throws(() => loadBalancerTarget(c.entry), /needs dnsName and hostedZoneId, or service and gatewayHostname/);
    });
  }
});
