// What went wrong in a call to the Kubernetes API, in words. The ObjectApi
// port throws KubeApiError (HTTP status, 0 when no answer came, and the
// Status reason); client-node's own ApiException (status in `.code`, the
// Status as JSON text in `.body`) and plain network errors are read too.
import { KubeApiError } from "../core/kube/api-error.ts";
import { messageOf } from "./certificate-info.ts";

export interface ApiFailure {
  /** HTTP status; undefined when no response came back (DNS, connection refused, timeout). */
  code?: number;
  /** The Status reason: NotFound, AlreadyExists, Conflict, Forbidden, Invalid... */
  reason?: string;
  message: string;
}

export function apiFailure(error: unknown): ApiFailure {
  if (error instanceof KubeApiError) {
    if (error.status === 0) return { message: withCauses(error) };
    return { code: error.status, reason: error.reason, message: error.message };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "number") return { message: withCauses(error) };
  const body = (error as { body?: unknown }).body;
  let status: { reason?: unknown; message?: unknown } | undefined;
  if (typeof body === "string") {
    try {
      status = JSON.parse(body) as typeof status;
    } catch {
      status = { message: body.slice(0, 300) };
    }
  } else if (typeof body === "object" && body !== null) {
    status = body as typeof status;
  }
  return {
    code,
    ...(typeof status?.reason === "string" ? { reason: status.reason } : {}),
    message: typeof status?.message === "string" && status.message !== "" ? status.message : messageOf(error),
  };
}

/** An Error for a failed call: what was attempted, the status, and for permission failures, what to grant. */
export function kubernetesError(action: string, error: unknown, permission?: string): Error {
  const failure = apiFailure(error);
  // A KubeApiError's message already names the call, the status and the reason.
  const status = failure.code === undefined || error instanceof KubeApiError ? "" : ` (HTTP ${failure.code}${failure.reason ? ` ${failure.reason}` : ""})`;
  let hint = "";
  if (failure.code === 403 && permission !== undefined) hint = `; the hostgate ServiceAccount needs ${permission} (see the RBAC in deploy/)`;
  if (failure.code === 401) hint = "; the API server rejected the credentials (is the ServiceAccount token mounted?)";
  return new Error(`${action} failed${status}: ${failure.message}${hint}`);
}

/** "fetch failed" alone says nothing; its cause ("connect ECONNREFUSED 10.96.0.1:443") does. */
function withCauses(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    parts.push(messageOf(current));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.filter((p, i) => p !== "" && parts.indexOf(p) === i).join(": ");
}
