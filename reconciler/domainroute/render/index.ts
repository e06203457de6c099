// What the DomainRoute reconciler applies for a route, and the names, labels
// and resources it needs to find and prune those objects later.
export type { RenderedRoute } from "./render-route.ts";
export { renderRoute } from "./render-route.ts";
export { domainHash, HASH_LENGTH, MAX_NAME_LENGTH, objectNameFor } from "./names.ts";
export {
  ANNOTATION_DOMAIN,
  ANNOTATION_ROUTE,
  LABEL_DOMAIN_HASH,
  LABEL_MANAGED_BY,
  LABEL_ROUTE_UID,
  MANAGED_BY_HOSTGATE,
  routeSelector,
} from "./metadata.ts";
export { gatewayRefFor } from "./gateway.ts";
export { EXTERNAL_HOST_SUFFIX, externalHostFor } from "./external-backend.ts";
export { allowedPaths, authenticatedPaths } from "./authorization-policy.ts";
export type { ProducedKind, ProducedResource, ProducedScope } from "./produced-resources.ts";
export { KIND_ORDER, PRODUCED_RESOURCES } from "./produced-resources.ts";
export { validateIstioObject, validatableIstioKinds } from "./validate-istio.ts";
