// JSON Schema of the platform config's `observability` section (issue 18).
// Patterns carry the ranges a pattern can say (percentages, durations' form);
// observability-checks.ts adds what it cannot (duration bounds, URL templates,
// hostgate's own alert labels). Every key is described: errors quote it.
import { LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN } from "./label-patterns.ts";
import { SAMPLING_PERCENT_PATTERN, THRESHOLD_PERCENT_PATTERN } from "./percent.ts";
import { PROMETHEUS_DURATION_PATTERN } from "./prometheus-duration.ts";

/** The longest URL template, and the longest link a template may produce (status.observability's maxLength in the CRD). */
export const MAX_LINK_LENGTH = 2048;
/** A Prometheus label name (the classic charset every Prometheus and Alertmanager accepts). */
export const PROMETHEUS_LABEL_NAME_PATTERN = "^[a-zA-Z_][a-zA-Z0-9_]*$";
/** An Istio extension provider's name (MeshConfig extensionProviders[].name): any text without spaces. */
const PROVIDER_PATTERN = "^\\S+$";
/** A blackbox exporter module name (a key of its config's `modules`). */
const MODULE_PATTERN = "^[A-Za-z0-9_][-A-Za-z0-9_.]*$";
/** host:port of a Service or address, port 1-65535. */
const HOST_PORT_PATTERN =
  "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$";

const duration = (description: string, fallback: string) => ({
  type: "string",
  pattern: PROMETHEUS_DURATION_PATTERN,
  default: fallback,
  description: `${description} A Prometheus duration such as \`30s\`, \`5m\`, \`1h30m\` or \`1d\`; default \`${fallback}\`.`,
});

const providers = (description: string) => ({
  type: "array",
  minItems: 1,
  maxItems: 16,
  uniqueItems: true,
  description,
  items: {
    type: "string",
    maxLength: 253,
    pattern: PROVIDER_PATTERN,
    description: "The name of an Istio extension provider (MeshConfig `extensionProviders[].name`), without spaces, e.g. `otel`.",
  },
});

const linkTemplate = (what: string, example: string) => ({
  type: "string",
  maxLength: MAX_LINK_LENGTH,
  description:
    `A URL template for each route's ${what}: an absolute http(s) URL in which \`{domain}\`, \`{namespace}\` and \`{name}\` (the route's) are replaced, ` +
    `URL-encoded, and no other \`{…}\` appears, e.g. \`${example}\`. Shown in the route's \`status.observability\` and on the self-service page.`,
});

