// What a failed Route53 call means for hostgate: try again after a pause
// (throttling, a zone still busy with the previous change, 5xx, the network),
// a refused change batch (the planner's batch splitting takes it from there),
// or Route53 is unusable until someone fixes something, with a message that
// says what to fix. The SDK's errors carry the service's error code as `name`.
import { ChangeRejectedError, Route53UnavailableError } from "../route53-port.ts";

/** The call that failed, for messages: the API operation, its IAM action and what it acted on. */
export interface Route53Call {
  readonly operation: "ListResourceRecordSets" | "GetHostedZone" | "ChangeResourceRecordSets" | "GetChange";
  /** A bare zone id, or a bare change id for GetChange. */
  readonly target: string;
}

export type Route53Failure =
  | { readonly kind: "retry"; readonly code: string; readonly message: string }
  | { readonly kind: "fail"; readonly error: ChangeRejectedError | Route53UnavailableError };

/** Route53 asks callers to slow down or wait: back off and try again. */
const BUSY_CODES = new Set(["Throttling", "ThrottlingException", "PriorRequestNotComplete", "RequestLimitExceeded", "TooManyRequestsException"]);
/** The connection failed or timed out before Route53 answered. */
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
const DENIED_CODES = new Set(["AccessDenied", "AccessDeniedException"]);
const CREDENTIAL_CODES = new Set([
  "CredentialsProviderError",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  messages?: unknown;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The error's service code (`Throttling`, `InvalidChangeBatch`, …) or, for a socket error, its errno code. */
export function errorCode(error: unknown): string {
  const e = (error ?? {}) as SdkErrorShape;
  if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return e.code;
  return typeof e.name === "string" && e.name !== "Error" ? e.name : typeof e.code === "string" ? e.code : "UnknownError";
}

export function classifyRoute53Error(error: unknown, call: Route53Call): Route53Failure {
  const e = (error ?? {}) as SdkErrorShape;
  const code = errorCode(error);
  const message = typeof e.message === "string" && e.message !== "" ? e.message : String(error);
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (BUSY_CODES.has(code) || NETWORK_CODES.has(code) || status >= 500 || e.$fault === "server") return { kind: "retry", code, message };
  if (call.operation === "ChangeResourceRecordSets" && (code === "InvalidChangeBatch" || code === "InvalidInput")) {
    const listed = Array.isArray(e.messages) ? e.messages.filter((m): m is string => typeof m === "string" && m !== "") : [];
    return { kind: "fail", error: new ChangeRejectedError(code, listed.length > 0 ? listed : [message]) };
  }
  return { kind: "fail", error: new Route53UnavailableError(code, unavailableMessage(code, message, call)) };
}

/** After the last attempt of a retryable failure. */
export function exhaustedError(failure: { code: string; message: string }, call: Route53Call, attempts: number): Route53UnavailableError {
  const hint = BUSY_CODES.has(failure.code)
    ? "Route53 allows about 5 requests a second per account and every client in the account shares them; the next pass tries again"
    : NETWORK_CODES.has(failure.code)
      ? "check the network path to Route53 (AWS_ENDPOINT_URL if set, proxies, egress rules); the next pass tries again"
      : "Route53 is failing on its side; the next pass tries again";
  return new Route53UnavailableError(
    failure.code,
    `Route53 ${call.operation} on ${describe(call)} still failed after ${attempts} attempts (${failure.code}: ${failure.message}): ${hint}`,
  );
}

function unavailableMessage(code: string, message: string, call: Route53Call): string {
  if (DENIED_CODES.has(code)) {
    return (
      `Route53 denied route53:${call.operation} on ${describe(call)} (${code}: ${message}): allow route53:${call.operation} on ${resourceArn(call)} ` +
      "in the IAM policy of the role hostgate's service account assumes (IRSA or EKS pod identity; see deploy/)"
    );
  }
  if (code === "NoSuchHostedZone") {
    return (
      `Route53 has no hosted zone ${call.target} (${code} from ${call.operation}: ${message}): check the zone id (the DomainRoute's spec.dns.zoneId ` +
      "or the platform config's domain zoneId) and that hostgate's AWS credentials belong to the account that owns the zone"
    );
  }
  if (CREDENTIAL_CODES.has(code) || /credential/i.test(message)) {
    return (
      `Route53 ${call.operation} had no usable AWS credentials (${code}: ${message}): bind an IAM role to hostgate's service account (IRSA or ` +
      "EKS pod identity) or give the pod the SDK's usual environment (AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, or AWS_ACCESS_KEY_ID)"
    );
  }
  return `Route53 ${call.operation} on ${describe(call)} failed (${code}: ${message})`;
}

function describe(call: Route53Call): string {
  return call.operation === "GetChange" ? `change ${call.target}` : `hosted zone ${call.target}`;
}

function resourceArn(call: Route53Call): string {
  return call.operation === "GetChange" ? "arn:aws:route53:::change/*" : `arn:aws:route53:::hostedzone/${call.target}`;
}
