import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Probe } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe";
import type { ExternalProtocol, DomainRoute } from "../../crds/types.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { producedMetadata } from "../domainroute/render/metadata.ts";
import { objectNameFor } from "../domainroute/render/names.ts";
import { aRoute } from "../domainroute/render/testing/route-builder.ts";
import { probeJob, renderProbe } from "./render-probe.ts";
import { anAlertingConfig, aProbeConfig, configWith, gatewayApi } from "./testing/observability-config.ts";

const withProbes = configWith({ alerting: anAlertingConfig({ probes: aProbeConfig() }) });
type ProbeSpec = {
  interval: string;
  module: string;
  prober: { url: string; path: string };
  targets: { staticConfig: { static: string[]; labels: Record<string, string> } };
};
const specOf = (route: DomainRoute, config: PlatformConfig) => (renderProbe(route, config) as { spec: ProbeSpec } | undefined)?.spec;

describe("renderProbe", () => {
  const modules: { protocol: ExternalProtocol | undefined; module: string; target: string }[] = [
    { protocol: undefined, module: "http_2xx", target: "http://10.20.30.40:8080" },
    { protocol: "HTTP", module: "http_2xx", target: "http://10.20.30.40:8080" },
    { protocol: "HTTPS", module: "http_2xx", target: "https://10.20.30.40:8080" },
    { protocol: "TCP", module: "tcp_connect", target: "10.20.30.40:8080" },
  ];
  for (const c of modules) {
    it(`probes a ${c.protocol ?? "defaulted (HTTP)"} VM at ${c.target} with the ${c.module} module, matching prometheus-operator's schema`, () => {
      const route = aRoute().external("10.20.30.40", 8080, c.protocol).build();
      const object = renderProbe(route, withProbes);
      assert.doesNotThrow(() => new Probe(object as never).validate());
      assert.deepEqual(specOf(route, withProbes), {
        interval: "30s",
        module: c.module,
        prober: { url: "blackbox-exporter.monitoring.svc:9115", path: "/probe" },
        targets: { staticConfig: { labels: { domain: "shop.example.com", route: "team-a/shop" }, static: [c.target] } },
      });
    });
  }

  it("takes the prober, path, modules and interval from the config", () => {
    const config = configWith({
      alerting: anAlertingConfig({
        probes: aProbeConfig({ proberUrl: "bb.mon:9115", proberPath: "/p", httpModule: "http_any", tcpModule: "tcp_any", interval: "1m" }),
      }),
    });
    const http = specOf(aRoute().external("10.0.0.1", 80).build(), config)!;
    const tcp = specOf(aRoute().external("10.0.0.1", 22, "TCP").build(), config)!;
    assert.deepEqual([http.prober, http.module, http.interval, tcp.module], [{ url: "bb.mon:9115", path: "/p" }, "http_any", "1m", "tcp_any"]);
  });

  it("is owned and labelled like every object produced for the route, with the name the probe alert's job expects", () => {
    const route = aRoute().external("10.20.30.40", 8080).build();
    const object = renderProbe(route, withProbes)!;
    const name = objectNameFor("shop.example.com");
    assert.deepEqual([object.apiVersion, object.kind], ["monitoring.coreos.com/v1", "Probe"]);
    assert.deepEqual(object.metadata, producedMetadata(route, name, "team-a"));
    assert.equal(probeJob(route), `probe/team-a/${name}`);
  });

  it("carries the config's objectLabels beside hostgate's own, so the monitoring stack's probeSelector picks it up", () => {
    const config = configWith({ alerting: anAlertingConfig({ probes: aProbeConfig(), objectLabels: { release: "kube-prometheus-stack" } }) });
    const route = aRoute().external("10.20.30.40", 8080).build();
    const labels = renderProbe(route, config)!.metadata!.labels as Record<string, string>;
    assert.equal(labels.release, "kube-prometheus-stack");
    assert.deepEqual(Object.keys(labels), [...Object.keys(labels)].sort());
    assert.equal(labels["app.kubernetes.io/managed-by"], "hostgate");
  });

  it("renders the same JSON twice", () => {
    const route = aRoute().external("10.20.30.40", 8080).build();
    assert.equal(JSON.stringify(renderProbe(structuredClone(route), withProbes)), JSON.stringify(renderProbe(route, withProbes)));
  });

  const none: { name: string; route: DomainRoute; config: PlatformConfig }[] = [
    { name: "the config has no probes", route: aRoute().external("10.20.30.40", 8080).build(), config: configWith({ alerting: anAlertingConfig() }) },
    { name: "alerting is off", route: aRoute().external("10.20.30.40", 8080).build(), config: configWith({}) },
    { name: "the backend is a Service, which Kubernetes restarts", route: aRoute().build(), config: withProbes },
    { name: "the team routes itself", route: aRoute().mode("External").build(), config: withProbes },
    {
      name: "the route sets spec.observability.alerts false",
      route: {
        ...aRoute().external("10.20.30.40", 8080).build(),
        spec: { ...aRoute().external("10.20.30.40", 8080).build().spec, observability: { alerts: false } },
      },
      config: withProbes,
    },
    {
      name: "the data plane is Envoy Gateway",
      route: aRoute().external("10.20.30.40", 8080).build(),
      config: configWith({ alerting: anAlertingConfig({ probes: aProbeConfig() }) }, gatewayApi("envoy-gateway")),
    },
  ];
  for (const c of none) it(`renders nothing when ${c.name}`, () => assert.equal(renderProbe(c.route, c.config), undefined));
});
