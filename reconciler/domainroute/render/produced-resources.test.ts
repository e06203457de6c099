import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResourceRef } from "../../../core/kube/resource.ts";
import { gatewayRefFor } from "./gateway.ts";
import { ALL_PRODUCED_RESOURCES, KIND_ORDER, PRODUCED_RESOURCES, producedResources } from "./produced-resources.ts";
import { renderRoute } from "./render-route.ts";
import { aConfig } from "./testing/platform-config.ts";
import { RENDER_CASES } from "./testing/render-cases.ts";
import { aRoute } from "./testing/route-builder.ts";

describe("PRODUCED_RESOURCES", () => {
  it("describes each kind once, in apply order", () => {
    assert.deepEqual(
      ALL_PRODUCED_RESOURCES.map((r) => r.kind),
      [...KIND_ORDER],
    );
  });

  it("holds the Istio kinds; external-dns's DNSEndpoint only with dns.provider external-dns (its CRD may not exist otherwise)", () => {
    const kinds = (provider: "route53" | "external-dns" | "none") => producedResources(aConfig({ dns: { provider } })).map((r) => r.kind);
    assert.deepEqual(kinds("none"), ["ServiceEntry", "DestinationRule", "AuthorizationPolicy", "Gateway", "VirtualService"]);
    assert.deepEqual(kinds("route53"), kinds("none"));
    assert.deepEqual(kinds("external-dns"), [...kinds("none"), "DNSEndpoint"]);
    assert.deepEqual(
      PRODUCED_RESOURCES.map((r) => r.kind),
      kinds("none"),
    );
  });

  it("can be used where a ResourceRef is expected, scoped to the namespace of its objects", () => {
    const config = aConfig({ gatewayNamespace: "ingress" });
    const refs: ResourceRef[] = PRODUCED_RESOURCES.map(({ scope, ...ref }) => ({
      ...ref,
      namespace: scope === "gateway" ? config.gateway.namespace : "team-a",
    }));
    assert.deepEqual(
      refs.map((r) => `${r.resource}.${r.group}/${r.version} in ${r.namespace}`),
      [
        "serviceentries.networking.istio.io/v1 in team-a",
        "destinationrules.networking.istio.io/v1 in team-a",
        "authorizationpolicies.security.istio.io/v1 in ingress",
        "gateways.networking.istio.io/v1 in ingress",
        "virtualservices.networking.istio.io/v1 in team-a",
      ],
    );
  });

  it("covers every kind any case renders", () => {
    const externalDns = aConfig({ dns: { provider: "external-dns", ownerId: "hostgate-test" } });
    const rendered = new Set(
      RENDER_CASES.flatMap((c) =>
        [c.config, { ...c.config, dns: externalDns.dns }].flatMap((config) => renderRoute(c.route, config).objects.map((o) => o.kind)),
      ),
    );
    assert.deepEqual([...rendered].sort(), ALL_PRODUCED_RESOURCES.map((r) => r.kind).sort());
  });

  it("cannot be changed by a caller", () => {
    assert.throws(() => (PRODUCED_RESOURCES as unknown as unknown[]).push(PRODUCED_RESOURCES[0]), TypeError);
    assert.throws(() => {
      (PRODUCED_RESOURCES[0] as { resource: string }).resource = "pods";
    }, TypeError);
  });
});

describe("gatewayRefFor", () => {
  it("names the Gateway an External-mode route's own VirtualService attaches to, as rendered", () => {
    const config = aConfig({ gatewayNamespace: "ingress" });
    const gateway = renderRoute(aRoute().mode("External").build(), config).objects.find((o) => o.kind === "Gateway")!;
    assert.equal(gatewayRefFor("shop.example.com", config), "ingress/shop-example-com-sulchitprmzyrabku5eq");
    assert.equal(gatewayRefFor("shop.example.com", config), `${gateway.metadata?.namespace}/${gateway.metadata?.name}`);
  });
});
