// The in-memory API server's admission chain with hostgate installed, in the
// API server's order, stopping at the first stage that refuses, as a live
// dry run does (research17 A2):
//   1. decoding: unknown fields are pruned (with fieldValidation Strict: 400
//      BadRequest naming them), schema defaults applied;
//   2. the mutating webhook (mutate.hostgate.dev): decide()'s mutate phase;
//   3. the CRD schema and its CEL rules: 422 Invalid, one cause per field;
//   4. the validating webhook (validate.hostgate.dev): decide()'s validate
//      phase; a denial is the webhook's Status as the API server passes it on,
//      with details.causes from each Finding.field.
// Warnings from both webhooks reach the caller, with a refusal too. The
// cluster state the policies read is indexed from the server's own
// HostnameGrants and DomainRoutes at each request, as the webhook's cache
// would hold them. Only CREATE and UPDATE are sent to the webhooks
// (deploy/base/webhooks.yaml); a DELETE is admitted.
import type { KubeApiError } from "../../core/kube/api-error.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { apiVersionOf } from "../../core/kube/resource.ts";
import { invalidError, strictDecodingError, webhookDenial } from "../../core/kube/testing/fake-admission.ts";
import type { AdmissionRequest, AdmissionResult, Admit } from "../../core/kube/testing/fake-admission.ts";
import type { PlatformConfig } from "../../core/config/index.ts";
import { verdictEnvironment } from "../../core/environment.ts";
import { ClusterStateIndex } from "../../core/state/index.ts";
import type { CrdCatalog } from "../../crds/catalog.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";
import type { AdmissionInput } from "../../policies/engine/types.ts";
import { checkCustomResource } from "../../policies/schema/check.ts";
import { decide } from "../../policies/verdict.ts";
import type { Finding, Phases, VerdictEnvironment } from "../../policies/verdict.ts";
import { denialMessage, warningTexts } from "../../policies/denial-message.ts";

export const MUTATING_WEBHOOK = "mutate.hostgate.dev";
export const VALIDATING_WEBHOOK = "validate.hostgate.dev";

/** What each webhook endpoint runs (webhook/admission-app.ts ENDPOINT_PHASES). */
const MUTATE: Phases = { schema: false, mutate: true, validate: false };
const VALIDATE: Phases = { schema: false, mutate: false, validate: true };

/** metav1.StatusReason → HTTP code, as hostgate's webhook pairs them (webhook/admission-response.ts CODE_FOR_REASON). */
const CODE_FOR_REASON: Readonly<Record<string, number>> = {
  BadRequest: 400,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  AlreadyExists: 409,
  Invalid: 422,
  InternalError: 500,
};

export interface HostgateAdmissionOptions {
  config: PlatformConfig;
  policies: PolicySet;
  crds: CrdCatalog;
  /** The HostnameGrants and DomainRoutes stored now. */
  stateObjects(): readonly KubeObject[];
}

export function hostgateAdmission(options: HostgateAdmissionOptions): Admit {
  return (request) => {
    if (request.operation === "DELETE" || request.object === undefined) return { allowed: true };
    const env = verdictEnvironment(options.config, options.policies, ClusterStateIndex.fromObjects(options.stateObjects()), options.crds);
    return admit(request, request.object, env, options.crds);
  };
}

function admit(request: AdmissionRequest, sent: KubeObject, env: VerdictEnvironment, crds: CrdCatalog): AdmissionResult {
  const { resource } = request;
  const crd = crds.lookup(apiVersionOf(resource), resource.kind);
  const name = sent.metadata?.name ?? "";
  const operation = request.operation as "CREATE" | "UPDATE";
  const oldObject = request.oldObject ?? null;
  const warnings: string[] = [];

  let object: KubeObject = sent;
  if (crd !== undefined) {
    const decoded = checkCustomResource(crd, object, { operation, oldObject, defaultsOnly: true });
    if (decoded.prunedFields.length > 0 && request.fieldValidation === "Strict") return refused(strictDecodingError(resource, decoded.prunedFields), warnings);
    object = decoded.object as KubeObject;
  }
  const input = (current: KubeObject): AdmissionInput => ({
    operation,
    kind: { group: resource.group, version: resource.version, kind: resource.kind },
    ...(resource.namespaced ? { namespace: sent.metadata?.namespace } : {}),
    name,
    object: current,
    oldObject,
    // The fake's own callers stand for a cluster admin (the test, a controller).
    userInfo:
      request.identity === undefined
        ? { username: "system:admin", groups: ["system:masters"] }
        : { username: request.identity.user, groups: [...request.identity.groups] },
    dryRun: request.dryRun,
  });

  const mutated = decide(input(object), env, MUTATE);
  warnings.push(...warningTexts(mutated.warnings));
  if (!mutated.allowed) return refused(denial(MUTATING_WEBHOOK, request, name, mutated.denials), warnings);
  object = mutated.object as KubeObject;

  if (crd !== undefined) {
    const schema = checkCustomResource(crd, object, { operation, oldObject });
    if (schema.violations.length > 0) {
      const failures = schema.violations.map((v) => ({ field: v.field, reason: v.reason, detail: v.detail }));
      return refused(invalidError(resource, name, failures), warnings);
    }
    object = schema.object as KubeObject;
  }

  const validated = decide(input(object), env, VALIDATE);
  warnings.push(...warningTexts(validated.warnings));
  if (!validated.allowed) return refused(denial(VALIDATING_WEBHOOK, request, name, validated.denials), warnings);
  return { allowed: true, object, warnings };
}

function refused(error: KubeApiError, warnings: readonly string[]): AdmissionResult {
  return { allowed: false, error, warnings };
}

/** The webhook's denial (status code, reason, message, and a cause per finding) as the API server answers it. */
function denial(webhook: string, request: AdmissionRequest, name: string, denials: readonly Finding[]): KubeApiError {
  const reason = denials.find((d) => d.reason !== "InternalError")?.reason ?? denials[0]?.reason ?? "Forbidden";
  const subject = { kind: request.resource.kind, namespace: request.object?.metadata?.namespace, name };
  const causes = denials.map((d) => ({
    reason: d.reason === "Invalid" ? "FieldValueInvalid" : "FieldValueForbidden",
    message: `${d.policy}: ${d.message}`,
    ...(d.field !== undefined ? { field: d.field } : {}),
  }));
  return webhookDenial(webhook, request.resource, name, { code: CODE_FOR_REASON[reason] ?? 403, reason, message: denialMessage(subject, denials), causes });
}
