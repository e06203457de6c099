import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { renderRoute } from "./render-route.ts";
import { aConfig } from "./testing/platform-config.ts";
import { RENDER_CASES } from "./testing/render-cases.ts";
import { aRoute, DEFAULT_UID } from "./testing/route-builder.ts";

const NAME = "shop-example-com-sulchitprmzyrabku5eq";
const GATEWAY_REF = `istio-system/${NAME}`;
const EXTERNAL_HOST = `${NAME}.team-a.hostgate.internal`;

function only(objects: KubeObject[], kind: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind}, got ${found.length}`);
  return found[0]!;
}

const specOf = (objects: KubeObject[], kind: string) => only(objects, kind).spec;

describe("renderRoute", () => {
  for (const c of RENDER_CASES) {
    it(`renders ${c.kinds.length === 0 ? "nothing" : c.kinds.join(", ")} for ${c.name}`, () => {
      const rendered = renderRoute(c.route, c.config);
      assert.deepEqual(
        rendered.objects.map((o) => o.kind),
        c.kinds,
      );
      assert.equal(rendered.problems.length, c.problems.length, `problems: ${JSON.stringify(rendered.problems)}`);
      for (const [i, pattern] of c.problems.entries()) assert.match(rendered.problems[i]!, pattern);
    });
  }

  it("routes a Service backend in the route's namespace by its cluster-local name, through the route's Gateway", () => {
    const { objects } = renderRoute(aRoute().service("web", 8080).build(), aConfig());
    assert.deepEqual(specOf(objects, "VirtualService"), {
      hosts: ["shop.example.com"],
      gateways: [GATEWAY_REF],
      http: [{ route: [{ destination: { host: "web.team-a.svc.cluster.local", port: { number: 8080 } } }] }],
    });
  });

  it("routes a Service in another namespace by that namespace", () => {
    const { objects } = renderRoute(aRoute().service("web", 9090, "shared").build(), aConfig());
    assert.deepEqual(specOf(objects, "VirtualService"), {
      hosts: ["shop.example.com"],
      gateways: [GATEWAY_REF],
      http: [{ route: [{ destination: { host: "web.shared.svc.cluster.local", port: { number: 9090 } } }] }],
    });
  });

  it("opens the gateway to the domain on plain HTTP port 80, on the configured gateway pods", () => {
    const config = aConfig({ gatewayNamespace: "ingress", gatewaySelector: { istio: "ingressgateway", app: "edge" } });
    const gateway = only(renderRoute(aRoute().build(), config).objects, "Gateway");
    assert.equal(gateway.metadata?.namespace, "ingress");
    assert.deepEqual(gateway.spec, {
      selector: { app: "edge", istio: "ingressgateway" },
      servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["shop.example.com"] }],
    });
  });

  const externalCases = [
    { protocol: "HTTP", given: "HTTP", port: 8080 },
    { protocol: "HTTP", given: undefined, port: 80 },
    { protocol: "HTTPS", given: "HTTPS", port: 443 },
    { protocol: "TCP", given: "TCP", port: 5000 },
  ] as const;
  for (const { protocol, given, port } of externalCases) {
    it(`gives an external ${given ?? "protocol-less"} endpoint a synthetic mesh host, exported to the gateway namespace, and routes to it`, () => {
      const { objects } = renderRoute(aRoute().external("10.20.30.40", port, given).build(), aConfig());
      assert.deepEqual(specOf(objects, "ServiceEntry"), {
        hosts: [EXTERNAL_HOST],
        location: "MESH_EXTERNAL",
        resolution: "STATIC",
        ports: [{ number: port, name: protocol.toLowerCase(), protocol }],
        endpoints: [{ address: "10.20.30.40" }],
        exportTo: [".", "istio-system"],
      });
      assert.deepEqual(specOf(objects, "VirtualService"), {
        hosts: ["shop.example.com"],
        gateways: [GATEWAY_REF],
        http: [{ route: [{ destination: { host: EXTERNAL_HOST, port: { number: port } } }] }],
      });
    });
  }

  it("never uses the public domain as the ServiceEntry host, which would send in-mesh traffic for it around the gateway", () => {
    const { objects } = renderRoute(aRoute().external("10.20.30.40", 80).build(), aConfig());
    const hosts = (specOf(objects, "ServiceEntry") as { hosts: string[] }).hosts;
    assert.ok(!hosts.includes("shop.example.com"), JSON.stringify(hosts));
  });

  it("has the gateway originate TLS to an external HTTPS endpoint, and only to an HTTPS one", () => {
    const https = renderRoute(aRoute().external("10.20.30.40", 443, "HTTPS").build(), aConfig());
    assert.deepEqual(specOf(https.objects, "DestinationRule"), {
      host: EXTERNAL_HOST,
      trafficPolicy: { tls: { mode: "SIMPLE" } },
      exportTo: [".", "istio-system"],
    });
    for (const protocol of ["HTTP", "TCP"] as const) {
      const rendered = renderRoute(aRoute().external("10.20.30.40", 443, protocol).build(), aConfig());
      assert.ok(!rendered.objects.some((o) => o.kind === "DestinationRule"), protocol);
    }
  });

  it("exports an external endpoint to '.' alone when the route lives in the gateway namespace, as Istio refuses both", () => {
    const { objects } = renderRoute(aRoute().named("edge", "istio-system").external("10.0.0.7", 8443, "HTTPS").build(), aConfig());
    assert.deepEqual((specOf(objects, "ServiceEntry") as { exportTo: string[] }).exportTo, ["."]);
    assert.deepEqual((specOf(objects, "DestinationRule") as { exportTo: string[] }).exportTo, ["."]);
  });

  it("renders no routing in External mode, only the Gateway the team's VirtualService attaches to", () => {
    const { objects, problems } = renderRoute(aRoute().mode("External").build(), aConfig());
    assert.deepEqual(problems, []);
    assert.deepEqual(
      objects.map((o) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`),
      [`Gateway ${GATEWAY_REF}`],
    );
  });

  it("leaves out only the routing of a route it cannot route, keeping its Gateway and login", () => {
    const { objects, problems } = renderRoute(aRoute().withoutBackend().protected("sso", "shop-app").build(), aConfig());
    assert.equal(problems.length, 1);
    assert.deepEqual(
      objects.map((o) => o.kind),
      ["AuthorizationPolicy", "Gateway"],
    );
  });

  it("serves nothing for a protected route whose protection it cannot render, so the domain is never open", () => {
    const { objects, problems } = renderRoute(
      aRoute()
        .mode("External")
        .protected("sso", "shop-app", [{ action: "Allow", paths: ["/{bad"] }])
        .build(),
      aConfig(),
    );
    assert.equal(problems.length, 1);
    assert.deepEqual(objects, []);
  });

  it("still returns the claim when a part of the route cannot be rendered", () => {
    const { claim } = renderRoute(aRoute().withoutBackend().build(), aConfig());
    assert.deepEqual(claim.spec, { domain: "shop.example.com", owner: { namespace: "team-a", name: "shop", uid: DEFAULT_UID } });
  });

  it("does not throw for a route without metadata or spec, and reports both", () => {
    const broken = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute" } as never;
    const rendered = renderRoute(broken, aConfig());
    assert.deepEqual(rendered.objects, []);
    assert.deepEqual(
      rendered.problems.map((p) => p.split(" ")[0]),
      ["metadata.name", "metadata.namespace", "metadata.uid", "spec.domain"],
    );
  });
});
