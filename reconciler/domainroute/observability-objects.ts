// The route's monitoring objects as rendered (reconciler/observability/):
// its PrometheusRule, then its Probe (a VM backend with probes configured),
// in apply order. Each renderer leaves its object out when the route gets
// none (alerting off, spec.observability.alerts false, no VM backend).
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { renderProbe } from "../observability/render-probe.ts";
import { renderPrometheusRule } from "../observability/render-prometheus-rule.ts";

export function observabilityObjects(route: DomainRoute, config: PlatformConfig): KubeObject[] {
  return [renderPrometheusRule(route, config), renderProbe(route, config)].filter((o): o is KubeObject => o !== undefined);
}

/** status.observability: the route's dashboard and log links from the platform's templates. */
export { observabilityLinks } from "../observability/observability-links.ts";
