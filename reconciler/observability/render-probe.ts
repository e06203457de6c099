// The blackbox probe of a route's VM backend (issue 18): a prometheus-operator
// Probe in the route's namespace, owned by the route, that has the platform's
// blackbox exporter (spec.prober) probe the VM's address with the module for
// its protocol. prometheus-operator scrapes `<prober.url><prober.path>` with
// `?module=<module>&target=<each static target>` and labels the samples
// job="probe/<namespace>/<name>" (no spec.jobName is set, which would replace
// it) and namespace=<the Probe's namespace>; the route's probe alert
// (render-prometheus-rule.ts) selects probe_success by that job.
import type { IProbe } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { sortedKeys } from "../domainroute/render/metadata.ts";
import { monitoringMetadata } from "./monitoring-metadata.ts";
import { objectNameFor } from "../domainroute/render/names.ts";
import { alertSkip, alertTarget } from "./alert-target.ts";
import { KIND_PROBE, MONITORING_API_VERSION } from "./kinds.ts";

/** The `job` label prometheus-operator gives the samples of the route's Probe. */
export function probeJob(route: DomainRoute): string {
  return `probe/${route.metadata.namespace ?? ""}/${objectNameFor(route.spec.domain)}`;
}

/**
 * The Probe of the route's VM backend; undefined without observability.alerting.probes,
 * for a route with a Service backend (Kubernetes restarts those) and whenever alertSkip says no alerts.
 */
export function renderProbe(route: DomainRoute, config: PlatformConfig): KubeObject | undefined {
  const probes = config.observability?.alerting?.probes;
  const target = alertTarget(route, config);
  if (probes === undefined || target?.kind !== "external" || alertSkip(route, config) !== undefined) return undefined;
  const address = `${target.ip}:${target.port}`;
  // The blackbox http prober takes a URL (its scheme picks plain HTTP or TLS), the tcp prober host:port.
  const tcp = target.protocol === "TCP";
  const spec: IProbe["spec"] = {
    interval: probes.interval,
    module: tcp ? probes.tcpModule : probes.httpModule,
    prober: { url: probes.proberUrl, path: probes.proberPath },
    targets: {
      staticConfig: {
        labels: sortedKeys({ domain: route.spec.domain, route: `${route.metadata.namespace ?? ""}/${route.metadata.name ?? ""}` }),
        static: [tcp ? address : `${target.protocol === "HTTPS" ? "https" : "http"}://${address}`],
      },
    },
  };
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: KIND_PROBE,
    metadata: monitoringMetadata(route, config),
    spec,
  };
}
