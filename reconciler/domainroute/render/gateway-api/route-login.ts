// A route's login on the Gateway API data plane: the one object, in the
// gateway namespace, that holds every request to the route's listener to the
// protection provider (Envoy Gateway's SecurityPolicy on the listener, Istio's
// AuthorizationPolicy on the member's Gateway). Both controllers that order
// against it ask here: the pool Gateways controller lists a protected route's
// listener only while it exists, and the route controller removes it only
// once the listener is gone.
import type { GatewayApiImplementation } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { GatewayApiResource } from "./kinds.ts";
import {
  gatewayApiResourceFor,
  ISTIO_AUTHORIZATION_POLICY_RESOURCE,
  KIND_SECURITY_POLICY,
  REFERENCE_GRANT_RESOURCE,
  SECURITY_POLICY_RESOURCE,
} from "./kinds.ts";

/** The login's resource under `implementation`; undefined where hostgate renders none (the AWS Load Balancer Controller). */
export function loginResourceFor(implementation: GatewayApiImplementation): Readonly<GatewayApiResource> | undefined {
  if (implementation === "envoy-gateway") return SECURITY_POLICY_RESOURCE;
  if (implementation === "istio") return ISTIO_AUTHORIZATION_POLICY_RESOURCE;
  return undefined;
}

/** True for a login object of either implementation (by apiVersion and kind). */
export function isLoginObject(object: Pick<KubeObject, "apiVersion" | "kind">): boolean {
  const resource = gatewayApiResourceFor(object);
  return resource === SECURITY_POLICY_RESOURCE || resource === ISTIO_AUTHORIZATION_POLICY_RESOURCE;
}

/**
 * True for what the login needs to hold: the login itself, and the
 * ReferenceGrant that lets a SecurityPolicy reach its auth service (without
 * it Envoy Gateway does not accept the policy, and the listener serves unprotected).
 */
export function isLoginPart(object: KubeObject): boolean {
  if (isLoginObject(object)) return true;
  if (gatewayApiResourceFor(object) !== REFERENCE_GRANT_RESOURCE) return false;
  const from = (object.spec as { from?: unknown } | undefined)?.from;
  return Array.isArray(from) && from.some((f) => (f as { kind?: unknown } | null)?.kind === KIND_SECURITY_POLICY);
}
