// Putting placed routes, and the claims they hold, straight into the in-memory
// API server (no watch event, no write recorded) for the pool Gateways pass
// to read, and taking them out again, as the route controller would have.
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { FakeKubeApi } from "../../../../core/kube/testing/fake-kube-api.ts";
import type { DomainRoute } from "../../../../crds/types.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../../../resources.ts";
import { claimsOf } from "./gateway-api-config.ts";

/** Stores each route and the claim it holds. */
export function putRoutes(api: FakeKubeApi, ...routes: DomainRoute[]): void {
  for (const route of routes) api.server.put(DOMAIN_ROUTES, route as unknown as KubeObject);
  for (const claim of claimsOf(routes)) api.server.put(DOMAIN_CLAIMS, claim as unknown as KubeObject);
}

/** Deletes the route and the claim on its domain. */
export function removeRoute(api: FakeKubeApi, route: DomainRoute): void {
  api.server.delete(DOMAIN_ROUTES, { namespace: route.metadata.namespace!, name: route.metadata.name! });
  api.server.delete(DOMAIN_CLAIMS, { name: route.spec.domain });
}
