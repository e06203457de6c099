// Errors the webhook answers before any review happens. The body is a
// Kubernetes Status object, the shape every Kubernetes client already knows
// how to print, and the code is always 4xx: bad input is never a server error.
// Every answer that is not a review goes through problemBody, whichever
// layer sends it (the app, or the server before the app ever sees a request),
// so clients meet one shape.
import type { ServerResponse } from "node:http";

export interface HttpProblem {
  code: number;
  reason: string;
  message: string;
}

export const PROBLEM_CONTENT_TYPE = "application/json; charset=utf-8";

/** The metav1.Status a problem is answered with, as the JSON text sent. */
export function problemBody(problem: HttpProblem): string {
  return JSON.stringify({ apiVersion: "v1", kind: "Status", status: "Failure", code: problem.code, reason: problem.reason, message: problem.message });
}

/** Answers on a response object (an express Response is one). */
export function sendProblem(res: ServerResponse, problem: HttpProblem): void {
  const body = problemBody(problem);
  res.statusCode = problem.code;
  res.setHeader("Content-Type", PROBLEM_CONTENT_TYPE);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

export const problems = {
  notJson: (detail: string): HttpProblem => ({
    code: 400,
    reason: "BadRequest",
    message: `the request body is not valid JSON (${detail}); send an admission.k8s.io/v1 AdmissionReview as JSON`,
  }),
  notReview: (detail: string): HttpProblem => ({
    code: 400,
    reason: "BadRequest",
    message: `the request body is not a usable admission.k8s.io/v1 AdmissionReview: ${detail}`,
  }),
  contentType: (got: string | undefined): HttpProblem => ({
    code: 415,
    reason: "UnsupportedMediaType",
    message: `Content-Type is ${got ? JSON.stringify(got) : "missing"}; the webhook accepts only application/json (UTF-8)`,
  }),
  tooLarge: (limit: number): HttpProblem => ({
    code: 413,
    reason: "RequestEntityTooLarge",
    message: `the request body is larger than ${limit} bytes, the most an AdmissionReview for objects within the API server's own size limits can be`,
  }),
  method: (method: string, path: string): HttpProblem => ({
    code: 405,
    reason: "MethodNotAllowed",
    message: `${method} is not allowed on ${path}; AdmissionReviews are sent with POST`,
  }),
  notFound: (path: string): HttpProblem => ({
    code: 404,
    reason: "NotFound",
    message: `no endpoint at ${path}; the webhook serves POST /validate and POST /mutate`,
  }),
  // What the HTTP server refuses before the app sees a request (client-errors.ts).
  requestTimeout: (timeoutMs: number): HttpProblem => ({
    code: 408,
    reason: "RequestTimeout",
    message:
      `the request did not arrive in full within ${timeoutMs / 1000} s: a body shorter than its Content-Length (the server waits for the rest) or a stalled client; ` +
      "send the whole body with a Content-Length equal to its size in bytes",
  }),
  headersTimeout: (timeoutMs: number): HttpProblem => ({
    code: 408,
    reason: "RequestTimeout",
    message: `the request's headers did not arrive in full within ${timeoutMs / 1000} s; send them at once`,
  }),
  badHttp: (parserCode: string, parserReason: string): HttpProblem => ({
    code: 400,
    reason: "BadRequest",
    message: `the request is not valid HTTP/1.1 (${parserCode}: ${parserReason}); ${BAD_HTTP_HINTS[parserCode] ?? BAD_HTTP_HINTS.default}`,
  }),
  headersTooLarge: (limit: number): HttpProblem => ({
    code: 431,
    reason: "RequestHeaderFieldsTooLarge",
    message: `the request line and headers are larger than ${limit} bytes, the most the webhook reads; the API server's reviews need far less`,
  }),
  chunkExtensionsTooLarge: (): HttpProblem => ({
    code: 413,
    reason: "RequestEntityTooLarge",
    message: "the chunk extensions of the request body are larger than the server accepts; send the body without chunk extensions",
  }),
  expectation: (expect: string): HttpProblem => ({
    code: 417,
    reason: "ExpectationFailed",
    message: `the webhook cannot meet Expect: ${expect}; it honours only Expect: 100-continue (or send the request without Expect)`,
  }),
};

/** What most likely went wrong, by llhttp error code. */
const BAD_HTTP_HINTS: Record<string, string> = {
  HPE_INVALID_CONTENT_LENGTH: "send one Content-Length, a decimal byte count equal to the body's size",
  HPE_UNEXPECTED_CONTENT_LENGTH: "send one Content-Length equal to the body's size in bytes, and no Transfer-Encoding with it",
  HPE_INVALID_TRANSFER_ENCODING: "send one Content-Length equal to the body's size in bytes, and no Transfer-Encoding with it",
  default:
    "if the request before it on this connection had a body longer than its Content-Length, the bytes past it were read as this request; " +
    "send a Content-Length equal to the body's size in bytes",
};
