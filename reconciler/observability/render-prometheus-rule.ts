// The route's alerts (issue 18): a prometheus-operator PrometheusRule in the
// route's namespace, owned by the route like its other objects, with
//   - an error-rate alert: the share of the route's requests the ingress
//     gateway answered 5xx, over a window, above a threshold;
//   - an availability alert: upstream connections failing and nothing
//     succeeding, over a window;
//   - for a VM backend with probes configured, a probe alert: the blackbox
//     probe of the VM (render-probe.ts) fails, because nothing restarts a VM.
// Each alert is labelled with the route, its namespace, its team and its
// domain, so Alertmanager routes it to the owner.
//
// The metric is Istio's standard istio_requests_total as the ingress gateway
// reports it (https://istio.io/latest/docs/reference/config/metrics/): a
// gateway reports as reporter="source", its own namespace is
// source_workload_namespace, the route's backend host is destination_service
// (alert-target.ts), response_code is the HTTP status and response_flags
// Envoy's %RESPONSE_FLAGS% ("-" for none; several joined with ","): UF an
// upstream connection failure, URX upstream retries or connect attempts
// exhausted, UH no healthy upstream host.
import type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import type { IRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule";
import type { AlertingConfig } from "../../core/config/observability-config.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { sortedKeys } from "../domainroute/render/metadata.ts";
import { monitoringMetadata } from "./monitoring-metadata.ts";
import type { AlertTarget } from "./alert-target.ts";
import { alertSkip, alertTarget, overrideProblems } from "./alert-target.ts";
import { KIND_PROMETHEUS_RULE, MONITORING_API_VERSION } from "./kinds.ts";
import { observabilityLinks } from "./observability-links.ts";
import { probeJob } from "./render-probe.ts";
import type { Matcher } from "./promql.ts";
import { durationProblem, percentageProblem, percentageRatio, selector, templateLiteral } from "./promql.ts";

export const ALERT_ERROR_RATE = "HostgateRouteErrorRate";
export const ALERT_UNAVAILABLE = "HostgateRouteUnavailable";
export const ALERT_PROBE_FAILED = "HostgateBackendProbeFailed";
/** The probe alert's severity: a VM has no self-healing, the alert is its only safety net. */
export const PROBE_ALERT_SEVERITY = "critical";
/** The one rule group of every route's PrometheusRule (prometheus-operator writes each PrometheusRule to its own rule file). */
export const RULE_GROUP = "hostgate.route";

/** Envoy response flags of a failed upstream connection, matched as one flag among any others. */
const UPSTREAM_FAILURE_FLAGS = "(.*,)?(UF|URX|UH)(,.*)?";

/**
 * The route's PrometheusRule; undefined when alertSkip says why not. Throws
 * an Error listing every problem when the route's overrides or the config's
 * alerting values are malformed (overrideProblems: check first).
 */
export function renderPrometheusRule(route: DomainRoute, config: PlatformConfig): KubeObject | undefined {
  const alerting = config.observability?.alerting;
  const target = alertTarget(route, config);
  if (alerting === undefined || target === undefined || alertSkip(route, config) !== undefined) return undefined;

  const override = route.spec.observability?.errorRate;
  const threshold = override?.threshold ?? alerting.errorRate.threshold;
  const window = override?.window ?? alerting.errorRate.window;
  // The config loader checks the platform's values; checked again (each under its own field) as they go into PromQL.
  const problems = [
    ...overrideProblems(route),
    override?.threshold === undefined ? percentageProblem(threshold, "observability.alerting.errorRate.threshold") : undefined,
    override?.window === undefined ? durationProblem(window, "observability.alerting.errorRate.window") : undefined,
    durationProblem(alerting.availability.window, "observability.alerting.availability.window"),
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new Error(`cannot render the alerts of ${route.metadata.namespace}/${route.metadata.name}: ${problems.join("; ")}`);

  const requests = (extra: Matcher[]) =>
    selector("istio_requests_total", [
      { label: "reporter", op: "=", value: "source" },
      { label: "source_workload_namespace", op: "=", value: config.gateway.namespace },
      { label: "destination_service", op: "=", value: target.destinationService },
      ...extra,
    ]);
  const domain = templateLiteral(route.spec.domain);
  const dashboard = observabilityLinks(route, config).dashboard;
  const annotations = (summary: string, description: string) =>
    sortedKeys({ summary, description, ...(dashboard === undefined ? {} : { dashboard: templateLiteral(dashboard) }) });

  const rules: IRule[] = [
    {
      alert: ALERT_ERROR_RATE,
      // The denominator keeps only a non-zero request rate: with no requests in the window the division has no
      // result (never NaN or +Inf compared with the threshold), so an idle route never alerts.
      expr:
        `sum(rate(${requests([{ label: "response_code", op: "=~", value: "5.." }])}[${window}]))` +
        ` / (sum(rate(${requests([])}[${window}])) > 0) > ${percentageRatio(threshold)}`,
      for: alerting.errorRate.for,
      labels: alertLabels(route, alerting, alerting.severity),
      annotations: annotations(
        `${domain}: more than ${threshold} of requests fail with 5xx`,
        `{{ $value | humanizePercentage }} of the requests to ${domain} were answered 5xx at the ingress gateway over the last ${window} (threshold ${threshold}).`,
      ),
    },
    {
      alert: ALERT_UNAVAILABLE,
      // `unless`: fires only while no request succeeded (2xx or 3xx) in the window, so a few refused connections
      // among working requests stay the error-rate alert's business.
      expr:
        `(sum(increase(${requests([{ label: "response_flags", op: "=~", value: UPSTREAM_FAILURE_FLAGS }])}[${alerting.availability.window}])) > 0)` +
        ` unless (sum(increase(${requests([{ label: "response_code", op: "=~", value: "[23].." }])}[${alerting.availability.window}])) > 0)`,
      for: alerting.availability.for,
      labels: alertLabels(route, alerting, alerting.severity),
      annotations: annotations(
        `${domain} is down: the gateway cannot reach its backend`,
        `No request to ${domain} succeeded over the last ${alerting.availability.window} while the ingress gateway failed to connect to its backend ${templateLiteral(target.destinationService)}.`,
      ),
    },
  ];
  const probe = probeRule(route, config, target, domain, annotations);
  if (probe !== undefined) rules.push(probe);

  const spec: IPrometheusRule["spec"] = { groups: [{ name: RULE_GROUP, rules }] };
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: KIND_PROMETHEUS_RULE,
    metadata: monitoringMetadata(route, config),
    spec,
  };
}

/** The probe alert of a VM backend, when the config has probes: the route's Probe (render-probe.ts) reports failure. */
function probeRule(
  route: DomainRoute,
  config: PlatformConfig,
  target: AlertTarget,
  domain: string,
  annotations: (summary: string, description: string) => Record<string, string>,
): IRule | undefined {
  const alerting = config.observability?.alerting;
  const probes = alerting?.probes;
  if (alerting === undefined || probes === undefined || target.kind !== "external") return undefined;
  const endpoint = templateLiteral(`${target.ip}:${target.port}`);
  return {
    alert: ALERT_PROBE_FAILED,
    expr: `${selector("probe_success", [{ label: "job", op: "=", value: probeJob(route) }])} == 0`,
    for: probes.for,
    labels: alertLabels(route, alerting, PROBE_ALERT_SEVERITY),
    annotations: annotations(
      `${domain}: its VM backend ${endpoint} fails its probe`,
      `The blackbox probe of ${endpoint} (${target.protocol}) behind ${domain} has failed for ${probes.for}. Nothing restarts a VM: check it.`,
    ),
  };
}

/**
 * Labels of every alert of the route, keys sorted: the config's extra labels,
 * then hostgate's (which win; the config loader refuses them as extra keys).
 * The team is the value of the route's teamLabelKey label, else its namespace.
 * Values are templated by Prometheus, hence templateLiteral.
 */
function alertLabels(route: DomainRoute, alerting: AlertingConfig, severity: string): Record<string, string> {
  const namespace = route.metadata.namespace ?? "";
  const team = route.metadata.labels?.[alerting.teamLabelKey] || namespace;
  const labels: Record<string, string> = {
    ...alerting.labels,
    severity,
    route: `${namespace}/${route.metadata.name ?? ""}`,
    namespace,
    team,
    domain: route.spec.domain,
  };
  return sortedKeys(Object.fromEntries(Object.entries(labels).map(([key, value]) => [key, templateLiteral(value)])));
}
