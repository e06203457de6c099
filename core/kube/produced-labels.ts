// The labels hostgate's reconciler puts on every object it produces, in core/
// so that the policies side (policies/audit/audit-requester.ts, which must not
// import the reconciler) reads the same keys the reconciler writes.
// reconciler/domainroute/render/metadata.ts re-exports them; it prunes a
// route's objects by listing them with LABEL_ROUTE_UID, so these keys are a
// contract: changing one orphans every object produced before the change.

export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const MANAGED_BY_HOSTGATE = "hostgate";
/** The route's metadata.uid: unique, at most 63 characters, so a valid label value. */
export const LABEL_ROUTE_UID = "hostgate.dev/route-uid";
