// The DomainClaim that locks a domain for one DomainRoute. Cluster-scoped and
// named after the domain, so the API server's uniqueness of names makes the
// first route to create it the holder (crds/hostgate.dev_domainclaims.yaml).
import type { DomainClaim, DomainRoute } from "../../../crds/types.ts";
import { API_VERSION, KIND_DOMAIN_CLAIM } from "../../../crds/types.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "./metadata.ts";

export function renderClaim(route: DomainRoute): KubeObject {
  // Tolerates a route without spec or metadata (routeRefProblems reports it): rendering never throws.
  const domain = route.spec?.domain ?? "";
  const { namespace = "", name = "", uid = "" } = route.metadata ?? {};
  // No route-uid label: the claim is not pruned with the Istio objects, it is
  // released only when its DomainRoute is deleted.
  const claim = {
    apiVersion: API_VERSION,
    kind: KIND_DOMAIN_CLAIM,
    metadata: { name: domain, labels: { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE } },
    spec: {
      domain,
      owner: { namespace, name, uid },
    },
  } satisfies DomainClaim;
  return claim;
}
