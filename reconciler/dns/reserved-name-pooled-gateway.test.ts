// Reserved names on the Gateway API data plane: a pooled Gateway member's
// gatewayHostname, and every name the class may autoscale to (01 to 99, in
// use or not: a member above a lowered maxMembers stays in use), with the
// names of their TXT owner records.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gatewayRegistryName } from "./gateway-records.ts";
import { reservedName } from "./reserved-name.ts";
import { dnsConfig } from "./testing/dns-fixtures.ts";
import { gatewayApiPool } from "./testing/gateway-api-fixtures.ts";

describe("reserved names of pooled Gateways", () => {
  const config = gatewayApiPool(dnsConfig());
  const cases: { name: string; domain: string; member?: string; registry?: boolean; message?: RegExp }[] = [
    {
      name: "a configured pooled Gateway member's gatewayHostname is reserved for it",
      domain: "edge-a.gw.example.com",
      member: "edge-a",
      message:
        /loadBalancers\.alb-in\.members\[0\]\.gatewayHostname \(member edge-a\).*address of pooled Gateway edge\/edge-a there, and routes on member edge-a of alb-in/,
    },
    {
      name: "an autoscaled member's name is reserved before the class grows to it",
      domain: "edge-03.gw.example.com",
      member: "edge-03",
      message:
        /the gatewayHostname of autoscaled member edge-03 \(from loadBalancers\.alb-in\.autoscale\).*pooled Gateway edge\/edge-03.*autoscaled member edge-03 of alb-in/,
    },
    {
      name: "a number past maxMembers is reserved too: a member in use stays when maxMembers is lowered below it",
      domain: "edge-04.gw.example.com",
      member: "edge-04",
    },
    { name: "00 is no member's: members count from 01", domain: "edge-00.gw.example.com" },
    { name: "a name under another domain than gatewayDomain is no member's", domain: "edge-01.example.com" },
    { name: "a name below a member's gatewayHostname is not reserved", domain: "api.edge-01.gw.example.com" },
    { name: "where an autoscaled member's CNAME keeps its TXT owner record is reserved", domain: "cname-edge-02.gw.example.com", registry: true },
    { name: "so is where its A record's goes", domain: "a-edge-01.gw.example.com", registry: true },
    { name: "and a configured member's", domain: "aaaa-edge-a.gw.example.com", registry: true },
    { name: "a type prefix before a name that is no member's reserves nothing", domain: "cname-edge-00.gw.example.com" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const reserved = reservedName(c.domain, config);
      assert.equal(reserved?.member, c.member);
      if (c.message !== undefined) assert.match(reserved?.message ?? "", c.message);
      const registry = gatewayRegistryName(c.domain, config);
      assert.equal(registry !== undefined, c.registry ?? false, registry);
      if (registry !== undefined)
        assert.match(registry, /TXT owner record of the gateway record .*address of pooled Gateway edge\/edge-0?[a-z0-9]+ there is hostgate's/);
    });
  }
});
