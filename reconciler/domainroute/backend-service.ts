// The Service a Managed route sends its traffic to, and whether hostgate may.
// A Service of type ExternalName is a DNS alias: routing to it would send the
// domain's traffic to whatever name it points at (a cloud metadata address,
// another cluster), past the rules that govern external backends
// (spec.backend.external and the platform's deniedCidrs). So a route naming
// one is not served at all until the Service is a normal one.
import type { ObjectKey, KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { planRouting } from "./render/routing-plan.ts";

/** The backend Service of a route hostgate routes (Managed mode, spec.backend.service); undefined otherwise. */
export function backendServiceKey(route: DomainRoute): ObjectKey | undefined {
  if (planRouting(route).kind !== "service") return undefined;
  const service = route.spec.backend!.service!;
  return { namespace: service.namespace ?? route.metadata.namespace!, name: service.name };
}

/**
 * Why the route's backend Service must not be routed to, or undefined when it
 * may be (including when the Service does not exist yet: traffic then fails
 * inside the cluster, and nothing leaves it). `service`: the Service at
 * backendServiceKey(route) as cached, or undefined.
 */
export function backendRejection(route: DomainRoute, service: KubeObject | undefined): string | undefined {
  const key = backendServiceKey(route);
  if (key === undefined) return undefined;
  const spec = (service?.spec ?? {}) as { type?: unknown; externalName?: unknown };
  if (spec.type !== "ExternalName") return undefined;
  const target = typeof spec.externalName === "string" ? ` (it points at ${JSON.stringify(spec.externalName)})` : "";
  return (
    `spec.backend.service names Service ${key.namespace}/${key.name}, which is of type ExternalName${target}: a DNS alias would send this domain's traffic ` +
    "outside the cluster past the rules for external backends, so nothing is served. Point spec.backend.service at a Service with a selector or endpoints, " +
    "or use spec.backend.external for an address outside the cluster"
  );
}
