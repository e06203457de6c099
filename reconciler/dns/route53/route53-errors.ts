// What a failed Route53 call becomes at the port. What is worth retrying,
// and the messages for denied calls, missing credentials and exhausted
// retries, are the same for every AWS service (core/aws/aws-errors.ts); what
// is Route53's own: a refused change batch (InvalidChangeBatch, InvalidInput)
// is ChangeRejectedError with Route53's individual messages, so the batch
// sender can split it, and a missing hosted zone says where its id came from.
import { type AwsCall, awsErrorCode, awsErrorMessage, awsFailureMessage } from "../../../core/aws/aws-errors.ts";
import { ChangeRejectedError, Route53UnavailableError } from "../route53-port.ts";

/** The call that failed: the API operation and what it acted on. */
export interface Route53Call {
  readonly operation: "ListResourceRecordSets" | "GetHostedZone" | "ChangeResourceRecordSets" | "GetChange";
  /** A bare zone id, or a bare change id for GetChange. */
  readonly target: string;
}

/** The call as IAM sees it: `route53:<operation>` on the zone's ARN (changes are `change/*`). */
export function route53AwsCall(call: Route53Call): AwsCall {
  const resource = call.operation === "GetChange" ? "arn:aws:route53:::change/*" : `arn:aws:route53:::hostedzone/${call.target}`;
  return { service: "Route53", operation: call.operation, action: `route53:${call.operation}`, resource };
}

/** The port's error for a call that failed for good (not retryable, or out of attempts). */
export function route53Error(call: Route53Call, error: unknown, attempts: number): ChangeRejectedError | Route53UnavailableError {
  const code = awsErrorCode(error);
  if (call.operation === "ChangeResourceRecordSets") {
    const older = olderInvalidChangeBatchMessages(error);
    if (older.length > 0) return new ChangeRejectedError("InvalidChangeBatch", older);
  }
  if (call.operation === "ChangeResourceRecordSets" && (code === "InvalidChangeBatch" || code === "InvalidInput")) {
    const messages = (error as { messages?: unknown }).messages;
    const listed = Array.isArray(messages) ? messages.filter((m): m is string => typeof m === "string" && m !== "") : [];
    return new ChangeRejectedError(code, listed.length > 0 ? listed : [awsErrorMessage(error)]);
  }
  if (code === "NoSuchHostedZone") {
    return new Route53UnavailableError(
      code,
      `Route53 has no hosted zone ${call.target} (${code} from ${call.operation}: ${awsErrorMessage(error)}): check the zone id (the DomainRoute's ` +
        "spec.dns.zoneId or the platform config's domain zoneId) and that hostgate's AWS credentials belong to the account that owns the zone",
    );
  }
  return new Route53UnavailableError(code, awsFailureMessage(route53AwsCall(call), error, attempts));
}

/**
 * Route53's older InvalidChangeBatch body, `<InvalidChangeBatch><Messages><Message>…` with no `<Code>`
 * (aws-sdk-go v1 and aws-sdk-kotlin parse it by hand), reaches SDK v3 for JavaScript as an error named
 * "Unknown" with the parsed `Messages` on it. Its messages, or none when the error is not that body.
 */
function olderInvalidChangeBatchMessages(error: unknown): string[] {
  const body = (error as { Messages?: { Message?: unknown } } | undefined)?.Messages;
  const listed = [body?.Message ?? []].flat();
  return listed.filter((m): m is string => typeof m === "string" && m !== "");
}
