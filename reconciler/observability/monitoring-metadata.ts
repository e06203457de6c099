// The metadata of a route's PrometheusRule and Probe: hostgate's own
// (producedMetadata: how it finds, owns and prunes them) plus the labels the
// platform config asks for (observability.alerting.objectLabels), which is
// how a monitoring stack's ruleSelector and probeSelector pick them up
// (kube-prometheus-stack reads only objects labelled `release: <its release>`
// by default). hostgate's keys win; the config loader refuses them anyway.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { objectNameFor } from "../../core/kube/produced-names.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { producedMetadata, sortedKeys } from "../domainroute/render/metadata.ts";
import type { ProducedMetadata } from "../domainroute/render/metadata.ts";

export function monitoringMetadata(route: DomainRoute, config: PlatformConfig): ProducedMetadata {
  const metadata = producedMetadata(route, objectNameFor(route.spec.domain), route.metadata.namespace ?? "");
  const extra = config.observability?.alerting?.objectLabels ?? {};
  return { ...metadata, labels: sortedKeys({ ...extra, ...metadata.labels }) };
}
