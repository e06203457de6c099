// What a failed AWS SDK call means, the same for every AWS service hostgate
// calls (ACM, ELBv2, Route53): the service asks to slow down, the network or the
// service failed (both worth another attempt), the caller is not allowed or
// has no credentials (someone must fix IAM), or anything else. The SDK puts
// the service's error code in `name`; socket errors carry an errno `code`.

export type AwsErrorKind = "busy" | "network" | "server" | "denied" | "credentials" | "other";

/** The service asks callers to slow down (Route53's PriorRequestNotComplete: the zone is still busy with the previous change). */
const BUSY_CODES = new Set(["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown", "PriorRequestNotComplete"]);
/** The connection failed or timed out before the service answered. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);
const DENIED_CODES = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);
const CREDENTIAL_CODES = new Set([
  "CredentialsProviderError",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The service's error code (`ThrottlingException`, `ResourceInUseException`, …) or, for a socket error, its errno code. */
export function awsErrorCode(error: unknown): string {
  const e = (error ?? {}) as SdkErrorShape;
  if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return e.code;
  if (typeof e.name === "string" && e.name !== "" && e.name !== "Error") return e.name;
  return typeof e.code === "string" ? e.code : "UnknownError";
}

export function awsErrorMessage(error: unknown): string {
  const message = (error as SdkErrorShape | undefined)?.message;
  return typeof message === "string" && message !== "" ? message : String(error);
}

export function awsErrorKind(error: unknown): AwsErrorKind {
  const code = awsErrorCode(error);
  const e = (error ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (BUSY_CODES.has(code) || status === 429) return "busy";
  if (NETWORK_CODES.has(code)) return "network";
  if (DENIED_CODES.has(code)) return "denied";
  if (CREDENTIAL_CODES.has(code) || (code === "UnknownError" && /credential/i.test(awsErrorMessage(error)))) return "credentials";
  if (status >= 500 || e.$fault === "server") return "server";
  return "other";
}

/** Worth another attempt after a pause. */
export function isRetryableAwsError(error: unknown): boolean {
  const kind = awsErrorKind(error);
  return kind === "busy" || kind === "network" || kind === "server";
}

/** The service, the operation, its IAM action and what it acted on: how messages name a failed call. */
export interface AwsCall {
  /** As people say it: "ACM", "ELBv2". */
  readonly service: string;
  /** The API operation, e.g. "DeleteCertificate". */
  readonly operation: string;
  /** The IAM action, e.g. "acm:DeleteCertificate". */
  readonly action: string;
  /** The ARN the call acted on, or "*" for an account-wide call (ListCertificates, RequestCertificate). */
  readonly resource: string;
}

/**
 * The message for a call that will not work until someone acts: denied (which
 * action on which resource, and where to allow it), no credentials (how to
 * give some), or a retryable failure that outlasted its attempts.
 */
export function awsFailureMessage(call: AwsCall, error: unknown, attempts: number): string {
  const code = awsErrorCode(error);
  const cause = `${code}: ${awsErrorMessage(error)}`;
  const on = call.resource === "*" ? "" : ` on ${call.resource}`;
  switch (awsErrorKind(error)) {
    case "denied":
      return (
        `${call.service} denied ${call.action}${on} (${cause}): allow ${call.action} on ${call.resource} in the IAM policy of the role ` +
        "hostgate's service account assumes (IRSA or EKS pod identity; see deploy/)"
      );
    case "credentials":
      return (
        `${call.service} ${call.operation} had no usable AWS credentials (${cause}): bind an IAM role to hostgate's service account (IRSA or ` +
        "EKS pod identity) or give the pod the SDK's usual environment (AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, or AWS_ACCESS_KEY_ID)"
      );
    case "busy":
      return `${call.service} ${call.operation}${on} was still throttled after ${attempts} attempts (${cause}): the account's request rate is shared by every client in it; the next pass tries again`;
    case "network":
      return (
        `${call.service} ${call.operation}${on} could not reach the service after ${attempts} attempts (${cause}): ` +
        "check the network path (AWS_ENDPOINT_URL if set, proxies, egress rules); the next pass tries again"
      );
    case "server":
      return `${call.service} ${call.operation}${on} still failed on the service's side after ${attempts} attempts (${cause}); the next pass tries again`;
    default:
      if (/region is missing/i.test(cause))
        return `${call.service} ${call.operation} has no region (${cause}): set AWS_REGION (the load balancers' region for ACM and ELBv2)`;
      return `${call.service} ${call.operation}${on} failed (${cause})`;
  }
}
