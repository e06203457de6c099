// Every AdmissionReview v1 response the webhook sends is built here: the
// verdict's answer (allowed, denied, warnings, patch), the 503 for a review
// that arrives before the cluster cache is ready, and the 500 for a review
// whose judging failed; with each, what logs and metrics record about it.
// sendReview writes it. (Answers that are not reviews, the 4xx Status
// bodies for a request that is not a usable review, are http-errors.ts's.)
import type { ServerResponse } from "node:http";
import type { Finding, Verdict } from "../policies/verdict.ts";
import type { JsonPatchOperation } from "../policies/engine/types.ts";
import { ADMISSION_API_VERSION, ADMISSION_KIND } from "./admission-review.ts";
import type { ParsedReview } from "./admission-review.ts";
import { clip, denialMessage, MAX_DENIAL_LINE, MAX_DENIAL_MESSAGE, warningTexts } from "../policies/denial-message.ts";

export type Endpoint = "validate" | "mutate";

/** metav1.StatusCause: which field of the object a denial is about (a path such as `spec.domain`), why, and the message. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** metav1.StatusDetails, as a denial fills it: the object judged, and one cause per denial. */
export interface StatusDetails {
  group: string;
  kind: string;
  name?: string;
  causes: StatusCause[];
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string; details?: StatusDetails };
  warnings?: string[];
  patchType?: "JSONPatch";
  patch?: string;
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  response: AdmissionResponse;
}

export type ReviewVerdict = "allowed" | "denied";

/** What logs and metrics record about a review (never the object). */
export interface ReviewOutcome {
  verdict: ReviewVerdict;
  /** False when no policy applied (DELETE/CONNECT/subresource/unmatched kind). */
  evaluated: boolean;
  denyingPolicies: string[];
  warningPolicies: string[];
  patched: boolean;
  /** Seconds spent in `decide`. */
  evaluationSeconds: number;
}

/** A review's answer: the body sent, and the outcome logged and counted. */
export interface ReviewAnswer {
  body: AdmissionReviewResponse;
  outcome: ReviewOutcome;
}

/** metav1.StatusReason → HTTP code, as the API server pairs them. */
const CODE_FOR_REASON: Readonly<Record<string, number>> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  AlreadyExists: 409,
  RequestEntityTooLarge: 413,
  Invalid: 422,
  InternalError: 500,
};

/** The answer to a judged review: the verdict as the API server reads it. */
export function verdictAnswer(review: ParsedReview, endpoint: Endpoint, verdict: Verdict, evaluationSeconds: number): ReviewAnswer {
  const { input } = review;
  const response: AdmissionResponse = { uid: review.uid, allowed: verdict.allowed };
  if (!verdict.allowed) {
    const reason = headlineReason(verdict.denials);
    const subject = { kind: input.kind.kind, namespace: input.namespace, name: input.name ?? nameOf(input.object ?? input.oldObject) };
    response.status = {
      code: CODE_FOR_REASON[reason] ?? 403,
      reason,
      message: denialMessage(subject, verdict.denials),
      // Sent, the API server keeps these instead of its own {group, kind: <resource>, name}: the kind is
      // the object's Kind, as the API server's own 422 Invalid names it. No name for a generateName create.
      details: {
        group: input.kind.group,
        kind: input.kind.kind,
        ...(subject.name !== undefined && !subject.name.endsWith("*") ? { name: subject.name } : {}),
        causes: denialCauses(verdict.denials),
      },
    };
  }
  const warnings = warningTexts(verdict.warnings);
  if (warnings.length > 0) response.warnings = warnings;
  // Only a mutating webhook may patch, only an admitted object is worth
  // patching, and an empty patch is left out (the API server would apply nothing).
  if (endpoint === "mutate" && verdict.allowed && verdict.patch.length > 0) {
    response.patchType = "JSONPatch";
    response.patch = encodePatch(verdict.patch);
  }
  return {
    body: envelope(response),
    outcome: {
      verdict: verdict.allowed ? "allowed" : "denied",
      evaluated: verdict.applied.policies.length > 0,
      denyingPolicies: unique(verdict.denials.map((d) => d.policy)),
      warningPolicies: unique(verdict.warnings.map((w) => w.policy)),
      patched: response.patch !== undefined,
      evaluationSeconds,
    },
  };
}

/** At most this many causes; the message still lists every denial (up to its own bound). */
export const MAX_DENIAL_CAUSES = 50;
/** Longest cause field path, in characters; a policy's fieldPath is short, a longer one is a bug worth clipping, not sending. */
export const MAX_CAUSE_FIELD = 256;

