// `hostgate render` with the platform's observability settings: each served
// route's PrometheusRule (and a VM backend's Probe) after the routes' Istio
// objects, the gateway's Telemetry last, each validated against its kind's
// published schema before it is printed, and none of them without the settings.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../bin/cli.ts";
import { ROOT } from "../../test/fixtures.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { anAlertingConfig, aProbeConfig, configWith, gatewayApi } from "../observability/testing/observability-config.ts";
import { objectNameFor } from "../../core/kube/produced-names.ts";
import { renderAll } from "./render-command.ts";
import { validateRendered } from "./validate-rendered.ts";

const dir = mkdtempSync(join(tmpdir(), "hostgate-render-observability-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function route(name: string, backend: object, uid: string): DomainRoute {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a", uid },
    spec: { domain: `${name}.example.com`, lb: "alb-in", routing: { mode: "Managed" }, backend },
  } as unknown as DomainRoute;
}
const routes = [
  route("shop", { service: { name: "web", port: 8080 } }, "u-shop"),
  route("vm", { external: { ip: "203.0.113.10", port: 443, protocol: "HTTPS" } }, "u-vm"),
];
const everything = {
  accessLogging: { providers: ["envoy"], filter: "response.code >= 400" },
  tracing: { providers: ["otel"], sampling: "1%" },
  alerting: anAlertingConfig({ probes: aProbeConfig() }),
};
const kinds = (objects: readonly KubeObject[]) => objects.map((o) => `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`);
const observed = (objects: readonly KubeObject[]) => kinds(objects.filter((o) => ["PrometheusRule", "Probe", "Telemetry"].includes(String(o.kind))));

describe("hostgate render with observability", () => {
  const cases: { name: string; config: PlatformConfig; expected: (c: PlatformConfig) => string[] }[] = [
    {
      name: "prints each route's PrometheusRule, the VM backend's Probe, and the gateway's Telemetry last",
      config: configWith(everything),
      expected: (c) => [
        `PrometheusRule team-a/${objectNameFor("shop.example.com")}`,
        `PrometheusRule team-a/${objectNameFor("vm.example.com")}`,
        `Probe team-a/${objectNameFor("vm.example.com")}`,
        `Telemetry ${c.gateway.namespace}/hostgate-gateway`,
      ],
    },
    { name: "prints none of them without observability settings", config: configWith(undefined), expected: () => [] },
    {
      name: "prints only the Telemetry with access logging alone",
      config: configWith({ accessLogging: everything.accessLogging }),
      expected: (c) => [`Telemetry ${c.gateway.namespace}/hostgate-gateway`],
    },
    {
      name: "prints no Telemetry and no alerts on Envoy Gateway, where Istio's Telemetry and metrics do not apply",
      config: configWith(everything, gatewayApi("envoy-gateway")),
      expected: () => [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { objects } = renderAll(routes, [], c.config);
      assert.deepEqual(observed(objects), c.expected(c.config));
      if (c.expected(c.config).some((n) => n.startsWith("Telemetry"))) assert.equal(objects.at(-1)!.kind, "Telemetry", "the Telemetry comes last");
    });
  }

  test("the monitoring objects come after every route's Istio objects", () => {
    const order = renderAll(routes, [], configWith(everything)).objects.map((o) => String(o.kind));
    assert.ok(order.lastIndexOf("VirtualService") < order.indexOf("PrometheusRule"), order.join(", "));
  });

  test("every printed observability object validates against its published schema", () => {
    const { objects } = renderAll(routes, [], configWith(everything));
    const printed = objects.filter((o) => ["PrometheusRule", "Probe", "Telemetry"].includes(String(o.kind)));
    assert.equal(printed.length, 4);
    for (const object of printed) assert.doesNotThrow(() => validateRendered(object), kinds([object])[0]);
  });

  const invalid: { name: string; object: KubeObject; message: RegExp }[] = [
    {
      name: "a Telemetry whose sampling is a string is refused naming it",
      object: {
        apiVersion: "telemetry.istio.io/v1",
        kind: "Telemetry",
        metadata: { name: "hostgate-gateway", namespace: "istio-system" },
        spec: { tracing: [{ randomSamplingPercentage: "1%" }] },
      },
      message: /Telemetry istio-system\/hostgate-gateway does not match the telemetry\.istio\.io\/v1 Telemetry schema/,
    },
    {
      name: "a PrometheusRule without groups' names is refused naming it",
      object: {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "shop", namespace: "team-a" },
        spec: { groups: [{ rules: [] }] },
      },
      message: /PrometheusRule team-a\/shop does not match the monitoring\.coreos\.com\/v1 PrometheusRule schema/,
    },
    {
      name: "a Probe whose interval is not a duration is refused naming it",
      object: { apiVersion: "monitoring.coreos.com/v1", kind: "Probe", metadata: { name: "vm", namespace: "team-a" }, spec: { interval: "often" } },
      message: /Probe team-a\/vm does not match the monitoring\.coreos\.com\/v1 Probe schema/,
    },
  ];
  for (const c of invalid) {
    test(c.name, () => {
      assert.throws(() => validateRendered(c.object), c.message);
    });
  }

  test("the command prints them from the example observability config", async () => {
    const file = join(dir, "routes.yaml");
    writeFileSync(
      file,
      `apiVersion: hostgate.dev/v1alpha1
kind: DomainRoute
metadata: {name: shop, namespace: team-a}
spec: {domain: shop.example.com, lb: alb-in, backend: {service: {name: web, port: 8080}}}
`,
    );
    const result = await main(["render", "-f", file, "--config", join(ROOT, "examples", "platform-config-observability.yaml"), "-o", "json"]);
    assert.equal(result.exitCode, 0, result.stderr);
    const items = (JSON.parse(result.stdout) as { items: KubeObject[] }).items;
    assert.deepEqual(
      items.filter((o) => ["PrometheusRule", "Probe", "Telemetry"].includes(String(o.kind))).map((o) => o.kind),
      ["PrometheusRule", "Telemetry"],
    );
  });
});
