// One admission review: the parsed request goes to the same `decide` that
// `hostgate check` and the policy tests call, with the phases this endpoint
// serves, and the verdict becomes the response envelope. Nothing else
// decides anything: the webhook is a thin face on the verdict function.
import { decide } from "../policies/verdict.ts";
import type { Phases, Verdict, VerdictEnvironment } from "../policies/verdict.ts";
import { admissionResponse } from "./admission-response.ts";
import type { AdmissionReviewResponse, Endpoint } from "./admission-response.ts";
import type { ParsedReview } from "./admission-review.ts";

/**
 * The API server applies CRD schema defaults and validation itself (defaults
 * before mutation, schema checks before validation), so the webhook runs
 * only the policy phase its endpoint is called for.
 */
export const ENDPOINT_PHASES: Readonly<Record<Endpoint, Phases>> = {
  mutate: { schema: false, mutate: true, validate: false },
  validate: { schema: false, mutate: false, validate: true },
};

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

export interface ReviewResult {
  body: AdmissionReviewResponse;
  outcome: ReviewOutcome;
}

export function reviewAdmission(endpoint: Endpoint, review: ParsedReview, env: VerdictEnvironment): ReviewResult {
  const { uid, input } = review;
  const started = performance.now();
  const verdict: Verdict = decide(input, env, ENDPOINT_PHASES[endpoint]);
  const evaluationSeconds = (performance.now() - started) / 1000;
  const body = admissionResponse(uid, endpoint, { kind: input.kind.kind, namespace: input.namespace, name: input.name ?? nameOf(input.object ?? input.oldObject) }, verdict);
  return {
    body,
    outcome: {
      verdict: verdict.allowed ? "allowed" : "denied",
      evaluated: verdict.applied.policies.length > 0,
      denyingPolicies: unique(verdict.denials.map((d) => d.policy)),
      warningPolicies: unique(verdict.warnings.map((w) => w.policy)),
      patched: body.response.patch !== undefined,
      evaluationSeconds,
    },
  };
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
