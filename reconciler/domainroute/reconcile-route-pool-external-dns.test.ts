// A route on a pool of two-step members (alb-in: gateway Services gw-1 and
// gw-2) with dns.provider external-dns, through one route reconcile: before
// it is placed it reconciles and waits; in the reconcile that first reads the
// pool controller's outcome its DNSEndpoint already points at its member (the
// placement it writes to status.edge in that same pass), and DNSReady reads
// its member's gateway record. The outcomes are published by hand, as the
// pool controller would.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { anExternalDnsConfig } from "../dns/external-dns/testing/external-dns-config.ts";
import { GW_1, GW_2, pooled } from "../dns/testing/pool-fixtures.ts";
import { DOMAIN_ROUTES, SERVICES } from "../resources.ts";
import { DNS_ENDPOINT_RESOURCE } from "./render/produced-resources.ts";
import { route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

const config = pooled(anExternalDnsConfig());

async function shopOnAlbIn(): Promise<{ w: World; uid: string }> {
  const w = world({ config });
  await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { lb: "alb-in" }));
  await w.reconcile("shop");
  return { w, uid: w.get("shop")!.metadata.uid! };
}

/** `<dnsName> <recordType> <targets>` of each endpoint of the DNSEndpoints in team-a. */
function records(w: World): string[] {
  return w.api.server
    .objects(DNS_ENDPOINT_RESOURCE)
    .filter((o: KubeObject) => o.metadata?.namespace === "team-a")
    .flatMap((o) => (o.spec as { endpoints: { dnsName: string; recordType: string; targets: string[] }[] }).endpoints)
    .map((e) => `${e.dnsName} ${e.recordType} ${e.targets.join(",")}`)
    .sort();
}

function placeOn(w: World, uid: string, member: string, target: string): void {
  w.edge.publish(new Map([["team-a/shop", { kind: "placed", uid, edge: { loadBalancer: "alb-in", member, target } }]]));
}

describe("a route on a pool of two-step members with external-dns", () => {
  test("reconciles before the pool controller places it: no DNSEndpoint, DNSReady waits for placement", async () => {
    const { w } = await shopOnAlbIn();
    assert.deepEqual(records(w), []);
    assert.equal(w.condition("shop", "EdgePlaced"), "Unknown PlacementPending");
    assert.equal(w.condition("shop", "DNSReady"), "Unknown WaitingForPlacement");
  });

  const members = [
    { member: "gw-1", target: GW_1 },
    { member: "gw-2", target: GW_2 },
  ];
  for (const { member, target } of members) {
    test(`placed on ${member}, its DNSEndpoint is a CNAME to ${target} in the same reconcile that writes status.edge`, async () => {
      const { w, uid } = await shopOnAlbIn();
      placeOn(w, uid, member, target);
      await w.reconcile("shop");
      assert.equal(w.get("shop")!.status!.edge?.member, member);
      assert.deepEqual(records(w), [`shop.example.com CNAME ${target}`]);
      // DNSReady in that same status write waits for the endpoint just written, not for a placement.
      assert.equal(w.condition("shop", "DNSReady"), "Unknown EndpointPending");
    });
  }

  test("once placed on gw-2, DNSReady names gw-2's gateway Service, which has no address", async () => {
    const { w, uid } = await shopOnAlbIn();
    await w.api.create(SERVICES, { apiVersion: "v1", kind: "Service", metadata: { namespace: "istio-system", name: "gw-2" }, spec: { type: "LoadBalancer" } });
    placeOn(w, uid, "gw-2", GW_2);
    await w.reconcile("shop");
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "DNSReady"), "Unknown GatewayAddressPending");
    assert.match(
      w.message("shop", "DNSReady")!,
      /CNAME to gw-2\.example\.com, the gateway of load balancer member gw-2 of alb-in.*istio-system\/gw-2.*no address/,
    );
  });
});