/**
 * One cause per denial, so a client (the self-service page) can put each
 * message next to the field it names without parsing the text. The API server
 * keeps a webhook's `status.details` as sent in the error it returns
 * (admission/plugin/webhook/errors/statuserror.go ToStatusErr); kubectl
 * prints only the message. Bounded like the message: each cause's message at
 * MAX_DENIAL_LINE, their count at MAX_DENIAL_CAUSES, their total length at
 * MAX_DENIAL_MESSAGE, with a last cause saying how many were left out.
 */
export function denialCauses(denials: readonly Finding[]): StatusCause[] {
  const causes: StatusCause[] = [];
  let length = 0;
  for (let i = 0; i < denials.length; i++) {
    const d = denials[i]!;
    const field = d.field === undefined || d.field === "" ? undefined : clip(d.field, MAX_CAUSE_FIELD);
    const cause: StatusCause = { reason: causeReason(d.reason), message: clip(`${d.policy}: ${d.message}`, MAX_DENIAL_LINE), ...(field ? { field } : {}) };
    const size = cause.message.length + (field?.length ?? 0);
    // Keep room for the "and N more" cause so the total stays bounded.
    if ((causes.length === MAX_DENIAL_CAUSES - 1 && i < denials.length - 1) || length + size > MAX_DENIAL_MESSAGE - 64) {
      const remaining = denials.length - i;
      causes.push({ reason: cause.reason, message: `… and ${remaining} more violation${remaining === 1 ? "" : "s"} (\`hostgate check\` lists them all)` });
      break;
    }
    causes.push(cause);
    length += size;
  }
  return causes;
}

/**
 * metav1.CauseType for a finding's reason: a policy's StatusReason-like
 * reason becomes the field-level type the API server itself would use
 * (Forbidden → FieldValueForbidden, Invalid → FieldValueInvalid; Conflict,
 * another object holding the value, → FieldValueDuplicate). A reason that is
 * already a cause type (the schema phase's) is kept, and so is any other.
 */
function causeReason(reason: string): string {
  return CAUSE_FOR_REASON[reason] ?? reason;
}

const CAUSE_FOR_REASON: Readonly<Record<string, string>> = {
  Forbidden: "FieldValueForbidden",
  Invalid: "FieldValueInvalid",
  Conflict: "FieldValueDuplicate",
};

/** The cluster cache has not synced: judging uniqueness against half of it would admit duplicates (fail open), so the review is denied. */
export function unavailableAnswer(review: ParsedReview, reason: string): ReviewAnswer {
  const message = `hostgate cannot judge this request yet (${clip(reason, 200)}); it is denied rather than judged against incomplete state. Retry in a few seconds`;
  return {
    body: envelope({ uid: review.uid, allowed: false, status: { code: 503, reason: "ServiceUnavailable", message } }),
    outcome: { verdict: "denied", evaluated: false, denyingPolicies: [], warningPolicies: [], patched: false, evaluationSeconds: 0 },
  };
}

/** Judging the review threw (a bug, not the user's doing): still an answer, and a closed one. */
export function internalErrorAnswer(review: ParsedReview, errorText: string): ReviewAnswer {
  const message =
    `the webhook could not evaluate this request (${clip(errorText, 200)}); it is denied because hostgate fails closed. ` +
    "Retry; if it persists, the platform team should check the webhook's logs";
  return {
    body: envelope({ uid: review.uid, allowed: false, status: { code: 500, reason: "InternalError", message } }),
    outcome: { verdict: "denied", evaluated: true, denyingPolicies: [], warningPolicies: [], patched: false, evaluationSeconds: 0 },
  };
}

function envelope(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}

/** What express's res.json sends for a review (same status, headers and bytes), without its generic send path. */
export const REVIEW_CONTENT_TYPE = "application/json; charset=utf-8";

export function sendReview(res: ServerResponse, body: AdmissionReviewResponse): void {
  const text = JSON.stringify(body);
  res.statusCode = 200;
  res.setHeader("Content-Type", REVIEW_CONTENT_TYPE);
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

function encodePatch(patch: readonly JsonPatchOperation[]): string {
  return Buffer.from(JSON.stringify(patch)).toString("base64");
}

/**
 * The status reason kubectl shows ("Error from server (Forbidden)"). A policy's
 * own reason wins over an evaluation failure, because it is the one the user
 * can act on; the message lists every denial either way.
 */
function headlineReason(denials: readonly Finding[]): string {
  const policyReason = denials.find((d) => d.reason !== "InternalError")?.reason;
  return policyReason ?? denials[0]?.reason ?? "Forbidden";
}

/** CREATE requests with generateName have no request.name; the object may still name itself. */
function nameOf(object: unknown): string | undefined {
  const metadata = (object as { metadata?: { name?: unknown; generateName?: unknown } } | null)?.metadata;
  if (typeof metadata?.name === "string" && metadata.name !== "") return metadata.name;
  if (typeof metadata?.generateName === "string" && metadata.generateName !== "") return `${metadata.generateName}*`;
  return undefined;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
