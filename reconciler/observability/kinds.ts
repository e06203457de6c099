// apiVersions and kinds of the observability objects hostgate renders for a
// route (issue 18): prometheus-operator's PrometheusRule and Probe, served by
// its CRDs as monitoring.coreos.com/v1.
export const MONITORING_GROUP = "monitoring.coreos.com";
export const MONITORING_API_VERSION = "monitoring.coreos.com/v1";
export const KIND_PROMETHEUS_RULE = "PrometheusRule";
export const KIND_PROBE = "Probe";

/**
 * telemetry.istio.io/v1, the same generation as the networking.istio.io/v1
 * and security.istio.io/v1 objects hostgate writes (Istio serves v1 since 1.22).
 */
export const TELEMETRY_API_VERSION = "telemetry.istio.io/v1";
export const KIND_TELEMETRY = "Telemetry";
