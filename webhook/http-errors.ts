// Errors the webhook answers before any review happens. The body is a
// Kubernetes Status object, the shape every Kubernetes client already knows
// how to print, and the code is always 4xx: bad input is never a server error.
import type { Response } from "express";

export interface HttpProblem {
  code: number;
  reason: string;
  message: string;
}

export function sendProblem(res: Response, problem: HttpProblem): void {
  res.status(problem.code).json({ apiVersion: "v1", kind: "Status", status: "Failure", code: problem.code, reason: problem.reason, message: problem.message });
}

export const problems = {
  notJson: (detail: string): HttpProblem => ({ code: 400, reason: "BadRequest", message: `the request body is not valid JSON (${detail}); send an admission.k8s.io/v1 AdmissionReview as JSON` }),
  notReview: (detail: string): HttpProblem => ({ code: 400, reason: "BadRequest", message: `the request body is not a usable admission.k8s.io/v1 AdmissionReview: ${detail}` }),
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
  method: (method: string, path: string): HttpProblem => ({ code: 405, reason: "MethodNotAllowed", message: `${method} is not allowed on ${path}; AdmissionReviews are sent with POST` }),
  notFound: (path: string): HttpProblem => ({ code: 404, reason: "NotFound", message: `no endpoint at ${path}; the webhook serves POST /validate and POST /mutate` }),
};
