import { externalServiceNameFor } from "../domainroute/render/gateway-api/names.ts";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import type { ObservabilityConfig } from "../../core/config/observability-config.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { producedMetadata } from "../domainroute/render/metadata.ts";
import { objectNameFor } from "../domainroute/render/names.ts";
import { aRoute } from "../domainroute/render/testing/route-builder.ts";
import { alertSkip, overrideProblems } from "./alert-target.ts";
import { ALERT_ERROR_RATE, ALERT_PROBE_FAILED, ALERT_UNAVAILABLE, renderPrometheusRule } from "./render-prometheus-rule.ts";
import { anAlertingConfig, aProbeConfig, configWith, gatewayApi } from "./testing/observability-config.ts";
import { promqlStructureProblems } from "./testing/promql-structure.ts";

const alerting: ObservabilityConfig = { alerting: anAlertingConfig() };
const withProbes: ObservabilityConfig = { alerting: anAlertingConfig({ probes: aProbeConfig() }) };

type Rule = { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> };
function rulesOf(route: DomainRoute, config: PlatformConfig): Rule[] {
  const rule = renderPrometheusRule(route, config) as { spec: { groups: { rules: Rule[] }[] } } | undefined;
  assert.ok(rule, "a PrometheusRule");
  return rule.spec.groups.flatMap((group) => group.rules);
}
const byAlert = (rules: Rule[], alert: string) => rules.find((rule) => rule.alert === alert)!;

const GATEWAY = 'reporter="source",source_workload_namespace="istio-system"';

