// Where the gateway sends a route's traffic, decided from spec.routing and
// spec.backend before anything is rendered. A route the API server stored
// always makes sense here (its schema and CEL rules see to that); this check
// exists so a route that does not is reported, never half-rendered.
import type { DomainRoute, ExternalProtocol } from "../../../crds/types.ts";
import { DEFAULT_EXTERNAL_PROTOCOL, EXTERNAL_PROTOCOLS, MODE_EXTERNAL, MODE_MANAGED } from "../../../crds/types.ts";

export type RoutingPlan =
  /** External mode: the app team's own VirtualService routes; hostgate renders none. */
  | { kind: "team-routed" }
  | { kind: "service"; host: string; port: number }
  | { kind: "external"; ip: string; port: number; protocol: ExternalProtocol }
  /** Nothing can be routed; the problems say what to fix. */
  | { kind: "unroutable"; problems: string[] };

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

function portProblem(field: string, port: unknown, what: string): string | undefined {
  if (typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535) return undefined;
  return `${field} is ${JSON.stringify(port ?? null)}: set ${what}, a number from 1 to 65535`;
}

export function planRouting(route: DomainRoute): RoutingPlan {
  const mode = route.spec.routing?.mode ?? MODE_MANAGED;
  if (mode === MODE_EXTERNAL) return { kind: "team-routed" };
  if (mode !== MODE_MANAGED) {
    return {
      kind: "unroutable",
      problems: [`spec.routing.mode is ${JSON.stringify(mode)}: set Managed (hostgate routes to spec.backend) or External (your own VirtualService routes)`],
    };
  }

  const { service, external } = route.spec.backend ?? {};
  if (service !== undefined && external !== undefined) {
    return {
      kind: "unroutable",
      problems: [
        "spec.backend sets both service and external: a route has exactly one backend, so keep spec.backend.service or spec.backend.external and remove the other",
      ],
    };
  }

  if (service !== undefined) {
    const problems: string[] = [];
    if (!service.name) problems.push("spec.backend.service.name is empty: set the name of the Service that receives the traffic");
    const port = portProblem("spec.backend.service.port", service.port, "the Service port (an entry of the Service's spec.ports[].port)");
    if (port !== undefined) problems.push(port);
    if (problems.length > 0) return { kind: "unroutable", problems };
    const namespace = service.namespace ?? route.metadata.namespace;
    return { kind: "service", host: `${service.name}.${namespace}.svc.cluster.local`, port: service.port };
  }

  if (external !== undefined) {
    const problems: string[] = [];
    if (!IPV4.test(external.ip ?? "")) {
      problems.push(
        `spec.backend.external.ip is ${JSON.stringify(external.ip ?? null)}: set a dotted-decimal IPv4 address without leading zeros, for example 10.20.30.40`,
      );
    }
    const port = portProblem("spec.backend.external.port", external.port, "the port the endpoint listens on");
    if (port !== undefined) problems.push(port);
    const protocol = external.protocol ?? DEFAULT_EXTERNAL_PROTOCOL;
    if (!(EXTERNAL_PROTOCOLS as readonly string[]).includes(protocol)) {
      problems.push(`spec.backend.external.protocol is ${JSON.stringify(protocol)}: set ${EXTERNAL_PROTOCOLS.join(", ")}`);
    }
    if (problems.length > 0) return { kind: "unroutable", problems };
    return { kind: "external", ip: external.ip, port: external.port, protocol };
  }

  return {
    kind: "unroutable",
    problems: [
      `spec.backend sets neither service nor external, so hostgate has nowhere to send the traffic of ${route.spec.domain}: set spec.backend.service (a Service in the cluster) or spec.backend.external (an IPv4 address outside it), or set spec.routing.mode to External and route with your own VirtualService`,
    ],
  };
}
