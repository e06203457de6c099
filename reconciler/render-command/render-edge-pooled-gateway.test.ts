// What `hostgate render` shows of the gateway records of pooled Gateways
// (Gateway API data plane), on both DNS back ends: a member in use whose
// Gateway is among the input objects (with status.addresses) has its record
// shown; one whose Gateway is not given is listed with a note naming the
// Gateway to give; a Gateway given counts as hostgate's; a member no route is
// on publishes nothing.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { anExternalDnsConfig } from "../dns/external-dns/testing/external-dns-config.ts";
import { dnsConfig, dnsRoute, holding } from "../dns/testing/dns-fixtures.ts";
import { EDGE_01, EDGE_A, gatewayApiPool, onMember, pooledGateway } from "../dns/testing/gateway-api-fixtures.ts";
import { renderEdge } from "./render-edge.ts";

const { routes, claims } = holding(onMember(dnsRoute("shop", { lb: "alb-in" }), "edge-a"), onMember(dnsRoute("news", { lb: "alb-in" }), "edge-01"));
const inputs = { regionPolicies: [], services: [], gateways: [pooledGateway("edge-a", [{ type: "Hostname", value: "lb-a.elb.amazonaws.com" }])] };
const NOTE = /^comes from pooled Gateway edge\/edge-01's address \(status\.addresses\), which render cannot read; give the Gateway with -f to see it$/;

describe("hostgate render with pooled Gateways", () => {
  const backEnds: { name: string; config: PlatformConfig; shown: (edge: ReturnType<typeof renderEdge>) => string[] }[] = [
    {
      name: "Route53: the gateway record among the records",
      config: gatewayApiPool(dnsConfig()),
      shown: (edge) => edge.records.filter((r) => r.type !== "TXT").map((r) => `${r.type} ${r.name} ${r.target}`),
    },
    {
      name: "external-dns: the gateway DNSEndpoint among the objects",
      config: gatewayApiPool(anExternalDnsConfig()),
      shown: (edge) =>
        edge.objects
          .filter((o) => o.kind === "DNSEndpoint")
          .flatMap((o) => (o.spec as { endpoints: { recordType: string; dnsName: string; targets: string[] }[] }).endpoints)
          .map((e) => `${e.recordType} ${e.dnsName} ${e.targets.join(",")}`),
    },
  ];
  for (const b of backEnds) {
    test(`${b.name}; a Gateway not given is a note naming it`, () => {
      const edge = renderEdge(routes, claims, b.config, inputs);
      assert.ok(b.shown(edge).includes(`CNAME ${EDGE_A} lb-a.elb.amazonaws.com`), b.shown(edge).join("\n"));
      const gateways = edge.gateways.map((g) => ({ hostname: g.hostname, gateway: g.gateway, shown: g.shown }));
      assert.deepEqual(gateways, [
        { hostname: EDGE_01, gateway: "edge/edge-01", shown: false },
        { hostname: EDGE_A, gateway: "edge/edge-a", shown: true },
      ]);
      assert.match(edge.gateways[0]!.note ?? "", NOTE);
    });

    test(`${b.name}: a Gateway given as a file counts as hostgate's (kubectl get leaves out the managedFields that prove it)`, () => {
      const exported = pooledGateway("edge-a", [{ type: "Hostname", value: "lb-a.elb.amazonaws.com" }]);
      delete exported.metadata!.managedFields;
      const edge = renderEdge(routes, claims, b.config, { ...inputs, gateways: [exported] });
      assert.ok(b.shown(edge).includes(`CNAME ${EDGE_A} lb-a.elb.amazonaws.com`), b.shown(edge).join("\n"));
    });

    test(`${b.name}: a member no route is placed on publishes nothing`, () => {
      const edge = renderEdge([], [], b.config, inputs);
      assert.deepEqual([b.shown(edge), edge.gateways], [[], []]);
    });
  }
});
