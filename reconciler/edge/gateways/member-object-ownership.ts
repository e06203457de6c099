// Whether an object in the gateway namespace is one the pool Gateways
// controller keeps for a member (its Gateway, and on Envoy Gateway the
// Gateway's identity-header ClientTrafficPolicy): one rule for both kinds, so
// neither is ever applied over or deleted on weaker proof than the other.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { writtenByReconciler } from "../../apply/ownership.ts";
import { LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE } from "../../domainroute/render/metadata.ts";
import { LABEL_EDGE_MEMBER } from "./render-pool-gateways.ts";

/**
 * May be applied over: hostgate's field manager wrote it and it is no
 * route's. Its labels may be gone (a hand edit that took it out of the
 * cache): the name is the member's, so the write puts them back.
 */
export function ownMemberObject(object: KubeObject): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  return writtenByReconciler(object) && labels[LABEL_ROUTE_UID] === undefined;
}

/**
 * May be deleted: in the gateway namespace, with its labels and hostgate's
 * field manager, named `nameFor(member)` for the member its label names.
 */
export function memberObjectMadeHere(object: KubeObject, config: Pick<PlatformConfig, "gateway">, nameFor: (member: string) => string): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  const member = labels[LABEL_EDGE_MEMBER];
  if (labels[LABEL_MANAGED_BY] !== MANAGED_BY_HOSTGATE || member === undefined || member === "" || labels[LABEL_ROUTE_UID] !== undefined) return false;
  return object.metadata?.namespace === config.gateway.namespace && object.metadata?.name === nameFor(member) && writtenByReconciler(object);
}
