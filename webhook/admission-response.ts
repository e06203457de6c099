// Turning a verdict into the AdmissionReview v1 response envelope.
import type { ServerResponse } from "node:http";
import type { Finding, Verdict } from "../policies/verdict.ts";
import type { JsonPatchOperation } from "../policies/engine/types.ts";
import { ADMISSION_API_VERSION, ADMISSION_KIND } from "./admission-review.ts";
import { denialMessage, warningTexts } from "./denial-message.ts";
import type { Subject } from "./denial-message.ts";

export type Endpoint = "validate" | "mutate";

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  warnings?: string[];
  patchType?: "JSONPatch";
  patch?: string;
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  response: AdmissionResponse;
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

export function admissionResponse(uid: string, endpoint: Endpoint, subject: Subject, verdict: Verdict): AdmissionReviewResponse {
  const response: AdmissionResponse = { uid, allowed: verdict.allowed };
  if (!verdict.allowed) {
    const reason = headlineReason(verdict.denials);
    response.status = { code: CODE_FOR_REASON[reason] ?? 403, reason, message: denialMessage(subject, verdict.denials) };
  }
  const warnings = warningTexts(verdict.warnings);
  if (warnings.length > 0) response.warnings = warnings;
  // Only a mutating webhook may patch, only an admitted object is worth
  // patching, and an empty patch is left out (the API server would apply nothing).
  if (endpoint === "mutate" && verdict.allowed && verdict.patch.length > 0) {
    response.patchType = "JSONPatch";
    response.patch = encodePatch(verdict.patch);
  }
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}

/** The answer for requests no policy judges (DELETE, CONNECT, subresources, unmatched kinds). */
export function allowResponse(uid: string): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response: { uid, allowed: true } };
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

export function encodePatch(patch: readonly JsonPatchOperation[]): string {
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