export const observabilitySchema = {
  type: "object",
  additionalProperties: false,
  description:
    "Observability of every DomainRoute from its first minute, all optional: access logs and tracing at the ingress gateway, alerts per route " +
    "(with the prometheus-operator CRDs installed), probes of VM backends, and links to dashboards and logs. Absent: none of them.",
  properties: {
    accessLogging: {
      type: "object",
      additionalProperties: false,
      description:
        "Access logs of the ingress gateway: hostgate writes an Istio Telemetry `hostgate-gateway` in `gateway.namespace` selecting the gateway's pods. " +
        'E.g. `{providers: [envoy], filter: "response.code >= 400"}`. Absent: hostgate leaves access logging as the mesh configures it.',
      properties: {
        providers: {
          ...providers("Istio extension providers the gateway logs to, 1 to 16; default `[envoy]` (Istio's built-in Envoy file access log)."),
          default: ["envoy"],
        },
        filter: {
          type: "string",
          minLength: 1,
          maxLength: 1024,
          description:
            "Which requests are logged: an Istio Telemetry accessLogging filter, a CEL expression over Envoy's attributes, e.g. `response.code >= 400`. Absent: every request.",
        },
      },
    },
    tracing: {
      type: "object",
      additionalProperties: false,
      required: ["providers"],
      description:
        "Tracing at the ingress gateway (the same Istio Telemetry): the gateway starts a trace for requests that carry none, so every request " +
        'reaching a backend carries a trace id. E.g. `{providers: [otel], sampling: "1%"}`.',
      properties: {
        providers: providers("Istio tracing providers (MeshConfig `extensionProviders` names, e.g. `[otel]`), 1 to 16; required."),
        sampling: {
          type: "string",
          pattern: SAMPLING_PERCENT_PATTERN,
          default: "1%",
          description:
            "The share of requests traced, when the caller has not decided: a percentage from `0%` to `100%` with at most two decimals, such as `1%` " +
            "(default) or `0.05%`. `0%` traces only requests whose caller sampled them.",
        },
      },
    },
    alerting: {
      type: "object",
      additionalProperties: false,
      description:
        "Alerts per DomainRoute: a PrometheusRule (monitoring.coreos.com/v1) in the route's namespace with an error-rate and an availability alert, " +
        "labelled with the route, its namespace and its team so Alertmanager routes them to the owner. Needs the prometheus-operator CRDs " +
        "(without them routes say so in their ObservabilityReady condition). `{}` turns it on with the defaults.",
      properties: {
        errorRate: {
          type: "object",
          additionalProperties: false,
          default: {},
          description:
            "The error-rate alert: the share of the route's requests answered 5xx at the gateway. A route may override threshold and window (spec.observability.errorRate).",
          properties: {
            threshold: {
              type: "string",
              pattern: THRESHOLD_PERCENT_PATTERN,
              default: "5%",
              description:
                "The 5xx share that fires the alert: a percentage from `0.1%` to `100%` with at most two decimals, such as `5%` (default) or `0.5%`.",
            },
            window: duration("The window the share is computed over, 1m to 24h.", "5m"),
            for: duration("How long the share must stay above the threshold before the alert fires, 0s to 24h.", "5m"),
          },
        },
        availability: {
          type: "object",
          additionalProperties: false,
          default: {},
          description: "The availability alert: no request to the route succeeded in the window while connections to its backend failed.",
          properties: {
            window: duration("The window, 1m to 24h.", "5m"),
            for: duration("How long it must hold before the alert fires, 0s to 24h.", "5m"),
          },
        },
        probes: {
          type: "object",
          additionalProperties: false,
          required: ["proberUrl"],
          description:
            "Probes of VM backends (`spec.backend.external`), which nothing restarts: per such route a Probe (monitoring.coreos.com/v1) through a " +
            "blackbox exporter and an alert when it fails. E.g. `{proberUrl: blackbox-exporter.monitoring.svc:9115}`. Absent: no probes.",
          properties: {
            proberUrl: {
              type: "string",
              maxLength: 259,
              pattern: HOST_PORT_PATTERN,
              description: "The blackbox exporter's address as `host:port`, without a scheme, e.g. `blackbox-exporter.monitoring.svc:9115`; required.",
            },
            proberPath: {
              type: "string",
              maxLength: 256,
              pattern: "^/[^\\s?#]*$",
              default: "/probe",
              description: "The blackbox exporter's probe path, starting with `/`; default `/probe`.",
            },
            httpModule: {
              type: "string",
              maxLength: 128,
              pattern: MODULE_PATTERN,
              default: "http_2xx",
              description: "The blackbox module probing HTTP and HTTPS VM backends (a module of the exporter's config); default `http_2xx`.",
            },
            tcpModule: {
              type: "string",
              maxLength: 128,
              pattern: MODULE_PATTERN,
              default: "tcp_connect",
              description: "The blackbox module probing TCP VM backends; default `tcp_connect`.",
            },
            interval: duration("How often each VM backend is probed, 10s (Prometheus's default scrape timeout) to 1h.", "30s"),
            for: duration("How long the probe must fail before the alert fires, 0s to 24h.", "2m"),
          },
        },
        severity: {
          type: "string",
          maxLength: 63,
          pattern: "^[A-Za-z0-9_][-A-Za-z0-9_.]*$",
          default: "warning",
          description:
            "The `severity` label of the error-rate and availability alerts, e.g. `warning` (default) or `page`; a failing VM probe is always `critical`.",
        },
        teamLabelKey: {
          type: "string",
          maxLength: 317,
          pattern: LABEL_KEY_PATTERN,
          default: "team",
          description:
            "The DomainRoute label whose value is the owning team, put in the alerts' `team` label (a Kubernetes label key, default `team`). " +
            "A route without it has its namespace as team.",
        },
        objectLabels: {
          type: "object",
          default: {},
          maxProperties: 16,
          description:
            "Kubernetes labels on the PrometheusRule and Probe objects, so the monitoring stack's ruleSelector and probeSelector pick them up " +
            "(kube-prometheus-stack reads only objects labelled `release: <its release>` by default); default none. hostgate's own keys " +
            "(hostgate.dev/…, app.kubernetes.io/managed-by) are not allowed.",
          propertyNames: { pattern: LABEL_KEY_PATTERN, maxLength: 317 },
          additionalProperties: { type: "string", maxLength: 63, pattern: LABEL_VALUE_PATTERN, description: "A label value." },
        },
        labels: {
          type: "object",
          default: {},
          maxProperties: 32,
          description:
            "Extra labels on every alert, e.g. `{cluster: prod-weu}` for Alertmanager routing; default none. Names are Prometheus label names " +
            "(letters, digits, `_`); hostgate's own (alertname, severity, route, namespace, team, domain) are not allowed.",
          propertyNames: { pattern: PROMETHEUS_LABEL_NAME_PATTERN },
          additionalProperties: {
            type: "string",
            minLength: 1,
            maxLength: 253,
            description: "A label value, 1 to 253 characters (an empty value would remove the label in Prometheus).",
          },
        },
      },
    },
    links: {
      type: "object",
      additionalProperties: false,
      description: "Links shown for each route, built from URL templates. Absent: no links.",
      properties: {
        dashboard: linkTemplate("dashboard", "https://grafana.example.com/d/hostgate?var-host={domain}"),
        logs: linkTemplate("access logs", "https://grafana.example.com/explore?query={domain}"),
      },
    },
  },
} as const;
