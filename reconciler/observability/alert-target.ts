// What a route's alerts watch, and why a route gets none. The gateway's
// metrics name the route's backend in destination_service: the mesh host the
// route's traffic is sent to, which is the Service's cluster-local name
// (`<name>.<namespace>.svc.cluster.local`, as routing-plan.ts writes it) or,
// for a VM, on the Istio data plane the host of the route's ServiceEntry
// (external-backend.ts), and on the Gateway API data plane (implementation
// istio) the Service hostgate puts in front of the VM (external-service.ts,
// `hg-<domain>-<hash>` in the route's namespace).
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute, ExternalProtocol } from "../../crds/types.ts";
import { externalHostFor } from "../domainroute/render/external-backend.ts";
import { externalServiceNameFor } from "../domainroute/render/gateway-api/names.ts";
import { planRouting } from "../domainroute/render/routing-plan.ts";
import { observableDataPlane } from "./data-plane.ts";
import { durationProblem, percentageProblem } from "./promql.ts";

export type AlertTarget =
  | { kind: "service"; destinationService: string }
  | { kind: "external"; destinationService: string; ip: string; port: number; protocol: ExternalProtocol };

/**
 * The backend the route's alerts watch; undefined when hostgate does not route it (External mode, an unroutable spec,
 * or an HTTPS VM on the Gateway API data plane, which render-gateway-api-route.ts refuses to route).
 */
export function alertTarget(route: DomainRoute, config: PlatformConfig): AlertTarget | undefined {
  const plan = planRouting(route);
  if (plan.kind === "service") return { kind: "service", destinationService: plan.host };
  if (plan.kind !== "external") return undefined;
  if (config.gateway.provider !== "gateway-api") {
    return { kind: "external", destinationService: externalHostFor(route), ip: plan.ip, port: plan.port, protocol: plan.protocol };
  }
  if (plan.protocol === "HTTPS") return undefined;
  const namespace = route.metadata.namespace ?? "";
  const host = `${externalServiceNameFor(route.spec.domain)}.${namespace}.svc.cluster.local`;
  return { kind: "external", destinationService: host, ip: plan.ip, port: plan.port, protocol: plan.protocol };
}

/** Why a route gets no PrometheusRule: a condition reason (CamelCase) and a message saying what to do. */
export interface AlertSkip {
  reason: "NotRequested" | "DataPlaneUnsupported" | "NoManagedBackend";
  message: string;
}

/**
 * Why renderPrometheusRule gives nothing for the route; undefined when it
 * renders one. Checked in the order a person would fix things: the platform
 * first, then the route.
 */
export function alertSkip(route: DomainRoute, config: PlatformConfig): AlertSkip | undefined {
  if (config.observability?.alerting === undefined) {
    return { reason: "NotRequested", message: "the platform config sets no observability.alerting, so hostgate renders no alerts for any route" };
  }
  if (!observableDataPlane(config)) {
    const plane = config.gateway.gatewayApi?.implementation ?? config.gateway.provider;
    return {
      reason: "DataPlaneUnsupported",
      message: `the route alerts read Istio's gateway metrics, and this platform's data plane is ${plane}: hostgate renders no alerts or probes on it`,
    };
  }
  if (route.spec.observability?.alerts === false) {
    return { reason: "NotRequested", message: "spec.observability.alerts is false: remove it (or set true) to get this route's alerts" };
  }
  if (alertTarget(route, config) === undefined) {
    return {
      reason: "NoManagedBackend",
      message:
        "hostgate does not route this domain to a backend it knows (spec.routing.mode External, spec.backend unset, or a backend this data plane does not route): " +
        "alert on your own routing's destination instead",
    };
  }
  return undefined;
}

/**
 * What is wrong with the route's overrides in spec.observability (the CRD
 * schema refuses them first; this keeps a bad value out of the PromQL even
 * so). Empty when they are fine. renderPrometheusRule refuses to render while
 * any remain.
 */
export function overrideProblems(route: DomainRoute): string[] {
  const errorRate = route.spec.observability?.errorRate;
  const problems: (string | undefined)[] = [];
  if (errorRate?.threshold !== undefined) problems.push(percentageProblem(errorRate.threshold, "spec.observability.errorRate.threshold"));
  if (errorRate?.window !== undefined) problems.push(durationProblem(errorRate.window, "spec.observability.errorRate.window"));
  return problems.filter((problem) => problem !== undefined);
}
