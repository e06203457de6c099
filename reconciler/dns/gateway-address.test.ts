import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { LABEL_ROUTE_UID } from "../domainroute/render/metadata.ts";
import type { GatewayAddress, NoAddress } from "./gateway-address.ts";
import { gatewayAddress, pooledGatewayAddress } from "./gateway-address.ts";
import { pooledGateway } from "./testing/gateway-api-fixtures.ts";

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

describe("a pooled Gateway's address, and why it has none", () => {
  const gatewayRef = { namespace: "edge", name: "edge-01" };
  const hostname = [{ type: "Hostname", value: "lb-01.elb.amazonaws.com" }];
  const cases: { name: string; gateway: KubeObject | undefined; expected: GatewayAddress | { why: NoAddress; reason: RegExp } }[] = [
    {
      name: "hostgate's Gateway with a Hostname address has it",
      gateway: pooledGateway("edge-01", hostname),
      expected: { kind: "hostname", hostname: "lb-01.elb.amazonaws.com" },
    },
    {
      name: "hostgate's Gateway without an address yet is pending (what was published stays)",
      gateway: pooledGateway("edge-01"),
      expected: { why: "pending", reason: /^pooled Gateway edge\/edge-01 has no IP address or host name in status\.addresses yet/ },
    },
    {
      name: "a Gateway that does not exist is gone (nothing stays: the cloud may hand its old address to someone else)",
      gateway: undefined,
      expected: { why: "gone", reason: /^pooled Gateway edge\/edge-01 does not exist yet, or no longer .*no gateway record is published for it$/ },
    },
    {
      name: "a Gateway another manager wrote, with hostgate's labels copied, is not hostgate's: its address is not taken",
      gateway: pooledGateway("edge-01", hostname, "kubectl-client-side-apply"),
      expected: { why: "not-owned", reason: /^Gateway edge\/edge-01 exists and hostgate did not create it .*delete it \(or give it another name\)/ },
    },
    {
      name: "a Gateway hostgate wrote for a route (its route-uid label) is not a pooled one",
      gateway: withLabel(pooledGateway("edge-01", hostname), LABEL_ROUTE_UID, "uid-1"),
      expected: { why: "not-owned", reason: /hostgate did not create it/ },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const address = pooledGatewayAddress(c.gateway, gatewayRef);
      if ("kind" in c.expected) assert.deepEqual(address, c.expected);
      else {
        assert.equal(address.kind === "none" ? address.why : address.kind, c.expected.why);
        assert.match(address.kind === "none" ? address.reason : "", c.expected.reason);
      }
    });
  }

  test("hostgate render's own judge (every Gateway given is hostgate's) takes the address of any", () => {
    const address = pooledGatewayAddress(pooledGateway("edge-01", hostname, "kubectl-client-side-apply"), gatewayRef, () => true);
    assert.deepEqual(address, { kind: "hostname", hostname: "lb-01.elb.amazonaws.com" });
  });
});

function withLabel(object: KubeObject, key: string, value: string): KubeObject {
  return { ...object, metadata: { ...object.metadata, labels: { ...(object.metadata?.labels as Record<string, string>), [key]: value } } };
}
