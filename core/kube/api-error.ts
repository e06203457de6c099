// One error type for everything that goes wrong talking to the API server,
// whatever the client library threw: the HTTP status (0 when no response
// came), the metav1.Status reason, and a message fit for a log line.
import type { ResourceRef } from "./resource.ts";
import { describeResource } from "./resource.ts";
import { asRecord } from "../json.ts";

/** One entry of a metav1.Status's `details.causes`: which field (a JSON path such as `spec.domain`), why, and what to do. */
export interface StatusCause {
  field?: string;
  reason?: string;
  message?: string;
}

export class KubeApiError extends Error {
  /** HTTP status code; 0 when no response arrived (network error, timeout). */
  readonly status: number;
  /** metav1.Status reason (`Expired`, `Gone`, `Forbidden`, ...) or a client-side one (`NetworkError`, `Timeout`). */
  readonly reason: string;
  /** The Status's `details.causes` (schema and CEL failures: 422 Invalid; hostgate's webhook denials), when it had any. */
  readonly causes: readonly StatusCause[];
  /** The Status's `message` as the server wrote it (this.message adds the code and reason in front). */
  readonly statusMessage: string;

  constructor(message: string, status: number, reason: string, options?: { cause?: unknown; causes?: readonly StatusCause[]; statusMessage?: string }) {
    super(message, options);
    this.name = "KubeApiError";
    this.status = status;
    this.reason = reason;
    this.causes = options?.causes ?? [];
    this.statusMessage = options?.statusMessage ?? message;
  }
}

/**
 * True when the server says the resourceVersion (or continue token) asked
 * for is no longer available: HTTP 410, reason Expired or Gone. The only
 * cure is a fresh list.
 */
export function isExpired(error: unknown): boolean {
  return error instanceof KubeApiError && (error.status === 410 || error.reason === "Expired" || error.reason === "Gone");
}

/**
 * The error a metav1.Status describes: the object of a watch ERROR event,
 * or the body of a failed request. Tolerates junk (a missing code reads as
 * 500), since a malformed error must still end the watch as an error.
 */
export function errorFromStatus(status: unknown, fallbackCode = 500): KubeApiError {
  const s = asRecord(status);
  const code = typeof s?.code === "number" && Number.isInteger(s.code) ? s.code : fallbackCode;
  const reason = typeof s?.reason === "string" && s.reason !== "" ? s.reason : code === 410 ? "Expired" : "Unknown";
  const message = typeof s?.message === "string" && s.message !== "" ? s.message : `the server answered ${code} ${reason} without a message`;
  return new KubeApiError(`${code} ${reason}: ${message}`, code, reason, { causes: causesOf(s?.details), statusMessage: message });
}

/**
 * A Status's `details.causes`, each keeping only the string fields of
 * metav1.StatusCause (`field`, `reason`, `message`); anything else in the
 * list is junk and left out, so a malformed Status still becomes an error.
 */
function causesOf(details: unknown): StatusCause[] {
  const list = asRecord(details)?.causes;
  if (!Array.isArray(list)) return [];
  const causes: StatusCause[] = [];
  for (const entry of list) {
    const c = asRecord(entry);
    if (c === undefined) continue;
    const cause: StatusCause = {};
    if (typeof c.field === "string" && c.field !== "") cause.field = c.field;
    if (typeof c.reason === "string" && c.reason !== "") cause.reason = c.reason;
    if (typeof c.message === "string" && c.message !== "") cause.message = c.message;
    if (Object.keys(cause).length > 0) causes.push(cause);
  }
  return causes;
}

/**
 * The same failure with `context` (which call, on what) in front of its
 * message; status, reason, causes and the server's own message are kept.
 */
export function withContext(context: string, error: KubeApiError, cause: unknown = error): KubeApiError {
  return new KubeApiError(`${context}: ${error.message}`, error.status, error.reason, { cause, causes: error.causes, statusMessage: error.statusMessage });
}

/** Parses a response body that should be a metav1.Status; undefined when it is not JSON. */
export function parseStatusBody(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * What an operator should do about a failed list or watch, appended to the
 * log line: the reflector keeps retrying, but most of these never heal on
 * their own.
 */
export function remedyFor(error: KubeApiError, resource: ResourceRef): string {
  const name = describeResource(resource);
  switch (error.status) {
    case 0:
      return "the API server did not answer; check the server address and the network path (retrying)";
    case 401:
      return "the credentials were refused; check the kubeconfig user or the service account token (retrying)";
    case 403:
      return `grant this identity list and watch on ${name} in its ClusterRole (retrying)`;
    case 404:
      return `the API server does not serve ${name}; install the CRD (kubectl apply -f crds/) or fix the group/version (retrying)`;
    case 410:
      return "the requested resourceVersion is gone; relisting";
    case 429:
      return "the API server is rate-limiting this client (retrying with backoff)";
    default:
      return "retrying with backoff";
  }
}
