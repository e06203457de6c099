// CONTRACT (lead, issue 16 slice 2): what judging the objects already in the
// cluster under a policy set yields, one result per object and policy that
// matched it. `hostgate audit`, `hostgate diff`, the reconciler's background
// audit (OpenReports) and later the webhook's impact warning all read this one
// shape, computed by one function (audit-objects.ts, implemented by the audit
// helper) through decide(), so they cannot disagree with admission.

/** The object judged, as OpenReports' `resources[]` names it. */
export interface AuditSubject {
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent for cluster-scoped objects (their results go in a ClusterReport). */
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
}

/**
 * `fail`: the policy would deny the object (enforcement Deny); `warn`: it
 * would warn (enforcement or action Warn); `audit`: an Audit finding (recorded
 * only); `pass`: the policy matched and its validations found nothing;
 * `error`: the policy could not be evaluated (it fails closed at admission);
 * `skip`: the policy matched the object's kind but one of its matchConditions
 * was false, so none of its validations ran (OpenReports' "skip", as Kyverno
 * reports unmet preconditions). A condition that errs is `error`, never `skip`.
 */
export type AuditOutcome = "pass" | "fail" | "warn" | "audit" | "error" | "skip";

export interface AuditResult {
  readonly subject: AuditSubject;
  /** The PolicyModule's name (or a built-in rule's, e.g. crd-schema). */
  readonly policy: string;
  readonly outcome: AuditOutcome;
  /** The findings' messages, in order; empty for pass; for skip, the one saying which matchCondition excluded the object. */
  readonly messages: readonly string[];
  /** The fields the findings name (spec.domain …), when they name one. */
  readonly fields: readonly string[];
}
