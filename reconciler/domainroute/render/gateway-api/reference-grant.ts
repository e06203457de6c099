// A ReferenceGrant lets objects of one kind in one namespace refer to one
// Service in another: without it the Gateway API (and Envoy Gateway, for a
// SecurityPolicy's auth service) refuses a cross-namespace backend
// (ResolvedRefs False, RefNotPermitted). hostgate writes one per route and
// purpose, in the Service's namespace, granting exactly that Service to the
// referring namespace: never a whole namespace's Services.
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../../crds/types.ts";
import { producedMetadata } from "../metadata.ts";
import { hashedName } from "../names.ts";
import { KIND_REFERENCE_GRANT, KIND_SERVICE, REFERENCE_GRANT_API_VERSION } from "./kinds.ts";

/** What the grant is for: the route's Service backend (from its HTTPRoute) or its protection's auth service (from its SecurityPolicy). */
export type GrantPurpose = "backend" | "auth";

/**
 * `shop-example-com-backend-<hash>`: distinct per domain and purpose, so the
 * two grants of one route never share a name when both Services are in one
 * namespace, and two domains never share one.
 */
export function referenceGrantNameFor(domain: string, purpose: GrantPurpose): string {
  return hashedName(`${domain}-${purpose}`, `${purpose}\n${domain}`);
}

export interface Grant {
  purpose: GrantPurpose;
  /** The referring kind, and its namespace: the route's (an HTTPRoute) or the gateway namespace (Envoy Gateway's SecurityPolicy). */
  from: { group: string; kind: string; namespace: string };
  /** The Service referred to. */
  to: { namespace: string; name: string };
}

export function renderReferenceGrant(route: DomainRoute, grant: Grant): KubeObject {
  return {
    apiVersion: REFERENCE_GRANT_API_VERSION,
    kind: KIND_REFERENCE_GRANT,
    metadata: producedMetadata(route, referenceGrantNameFor(route.spec.domain, grant.purpose), grant.to.namespace),
    spec: {
      from: [{ group: grant.from.group, kind: grant.from.kind, namespace: grant.from.namespace }],
      to: [{ group: "", kind: KIND_SERVICE, name: grant.to.name }],
    },
  };
}
