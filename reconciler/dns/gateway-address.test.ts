import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { GatewayAddress } from "./gateway-address.ts";
import { gatewayAddress } from "./gateway-address.ts";

const ref = { namespace: "istio-system", name: "internal-gateway" };
const service = (type: string, ingress?: unknown): KubeObject =>
  ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { ...ref },
    spec: { type },
    ...(ingress === undefined ? {} : { status: { loadBalancer: { ingress } } }),
  }) as KubeObject;

describe("the gateway's address from its Service's status.loadBalancer.ingress", () => {
  const cases: { name: string; service: KubeObject | undefined; expected: GatewayAddress | RegExp }[] = [
    {
      name: "IPv4 addresses, sorted",
      service: service("LoadBalancer", [{ ip: "10.0.0.9" }, { ip: "10.0.0.7" }]),
      expected: { kind: "ips", ipv4: ["10.0.0.7", "10.0.0.9"], ipv6: [] },
    },
    {
      name: "IPv4 and IPv6 addresses apart, IPv6 in lower case, duplicates once",
      service: service("LoadBalancer", [{ ip: "2001:DB8::1" }, { ip: "10.0.0.7" }, { ip: "2001:db8::1" }]),
      expected: { kind: "ips", ipv4: ["10.0.0.7"], ipv6: ["2001:db8::1"] },
    },
    {
      name: "host names only: the first in sorted order, lower case, no trailing dot",
      service: service("LoadBalancer", [{ hostname: "B.elb.amazonaws.com." }, { hostname: "a.elb.amazonaws.com" }]),
      expected: { kind: "hostname", hostname: "a.elb.amazonaws.com" },
    },
    {
      name: "an entry with both an ip and a hostname counts by its ip",
      service: service("LoadBalancer", [{ ip: "10.0.0.7", hostname: "a.elb.amazonaws.com" }]),
      expected: { kind: "ips", ipv4: ["10.0.0.7"], ipv6: [] },
    },
    {
      name: "anything that is not an address is ignored",
      service: service("LoadBalancer", [null, "10.0.0.1", { ip: "not-an-ip" }, { ip: "10.0.0.7" }]),
      expected: { kind: "ips", ipv4: ["10.0.0.7"], ipv6: [] },
    },
    {
      name: "a missing Service has no address, saying it does not exist",
      service: undefined,
      expected: /^Service istio-system\/internal-gateway, named by the platform config as the gateway, does not exist$/,
    },
    {
      name: "a LoadBalancer Service without ingress yet is being provisioned",
      service: service("LoadBalancer"),
      expected: /has no address in status\.loadBalancer\.ingress yet/,
    },
    { name: "an empty ingress list is the same", service: service("LoadBalancer", []), expected: /has no address in status\.loadBalancer\.ingress yet/ },
    {
      name: "a ClusterIP Service never gets one, and the message says the entry must name a LoadBalancer Service",
      service: service("ClusterIP"),
      expected: /is of type ClusterIP, not LoadBalancer.*must name the gateway's LoadBalancer Service/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const address = gatewayAddress(c.service, ref);
      if (c.expected instanceof RegExp) {
        assert.equal(address.kind, "none");
        assert.match(address.kind === "none" ? address.reason : "", c.expected);
      } else assert.deepEqual(address, c.expected);
    });
  }
});
