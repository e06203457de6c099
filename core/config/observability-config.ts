// The platform's observability settings (issue 18), all optional: access
// logging and tracing at the ingress gateway (an Istio Telemetry for the
// gateway workload), and, when alerting is on, per DomainRoute an error-rate
// and an availability alert (a prometheus-operator PrometheusRule in the
// route's namespace) and, for a VM backend, a blackbox probe (a Probe) with
// an alert when it fails. Links shown in the route's status and on the
// self-service page are built from URL templates.
//
// Percentages are strings ("5%", "0.5%"), never floats: the same form as the
// per-route override in the DomainRoute's spec.observability, which the
// Kubernetes API conventions keep free of floating-point fields.

export interface AccessLoggingConfig {
  /** Istio extension providers to log to (MeshConfig extensionProviders names); default ["envoy"]. */
  readonly providers: readonly string[];
  /** An Istio Telemetry accessLogging filter expression (CEL over Envoy attributes), e.g. `response.code >= 400`; absent: every request. */
  readonly filter?: string;
}

export interface TracingConfig {
  /** Istio tracing providers (MeshConfig extensionProviders names), e.g. ["otel"]. */
  readonly providers: readonly string[];
  /** "0%" … "100%", two decimals at most (core/config/percent.ts): the share of requests traced (Telemetry randomSamplingPercentage); default "1%". */
  readonly sampling: string;
}

export interface ErrorRateAlertConfig {
  /** The 5xx share of the route's requests at the gateway that fires the alert, "0.1%" … "100%", e.g. "5%"; default "5%". */
  readonly threshold: string;
  /** The rate window (a Prometheus duration such as "5m"); default "5m". */
  readonly window: string;
  /** How long the condition must hold before the alert fires ("for"); default "5m". */
  readonly for: string;
}

export interface AvailabilityAlertConfig {
  /** The window in which no request succeeded while upstream connections failed; default "5m". */
  readonly window: string;
  /** default "5m". */
  readonly for: string;
}

export interface ProbeConfig {
  /** The blackbox exporter's address as prometheus-operator's Probe spec.prober.url wants it (host:port), e.g. "blackbox-exporter.monitoring.svc:9115". */
  readonly proberUrl: string;
  /** The blackbox exporter's path; default "/probe". */
  readonly proberPath: string;
  /** The module for HTTP and HTTPS VM backends; default "http_2xx". */
  readonly httpModule: string;
  /** The module for TCP VM backends; default "tcp_connect". */
  readonly tcpModule: string;
  /** How often to probe (a Prometheus duration); default "30s". */
  readonly interval: string;
  /** How long the probe must fail before the alert fires; default "2m". */
  readonly for: string;
}

export interface AlertingConfig {
  readonly errorRate: ErrorRateAlertConfig;
  readonly availability: AvailabilityAlertConfig;
  /** Probes of VM backends; absent: no Probe and no probe alert (the condition says so). */
  readonly probes?: ProbeConfig;
  /** `severity` label of every alert; default "warning" (the probe alert of a VM backend: "critical"). */
  readonly severity: string;
  /** The DomainRoute label whose value names the owning team (the alerts' `team` label); default "team". Without that label on a route, the team is its namespace. */
  readonly teamLabelKey: string;
  /**
   * Kubernetes labels on the PrometheusRule and Probe objects themselves, so the monitoring stack selects them
   * (kube-prometheus-stack's Prometheus reads only rules and probes labelled `release: <its release>` by default);
   * default none (filled by the loader; configs built by hand may leave it out); hostgate's own label keys refused.
   */
  readonly objectLabels?: Readonly<Record<string, string>>;
  /** Extra labels on every alert (e.g. for Alertmanager routing); hostgate's own label keys refused. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface ObservabilityLinksConfig {
  /** A URL template; `{domain}`, `{namespace}`, `{name}` are replaced (URL-encoded). E.g. `https://grafana.example.com/d/hostgate?var-host={domain}`. */
  readonly dashboard?: string;
  /** A URL template for the route's logs, same placeholders. */
  readonly logs?: string;
}

export interface ObservabilityConfig {
  readonly accessLogging?: AccessLoggingConfig;
  readonly tracing?: TracingConfig;
  /** Alerts per DomainRoute (needs the prometheus-operator CRDs; without them routes say so in ObservabilityReady). */
  readonly alerting?: AlertingConfig;
  readonly links?: ObservabilityLinksConfig;
}

/**
 * The labels hostgate sets on every alert it renders (reconciler/observability),
 * plus Prometheus's own `alertname`: alerting.labels may not name them, since
 * hostgate's value would win and Alertmanager routes on them.
 */
export const HOSTGATE_ALERT_LABELS = ["alertname", "severity", "route", "namespace", "team", "domain"] as const;

/** The placeholders a links template may use, each replaced (URL-encoded) by the route's value, with that value's longest length. */
export const LINK_PLACEHOLDERS: Readonly<Record<string, number>> = { "{domain}": 253, "{namespace}": 63, "{name}": 253 };
