// Whether an object's controller owner reference is a given DomainRoute. The
// reconciler sets that reference on what it writes into the route's own
// namespace (reconciler/domainroute/render/metadata.ts producedMetadata), and
// it is half of how the reconciler decides an object is the route's
// (reconciler/apply/ownership.ts). In core/ so that the policies' audit
// (policies/audit/audit-requester.ts, which must not import the reconciler)
// applies the same check; ownership.ts re-exports it.
import type { KubeObject } from "./object-key.ts";
import { GROUP, KIND_DOMAIN_ROUTE } from "../../crds/types.ts";

/** True when the object's controller owner reference is the DomainRoute with `uid` (hostgate sets it on objects in the route's namespace). */
export function controlledByRoute(object: KubeObject, uid: string): boolean {
  const references = object.metadata?.ownerReferences;
  return (
    Array.isArray(references) &&
    references.some((r) => {
      const reference = r as { apiVersion?: unknown; kind?: unknown; uid?: unknown; controller?: unknown } | null;
      // Any version of the group: a reference written under an earlier API version still names the route.
      const group = typeof reference?.apiVersion === "string" ? reference.apiVersion.split("/")[0] : undefined;
      return reference?.controller === true && reference.kind === KIND_DOMAIN_ROUTE && group === GROUP && reference.uid === uid;
    })
  );
}
