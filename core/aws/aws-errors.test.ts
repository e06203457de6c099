import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AwsCall } from "./aws-errors.ts";
import { awsErrorCode, awsErrorKind, awsFailureMessage, isRetryableAwsError } from "./aws-errors.ts";

const service = (name: string, httpStatusCode: number, fault = httpStatusCode >= 500 ? "server" : "client") =>
  Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode } });
const socket = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });

describe("awsErrorKind", () => {
  const cases: { name: string; error: unknown; code: string; kind: string; retryable: boolean }[] = [
    { name: "ACM's ThrottlingException is busy", error: service("ThrottlingException", 400), code: "ThrottlingException", kind: "busy", retryable: true },
    { name: "ELBv2's Throttling is busy", error: service("Throttling", 400), code: "Throttling", kind: "busy", retryable: true },
    { name: "RequestLimitExceeded is busy", error: service("RequestLimitExceeded", 400), code: "RequestLimitExceeded", kind: "busy", retryable: true },
    { name: "any 429 is busy", error: service("Whatever", 429), code: "Whatever", kind: "busy", retryable: true },
    { name: "a 503 is a server failure", error: service("ServiceUnavailable", 503), code: "ServiceUnavailable", kind: "server", retryable: true },
    {
      name: "a server-fault error is a server failure",
      error: service("InternalServerException", 500),
      code: "InternalServerException",
      kind: "server",
      retryable: true,
    },
    { name: "a reset connection is the network", error: socket("ECONNRESET"), code: "ECONNRESET", kind: "network", retryable: true },
    {
      name: "the SDK's timeout is the network",
      error: Object.assign(new Error("timed out"), { name: "TimeoutError" }),
      code: "TimeoutError",
      kind: "network",
      retryable: true,
    },
    { name: "AccessDeniedException is denied", error: service("AccessDeniedException", 400), code: "AccessDeniedException", kind: "denied", retryable: false },
    { name: "ELBv2's AccessDenied is denied", error: service("AccessDenied", 403), code: "AccessDenied", kind: "denied", retryable: false },
    {
      name: "an expired token is a credentials problem",
      error: service("ExpiredTokenException", 400),
      code: "ExpiredTokenException",
      kind: "credentials",
      retryable: false,
    },
    {
      name: "the provider chain's failure is a credentials problem",
      error: Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
      code: "CredentialsProviderError",
      kind: "credentials",
      retryable: false,
    },
    { name: "a validation error is other", error: service("ValidationException", 400), code: "ValidationException", kind: "other", retryable: false },
    { name: "a plain TypeError is other, never retried", error: new TypeError("x is undefined"), code: "TypeError", kind: "other", retryable: false },
    { name: "a thrown string is other", error: "boom", code: "UnknownError", kind: "other", retryable: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(awsErrorCode(c.error), c.code);
      assert.equal(awsErrorKind(c.error), c.kind);
      assert.equal(isRetryableAwsError(c.error), c.retryable);
    });
  }
});

describe("awsFailureMessage", () => {
  const arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
  const call: AwsCall = { service: "ACM", operation: "DeleteCertificate", action: "acm:DeleteCertificate", resource: arn };
  const cases: { name: string; error: unknown; includes: string[] }[] = [
    {
      name: "a denial names the action, the resource and the IAM fix",
      error: service("AccessDeniedException", 400),
      includes: ["acm:DeleteCertificate", arn, "IAM policy", "IRSA"],
    },
    {
      name: "missing credentials say how to give some",
      error: service("UnrecognizedClientException", 400),
      includes: ["no usable AWS credentials", "AWS_ROLE_ARN"],
    },
    { name: "throttling that outlasted the retries says so", error: service("ThrottlingException", 400), includes: ["still throttled after 6 attempts", arn] },
    {
      name: "a network failure points at the network path",
      error: socket("ECONNREFUSED"),
      includes: ["could not reach the service after 6 attempts", "AWS_ENDPOINT_URL"],
    },
    { name: "a missing region says to set AWS_REGION", error: new Error("Region is missing"), includes: ["AWS_REGION"] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const message = awsFailureMessage(call, c.error, 6);
      for (const part of c.includes) assert.ok(message.includes(part), `${JSON.stringify(part)} missing from: ${message}`);
    });
  }
});
