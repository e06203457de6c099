import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { externalDnsStatus } from "./external-dns-status.ts";
import { renderDnsEndpoint } from "./render-dns-endpoint.ts";
import { aDnsRoute, anExternalDnsConfig } from "./testing/external-dns-config.ts";

const INTERNAL_LB = "internal-1.us-east-1.elb.amazonaws.com";

/** The route's DNSEndpoint as the cache would hold it: with a generation, and the status external-dns wrote. */
function cached(generation: number, observedGeneration?: number): KubeObject {
  const object = renderDnsEndpoint(aDnsRoute(), anExternalDnsConfig())!;
  return {
    ...object,
    metadata: { ...object.metadata, generation },
    ...(observedGeneration === undefined ? {} : { status: { observedGeneration } }),
  };
}

describe("externalDnsStatus", () => {
  const cases = [
    {
      name: "no DNSEndpoint yet is Unknown, EndpointPending",
      endpoint: undefined,
      status: "Unknown",
      reason: "EndpointPending",
      says: /DNSEndpoint for shop\.example\.com is not in the cluster yet/,
    },
    {
      name: "a DNSEndpoint external-dns never read is Unknown, WaitingForExternalDns, saying what to check",
      endpoint: cached(1),
      status: "Unknown",
      reason: "WaitingForExternalDns",
      says: /has not read generation 1 of DNSEndpoint team-a\/shop-example-com-\w+ \(it has read no generation\).*--source=crd.*--label-filter/,
    },
    {
      name: "a DNSEndpoint changed since external-dns read it is Unknown again",
      endpoint: cached(3, 2),
      status: "Unknown",
      reason: "WaitingForExternalDns",
      says: /has not read generation 3 .*\(it has read generation 2\)/,
    },
    {
      name: "a DNSEndpoint whose current generation external-dns read is True, HandedToExternalDns, with the record",
      endpoint: cached(2, 2),
      status: "True",
      reason: "HandedToExternalDns",
      says: /read generation 2 of .* and writes A shop\.example\.com -> internal-1.*its own TXT registry/,
      records: [{ name: "shop.example.com", type: "A", target: INTERNAL_LB, zoneId: "" }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = externalDnsStatus(aDnsRoute(), c.endpoint === undefined ? [] : [c.endpoint], anExternalDnsConfig());
      assert.equal(result.condition.type, "DNSReady");
      assert.equal(result.condition.status, c.status);
      assert.equal(result.condition.reason, c.reason);
      assert.match(result.condition.message, c.says);
      assert.deepEqual(result.records, c.records);
    });
  }

  const recordCases = [
    {
      name: "an alias to a dualstack load balancer lists A and AAAA",
      config: anExternalDnsConfig({ ipAddressType: "dualstack" }),
      records: [
        { name: "shop.example.com", type: "A", target: INTERNAL_LB, zoneId: "" },
        { name: "shop.example.com", type: "AAAA", target: INTERNAL_LB, zoneId: "" },
      ],
    },
    {
      name: "a cname lists the CNAME",
      config: anExternalDnsConfig({ dns: { recordType: "cname" } }),
      records: [{ name: "shop.example.com", type: "CNAME", target: INTERNAL_LB, zoneId: "" }],
    },
  ];
  for (const c of recordCases) {
    it(c.name, () => {
      assert.deepEqual(externalDnsStatus(aDnsRoute(), [cached(1, 1)], c.config).records, c.records);
    });
  }

  it("a cname at the zone apex is False, CnameAtApex, whatever is cached", () => {
    const result = externalDnsStatus(aDnsRoute({ domain: "example.com" }), [cached(1, 1)], anExternalDnsConfig({ dns: { recordType: "cname" } }));
    assert.deepEqual([result.condition.status, result.condition.reason, result.records], ["False", "CnameAtApex", undefined]);
  });

  it("a route asking for another zone is False, ZoneNotSelectable", () => {
    const result = externalDnsStatus(aDnsRoute({ dns: { ttl: 300, zoneId: "Z0PRIVATE" } }), [], anExternalDnsConfig());
    assert.deepEqual([result.condition.status, result.condition.reason], ["False", "ZoneNotSelectable"]);
  });

  it("says the same for the same situation (no times or counters in the message)", () => {
    const config = anExternalDnsConfig();
    assert.deepEqual(externalDnsStatus(aDnsRoute(), [cached(4, 4)], config), externalDnsStatus(aDnsRoute(), [cached(4, 4)], config));
  });
});
