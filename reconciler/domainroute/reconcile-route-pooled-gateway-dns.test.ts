// A route on a pooled Gateway member (Gateway API data plane) with
// dns.provider external-dns, through the route controller: its DNSReady
// reads the member's Gateway (gather-route.ts), and waits, naming the
// Gateway, while that Gateway has no address or is not hostgate's.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { anExternalDnsConfig } from "../dns/external-dns/testing/external-dns-config.ts";
import { EDGE_01, gatewayApiPool, pooledGateway } from "../dns/testing/gateway-api-fixtures.ts";
import { DOMAIN_ROUTES, FIELD_MANAGER, GATEWAYS } from "../resources.ts";
import { route, world } from "./testing/route-world.ts";

const config = gatewayApiPool(anExternalDnsConfig());

describe("a route on a pooled Gateway member with external-dns", () => {
  const cases: { name: string; gateway: boolean; madeBy?: string; message: RegExp }[] = [
    { name: "its Gateway not created yet", gateway: false, message: /pooled Gateway edge\/edge-01 does not exist yet/ },
    { name: "its Gateway not programmed yet", gateway: true, message: /pooled Gateway edge\/edge-01 has no IP address or host name in status\.addresses yet/ },
    {
      name: "a Gateway at its name that hostgate did not write",
      gateway: true,
      madeBy: "kubectl-client-side-apply",
      message: /Gateway edge\/edge-01 exists and hostgate did not create it .*delete it \(or give it another name\)/,
    },
  ];
  for (const c of cases) {
    test(`DNSReady waits (Unknown GatewayAddressPending) with ${c.name}, naming the Gateway`, async () => {
      const w = world({ config });
      if (c.gateway) await w.api.create(GATEWAYS, pooledGateway("edge-01"), { fieldManager: c.madeBy ?? FIELD_MANAGER });
      await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { lb: "alb-in" }));
      await w.reconcile("shop");
      const uid = w.get("shop")!.metadata.uid!;
      w.edge.publish(new Map([["team-a/shop", { kind: "placed", uid, edge: { loadBalancer: "alb-in", member: "edge-01", target: EDGE_01 } }]]));
      await w.reconcile("shop");
      await w.reconcile("shop");
      assert.equal(w.condition("shop", "DNSReady"), "Unknown GatewayAddressPending");
      assert.match(w.message("shop", "DNSReady")!, /CNAME to edge-01\.gw\.example\.com, the gateway of load balancer autoscaled member edge-01 of alb-in/);
      assert.match(w.message("shop", "DNSReady")!, c.message);
    });
  }
});