describe("renderPrometheusRule", () => {
  const rendering: { name: string; route: DomainRoute; config: PlatformConfig; alerts: string[] }[] = [
    { name: "a Service backend", route: aRoute().build(), config: configWith(alerting), alerts: [ALERT_ERROR_RATE, ALERT_UNAVAILABLE] },
    {
      name: "a Service backend with probes configured (no probe)",
      route: aRoute().build(),
      config: configWith(withProbes),
      alerts: [ALERT_ERROR_RATE, ALERT_UNAVAILABLE],
    },
    {
      name: "an HTTP VM without probes",
      route: aRoute().external("10.20.30.40", 8080).build(),
      config: configWith(alerting),
      alerts: [ALERT_ERROR_RATE, ALERT_UNAVAILABLE],
    },
    {
      name: "an HTTP VM with probes",
      route: aRoute().external("10.20.30.40", 8080, "HTTP").build(),
      config: configWith(withProbes),
      alerts: [ALERT_ERROR_RATE, ALERT_UNAVAILABLE, ALERT_PROBE_FAILED],
    },
    {
      name: "an HTTPS VM with probes",
      route: aRoute().external("10.20.30.40", 443, "HTTPS").build(),
      config: configWith(withProbes),
      alerts: [ALERT_ERROR_RATE, ALERT_UNAVAILABLE, ALERT_PROBE_FAILED],
    },
    {
      name: "a TCP VM with probes",
      route: aRoute().external("10.20.30.40", 5432, "TCP").build(),
      config: configWith(withProbes),
      alerts: [ALERT_ERROR_RATE, ALERT_UNAVAILABLE, ALERT_PROBE_FAILED],
    },
    {
      name: "the Gateway API on Istio",
      route: aRoute().build(),
      config: configWith(alerting, gatewayApi("istio")),
      alerts: [ALERT_ERROR_RATE, ALERT_UNAVAILABLE],
    },
  ];
  for (const c of rendering) {
    it(`renders a PrometheusRule matching prometheus-operator's schema, with well-formed PromQL, for ${c.name}`, () => {
      const object = renderPrometheusRule(c.route, c.config);
      assert.doesNotThrow(() => new PrometheusRule(object as never).validate());
      const rules = rulesOf(c.route, c.config);
      assert.deepEqual(
        rules.map((rule) => rule.alert),
        c.alerts,
      );
      for (const rule of rules) assert.deepEqual(promqlStructureProblems(rule.expr), [], rule.expr);
    });

    it(`renders the same object and JSON twice for ${c.name}`, () => {
      const first = renderPrometheusRule(c.route, c.config);
      const second = renderPrometheusRule(structuredClone(c.route), c.config);
      assert.equal(JSON.stringify(second), JSON.stringify(first));
      assert.deepEqual(JSON.parse(JSON.stringify(first)), first);
    });
  }

  it("is owned and labelled like every object produced for the route, named after its domain, in its namespace", () => {
    const route = aRoute().build();
    const object = renderPrometheusRule(route, configWith(alerting))!;
    assert.equal(object.apiVersion, "monitoring.coreos.com/v1");
    assert.equal(object.kind, "PrometheusRule");
    assert.deepEqual(object.metadata, producedMetadata(route, objectNameFor("shop.example.com"), "team-a"));
    assert.equal(object.metadata?.ownerReferences !== undefined, true);
  });

  it("carries the config's objectLabels beside hostgate's own, so the monitoring stack's ruleSelector picks it up", () => {
    const route = aRoute().build();
    const object = renderPrometheusRule(route, configWith({ alerting: anAlertingConfig({ objectLabels: { release: "kube-prometheus-stack" } }) }))!;
    const labels = object.metadata!.labels as Record<string, string>;
    assert.deepEqual(labels, { ...producedMetadata(route, objectNameFor("shop.example.com"), "team-a").labels, release: "kube-prometheus-stack" });
    assert.deepEqual(Object.keys(labels), [...Object.keys(labels)].sort());
  });

  it("watches the 5xx share of the gateway's requests to the route's Service, dividing by a non-zero request rate only", () => {
    const rule = byAlert(rulesOf(aRoute().build(), configWith(alerting)), ALERT_ERROR_RATE);
    const target = `${GATEWAY},destination_service="web.team-a.svc.cluster.local"`;
    assert.equal(
      rule.expr,
      `sum(rate(istio_requests_total{${target},response_code=~"5.."}[5m])) / (sum(rate(istio_requests_total{${target}}[5m])) > 0) > 0.05`,
    );
    assert.equal(rule.for, "5m");
  });

  it("watches a Service in another namespace by that namespace's host", () => {
    const rule = byAlert(rulesOf(aRoute().service("api", 80, "shared").build(), configWith(alerting)), ALERT_ERROR_RATE);
    assert.match(rule.expr, /destination_service="api\.shared\.svc\.cluster\.local"/);
  });

  it("watches a VM by its ServiceEntry host, which is what the gateway reports as destination_service", () => {
    const rule = byAlert(rulesOf(aRoute().external("10.20.30.40", 8080).build(), configWith(alerting)), ALERT_UNAVAILABLE);
    const host = `${objectNameFor("shop.example.com")}.team-a.hostgate.internal`;
    const target = `${GATEWAY},destination_service="${host}"`;
    assert.equal(
      rule.expr,
      `(sum(increase(istio_requests_total{${target},response_flags=~"(.*,)?(UF|URX|UH)(,.*)?"}[5m])) > 0)` +
        ` unless (sum(increase(istio_requests_total{${target},response_code=~"[23].."}[5m])) > 0)`,
    );
  });

  it("watches a VM on the Gateway API data plane (Istio) by the Service hostgate puts in front of it, which is what that gateway reports", () => {
    const config = configWith(alerting, gatewayApi("istio"));
    const rule = byAlert(rulesOf(aRoute().external("10.20.30.40", 8080).build(), config), ALERT_ERROR_RATE);
    assert.match(rule.expr, new RegExp(`destination_service="${externalServiceNameFor("shop.example.com")}\\.team-a\\.svc\\.cluster\\.local"`));
    assert.doesNotMatch(rule.expr, /hostgate\.internal/);
  });

  it("renders nothing for an HTTPS VM on the Gateway API data plane, which that data plane does not route", () => {
    const config = configWith(alerting, gatewayApi("istio"));
    const route = aRoute().external("10.20.30.40", 8443, "HTTPS").build();
    assert.equal(renderPrometheusRule(route, config), undefined);
    assert.equal(alertSkip(route, config)?.reason, "NoManagedBackend");
  });

  it("matches the gateway's own namespace as the requests' source", () => {
    const rule = byAlert(rulesOf(aRoute().build(), configWith(alerting, { namespace: "edge" })), ALERT_ERROR_RATE);
    assert.match(rule.expr, /reporter="source",source_workload_namespace="edge",/);
  });

  it("alerts on the VM's probe by the job prometheus-operator gives the route's Probe, as critical", () => {
    const rule = byAlert(rulesOf(aRoute().external("10.20.30.40", 8080).build(), configWith(withProbes)), ALERT_PROBE_FAILED);
    assert.equal(rule.expr, `probe_success{job="probe/team-a/${objectNameFor("shop.example.com")}"} == 0`);
    assert.equal(rule.for, "2m");
    assert.equal(rule.labels.severity, "critical");
  });

  const overrides: { name: string; spec: DomainRoute["spec"]["observability"]; expr: RegExp }[] = [
    { name: "the threshold", spec: { errorRate: { threshold: "0.5%" } }, expr: /\[5m\]\)\) > 0\) > 0\.005$/ },
    { name: "the window", spec: { errorRate: { window: "15m" } }, expr: /\[15m\]\)\) \/ \(sum\(rate\(.*\[15m\]\)\) > 0\) > 0\.05$/ },
    { name: "both", spec: { errorRate: { threshold: "20%", window: "1h" } }, expr: /\[1h\]\)\) > 0\) > 0\.2$/ },
  ];
  for (const c of overrides) {
    it(`takes ${c.name} of the error-rate alert from the route's spec.observability`, () => {
      const route = aRoute().build();
      route.spec.observability = c.spec;
      assert.match(byAlert(rulesOf(route, configWith(alerting)), ALERT_ERROR_RATE).expr, c.expr);
    });
  }

  it("labels every alert with severity, route, namespace, team, domain and the config's labels, keys sorted", () => {
    const route = aRoute().build();
    route.metadata.labels = { team: "payments" };
    const config = configWith({ alerting: anAlertingConfig({ labels: { tier: "web", cluster: "eu-1" }, probes: aProbeConfig() }) });
    for (const rule of rulesOf(route, config)) {
      assert.deepEqual(Object.entries(rule.labels), [
        ["cluster", "eu-1"],
        ["domain", "shop.example.com"],
        ["namespace", "team-a"],
        ["route", "team-a/shop"],
        ["severity", "warning"],
        ["team", "payments"],
        ["tier", "web"],
      ]);
    }
  });

  const teams: { name: string; labels?: Record<string, string>; key?: string; team: string }[] = [
    { name: "the route's team label", labels: { team: "payments" }, team: "payments" },
    { name: "the label the config names", labels: { owner: "checkout", team: "x" }, key: "owner", team: "checkout" },
    { name: "the namespace without that label", labels: { other: "x" }, team: "team-a" },
    { name: "the namespace when the label is empty", labels: { team: "" }, team: "team-a" },
  ];
  for (const c of teams) {
    it(`takes the team from ${c.name}`, () => {
      const route = aRoute().build();
      if (c.labels !== undefined) route.metadata.labels = c.labels;
      const config = configWith({ alerting: anAlertingConfig(c.key === undefined ? {} : { teamLabelKey: c.key }) });
      assert.equal(byAlert(rulesOf(route, config), ALERT_ERROR_RATE).labels.team, c.team);
    });
  }

  it("keeps config label values literal for Prometheus's templating and escapes them nowhere else", () => {
    const config = configWith({ alerting: anAlertingConfig({ labels: { note: 'a{{ "x" }}b' } }) });
    const rule = byAlert(rulesOf(aRoute().build(), config), ALERT_ERROR_RATE);
    assert.equal(rule.labels.note, 'a{{ "{{" }} "x" }}b');
  });

  it("escapes a gateway namespace that would end the PromQL string", () => {
    const rule = byAlert(rulesOf(aRoute().build(), configWith(alerting, { namespace: 'x"} or vector(1) #' })), ALERT_ERROR_RATE);
    assert.match(rule.expr, /source_workload_namespace="x\\"} or vector\(1\) #"/);
    assert.deepEqual(promqlStructureProblems(rule.expr), []);
  });

  it("links the dashboard in every alert when the config has a dashboard template", () => {
    const config = configWith({ ...alerting, links: { dashboard: "https://grafana.example.com/d/hostgate?var-host={domain}" } });
    for (const rule of rulesOf(aRoute().build(), config))
      assert.equal(rule.annotations.dashboard, "https://grafana.example.com/d/hostgate?var-host=shop.example.com");
  });

  const none: { name: string; route: DomainRoute; config: PlatformConfig; reason: string | undefined }[] = [
    { name: "alerting is off", route: aRoute().build(), config: configWith({}), reason: "NotRequested" },
    { name: "there is no observability config", route: aRoute().build(), config: configWith(undefined), reason: "NotRequested" },
    {
      name: "the route sets spec.observability.alerts false",
      route: { ...aRoute().build(), spec: { ...aRoute().build().spec, observability: { alerts: false } } },
      config: configWith(withProbes),
      reason: "NotRequested",
    },
    {
      name: "the data plane is Envoy Gateway",
      route: aRoute().build(),
      config: configWith(alerting, gatewayApi("envoy-gateway")),
      reason: "DataPlaneUnsupported",
    },
    {
      name: "the data plane is the AWS Load Balancer Controller",
      route: aRoute().build(),
      config: configWith(alerting, gatewayApi("aws-load-balancer-controller")),
      reason: "DataPlaneUnsupported",
    },
    { name: "the team routes with its own VirtualService", route: aRoute().mode("External").build(), config: configWith(alerting), reason: "NoManagedBackend" },
    { name: "the route has no backend", route: aRoute().withoutBackend().build(), config: configWith(alerting), reason: "NoManagedBackend" },
  ];
  for (const c of none) {
    it(`renders nothing when ${c.name}, and alertSkip says why (${c.reason})`, () => {
      assert.equal(renderPrometheusRule(c.route, c.config), undefined);
      assert.equal(alertSkip(c.route, c.config)?.reason, c.reason);
    });
  }

  it("says nothing is skipped when it renders", () => assert.equal(alertSkip(aRoute().build(), configWith(alerting)), undefined));

  it("refuses a malformed override with a message naming the field, never putting it in the PromQL", () => {
    const route = aRoute().build();
    route.spec.observability = { errorRate: { window: "5m]) or vector(1", threshold: "5" } };
    assert.deepEqual(overrideProblems(route).length, 2);
    assert.throws(
      () => renderPrometheusRule(route, configWith(alerting)),
      (error: Error) =>
        /team-a\/shop/.test(error.message) &&
        /spec\.observability\.errorRate\.threshold is "5"/.test(error.message) &&
        /spec\.observability\.errorRate\.window is "5m\]\) or vector\(1"/.test(error.message) &&
        // The override's problem once, never again under the config's field.
        !/observability\.alerting/.test(error.message),
    );
  });

  it("refuses a malformed config window with a message naming the config field", () => {
    const config = configWith({ alerting: anAlertingConfig({ availability: { window: "five minutes", for: "5m" } }) });
    assert.throws(
      () => renderPrometheusRule(aRoute().build(), config),
      /observability\.alerting\.availability\.window is "five minutes": set a Prometheus duration/,
    );
  });
});
