// Whether the route may write at a name it renders that one of its own
// objects does not hold: judged by apply/ownership.ts. Anything there that is
// not the route's is left exactly as it is, and the route says which object
// and why. Pure: the planner's ownership section.
import type { KubeObject } from "../../core/kube/object-key.ts";
import { formatKey } from "../../core/kube/object-key.ts";
import { OWNERSHIP_REASON, ownershipOf } from "../apply/ownership.ts";

/** An object at a name the route renders that is not the route's. */
export interface NameRefusal {
  reason: (typeof OWNERSHIP_REASON)[keyof typeof OWNERSHIP_REASON];
  /** `Kind namespace/name` */
  object: string;
  message: string;
}

/** Why `desired` must not be written over `occupant` for the route with uid `routeUid`; undefined when the occupant is the route's own. */
export function refusalAt(desired: KubeObject, occupant: KubeObject, routeUid: string): NameRefusal | undefined {
  const ownership = ownershipOf(occupant, routeUid);
  if (ownership.owner === "route") return undefined;
  const what = `${desired.kind} ${formatKey({ namespace: desired.metadata!.namespace!, name: desired.metadata!.name! })}`;
  if (ownership.owner === "another-route") {
    const holder =
      ownership.route === undefined ? `the DomainRoute with uid ${ownership.routeUid}` : `DomainRoute ${ownership.route} (uid ${ownership.routeUid})`;
    return {
      reason: OWNERSHIP_REASON.ObjectOwnedByAnotherRoute,
      object: what,
      message: `${what} belongs to ${holder}; hostgate never writes or deletes another route's objects`,
    };
  }
  const message = `${what} exists and hostgate did not create it: ${ownership.why}; hostgate leaves it as it is. Delete or rename it to let this route use the name`;
  return { reason: OWNERSHIP_REASON.ObjectNotOwned, object: what, message };
}
