// What the in-memory API server (fake-kube-api.ts) asks before it serves a
// request made as a person (FakeKubeApi.as): the authorizer (RBAC), and the
// admission chain (mutating webhooks, the CRD schema, validating webhooks).
// Both are injected, so core/ stays free of hostgate's policies: the portal's
// test world (portal/testing/memory-cluster.ts) plugs in its RBAC table and
// hostgate's verdict function. The error builders here word refusals exactly
// as the API server does, so code that reads them (portal/refusal.ts) is
// tested against the real formats:
//   - 403 from the authorizer: k8s.io/apiserver endpoints/handlers/responsewriters
//     Forbidden → `domainroutes.hostgate.dev "shop" is forbidden: User "jane"
//     cannot get resource "domainroutes" in API group "hostgate.dev" in the namespace "team-a"`;
//   - 422 Invalid from the schema step: apierrors.NewInvalid, one cause per field error;
//   - a webhook's denial: admission/plugin/webhook/errors/statuserror.go
//     ToStatusErr (the current form: `<resource>.<group> "<name>" is forbidden:
//     admission webhook "<webhook>" denied the request: <message>`, the
//     webhook's code, reason and details kept).
import { KubeApiError } from "../api-error.ts";
import type { StatusCause } from "../api-error.ts";
import type { AccessQuestion, Identity } from "../impersonation.ts";
import type { FieldValidation } from "../object-api.ts";
import type { KubeObject } from "../object-key.ts";
import type { ResourceRef } from "../resource.ts";

export type AccessVerb = AccessQuestion["verb"];

/** What RBAC rules name: the API group and the resource, with its subresource (`domainroutes/status`). */
export interface AccessResource {
  group: string;
  resource: string;
}

/** The authorizer: undefined when `who` may, else the 403 to answer (build it with forbiddenError). */
export type Authorize = (who: Identity, verb: AccessVerb, resource: AccessResource, namespace: string | undefined, name?: string) => KubeApiError | undefined;

/** The impersonation filter: undefined when the caller may act as `who`, else its 403 (build it with cannotImpersonateError). */
export type Impersonate = (who: Identity) => KubeApiError | undefined;

/** The impersonation filter's 403 when `impersonator` may not act as `who` (its user; the API server checks the user first). */
export function cannotImpersonateError(impersonator: string, who: Identity): KubeApiError {
  const message = `users "${who.user}" is forbidden: User "${impersonator}" cannot impersonate resource "users" in API group "" at the cluster scope`;
  return new KubeApiError(`403 Forbidden: ${message}`, 403, "Forbidden", { statusMessage: message });
}

export interface AdmissionRequest {
  operation: "CREATE" | "UPDATE" | "DELETE";
  resource: ResourceRef;
  /** The object as decoded (its namespace filled in); undefined for DELETE. */
  object: KubeObject | undefined;
  /** The stored object, for UPDATE and DELETE. */
  oldObject: KubeObject | undefined;
  /** Who asked; undefined for requests made on the fake itself (a cluster admin, as controllers and tests are). */
  identity: Identity | undefined;
  dryRun: boolean;
  fieldValidation: FieldValidation | undefined;
}

export type AdmissionResult =
  /** Admitted: `object` replaces the request's (mutating webhooks, schema defaults) when given. */
  | { allowed: true; object?: KubeObject; warnings?: readonly string[] }
  /** Refused with `error` (422 Invalid, a webhook's denial, ...); its warnings are still sent, as the API server sends them with the error. */
  | { allowed: false; error: KubeApiError; warnings?: readonly string[] };

export type Admit = (request: AdmissionRequest) => AdmissionResult;

/** `domainroutes.hostgate.dev` (core group: `services`), as GroupResource.String() writes it. */
export function groupResource(resource: AccessResource): string {
  return resource.group === "" ? resource.resource : `${resource.resource}.${resource.group}`;
}

/** The authorizer's 403, worded as the API server words it. */
export function forbiddenError(who: Identity, verb: AccessVerb, resource: AccessResource, namespace: string | undefined, name?: string): KubeApiError {
  const subject = name === undefined || name === "" ? groupResource(resource) : `${groupResource(resource)} "${name}"`;
  const scope = namespace === undefined ? "at the cluster scope" : `in the namespace "${namespace}"`;
  const message = `${subject} is forbidden: User "${who.user}" cannot ${verb} resource "${resource.resource}" in API group "${resource.group}" ${scope}`;
  return new KubeApiError(`403 Forbidden: ${message}`, 403, "Forbidden", { statusMessage: message });
}

/** One schema or CEL failure: the field, its cause type (FieldValueRequired ...) and the text after the field (`Required value`). */
export interface FieldFailure {
  field: string;
  reason: string;
  detail: string;
}

/** The schema step's 422 Invalid (apierrors.NewInvalid): one failure as is, several in brackets; each a cause. */
export function invalidError(resource: ResourceRef, name: string, failures: readonly FieldFailure[]): KubeApiError {
  const lines = failures.map((f) => `${f.field}: ${f.detail}`);
  const all = lines.length === 1 ? lines[0]! : `[${lines.join(", ")}]`;
  const qualified = resource.group === "" ? resource.kind : `${resource.kind}.${resource.group}`;
  const message = lines.length === 0 ? `${qualified} "${name}" is invalid` : `${qualified} "${name}" is invalid: ${all}`;
  const causes: StatusCause[] = failures.map((f) => ({ reason: f.reason, message: f.detail, field: f.field }));
  return new KubeApiError(`422 Invalid: ${message}`, 422, "Invalid", { statusMessage: message, causes });
}

/** Decoding with fieldValidation Strict refused fields the schema does not declare: 400, the fields only in the message (no causes). */
export function strictDecodingError(resource: ResourceRef, fields: readonly string[]): KubeApiError {
  const unknown = fields.map((f) => `unknown field "${f}"`).join(", ");
  const message = `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: strict decoding error: ${unknown}`;
  return new KubeApiError(`400 BadRequest: ${message}`, 400, "BadRequest", { statusMessage: message });
}

/** What a webhook answered (AdmissionResponse.status, plus the details hostgate's webhook may send). */
export interface WebhookStatus {
  code?: number;
  reason?: string;
  message?: string;
  causes?: readonly StatusCause[];
}

/** A webhook's denial as the API server passes it on (ToStatusErr, current form). */
export function webhookDenial(webhook: string, resource: ResourceRef, name: string | undefined, status: WebhookStatus): KubeApiError {
  const code = status.code === undefined || status.code === 0 ? 403 : status.code;
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const said = status.message ? `${deniedBy}: ${status.message}` : status.reason ? `${deniedBy}: ${status.reason}` : `${deniedBy} without explanation`;
  const prefix = code === 500 ? "Internal error occurred" : `${groupResource(resource)} "${name || "Unknown"}" is forbidden`;
  const message = `${prefix}: ${said}`;
  const reason = status.reason || (code === 500 ? "InternalError" : "Forbidden");
  // Details the webhook sent are kept as sent; without them a 500 carries its message as the one cause.
  const causes = status.causes ?? (code === 500 ? [{ message: said }] : []);
  return new KubeApiError(`${code} ${reason}: ${message}`, code, reason, { statusMessage: message, causes });
}
