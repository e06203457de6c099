// The HTTPS face of the verdict function: POST /validate and POST /mutate take
// an AdmissionReview v1 and answer one. A review is parsed (admission-review.ts),
// judged by the same `decide` that `hostgate check` and the policy tests call
// (policies/verdict.ts), answered (admission-response.ts), then logged and
// counted. Every input problem is a 4xx with a Kubernetes Status body
// (http-errors.ts); a review that parses always gets a review back, and
// anything that goes wrong while judging it is a denial (fail closed), never
// an HTTP error the API server would turn into its own failure.
import express from "express";
import type { NextFunction, Request, Response } from "express";
import { decide } from "../policies/verdict.ts";
import type { Phases, VerdictEnvironment } from "../policies/verdict.ts";
import type { Logger } from "../core/logger.ts";
import { parseAdmissionReview } from "./admission-review.ts";
import type { ParsedReview } from "./admission-review.ts";
import { internalErrorAnswer, sendReview, unavailableAnswer, verdictAnswer } from "./admission-response.ts";
import type { Endpoint, ReviewAnswer, ReviewOutcome } from "./admission-response.ts";
import { clip } from "../policies/denial-message.ts";
import { problems, sendProblem } from "./http-errors.ts";
import type { WebhookMetrics } from "./metrics.ts";

/**
 * The API server accepts request bodies up to 3 MiB and etcd stores objects
 * up to 1.5 MiB; an UPDATE review carries the object and the old object, JSON
 * escaped. 8 MiB admits every review the API server can send and refuses
 * anything that can only be an attack on memory.
 */
export const DEFAULT_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * The API server applies CRD schema defaults and validation itself (defaults
 * before mutation, schema checks before validation), so the webhook runs
 * only the policy phase its endpoint is called for.
 */
export const ENDPOINT_PHASES: Readonly<Record<Endpoint, Phases>> = {
  mutate: { schema: false, mutate: true, validate: false },
  validate: { schema: false, mutate: false, validate: true },
};

export interface AdmissionAppOptions {
  /** The policies, config and cluster state as they are now; called once per review. */
  environment(): VerdictEnvironment;
  logger: Logger;
  metrics?: WebhookMetrics;
  bodyLimitBytes?: number;
  /**
   * Why reviews cannot be judged yet (the cluster cache has not synced), or
   * undefined. Readiness keeps the Service from sending traffic then, but a
   * review that arrives anyway is denied: judging uniqueness against a
   * half-loaded cache would admit duplicates (fail open).
   */
  notReady?: () => string | undefined;
  /** True once shutdown began: responses then ask the client to close the connection. */
  shuttingDown?: () => boolean;
}

export function createAdmissionApp(options: AdmissionAppOptions): express.Express {
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.locals.started = performance.now();
    next();
  });

  const parseJson = express.json({ limit, strict: false, type: () => true });
  for (const endpoint of ["validate", "mutate"] as const) {
    const path = `/${endpoint}`;
    app.post(path, requireJsonContent(options), parseJson, (req: Request, res: Response) => handleReview(endpoint, req, res, options));
    app.all(path, (req: Request, res: Response) => {
      res.setHeader("Allow", "POST");
      reject(res, options, req.path, problems.method(req.method, path));
    });
  }
  app.use((req: Request, res: Response) => reject(res, options, req.path, problems.notFound(clip(req.path, 200))));
  // Body parser failures arrive here; each becomes the 4xx it deserves.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const type = (error as { type?: unknown }).type;
    if (type === "entity.too.large") return reject(res, options, req.path, problems.tooLarge(limit));
    if (type === "entity.parse.failed") return reject(res, options, req.path, problems.notJson(parseDetail(error)));
    if (type === "encoding.unsupported" || type === "charset.unsupported") return reject(res, options, req.path, problems.contentType(req.get("content-type")));
    if (type === "request.aborted") return; // the client left; there is no one to answer
    if (type === "request.size.invalid" || type === "stream.encoding.set")
      return reject(res, options, req.path, problems.notJson("the body ended early or declares a wrong length"));
    // body-parser marks what the client got wrong (e.g. a corrupt gzip body) with a 4xx status: not our error to log loudly.
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      options.logger.debug({ path: req.path, error: errorText(error) }, "request body refused");
      return reject(res, options, req.path, problems.notJson("the body could not be decoded"));
    }
    options.logger.error({ path: req.path, error: errorText(error) }, "unexpected error before review");
    return reject(res, options, req.path, problems.notJson("the body could not be read"));
  });
  return app;
}

function requireJsonContent(options: AdmissionAppOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (isJson(req.headers["content-type"])) return next();
    // Drain what was sent so the connection stays usable, then refuse.
    req.resume();
    reject(res, options, req.path, problems.contentType(req.get("content-type")));
  };
}

/** `application/json`, any case, with or without parameters (the charset is body-parser's to check). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.length === 16 ? contentType : contentType.split(";", 1)[0]!.trim();
  return type.length === 16 && type.toLowerCase() === "application/json";
}

function handleReview(endpoint: Endpoint, req: Request, res: Response, options: AdmissionAppOptions): void {
  const parsed = parseAdmissionReview(req.body);
  if (!parsed.ok) {
    reject(res, options, req.path, problems.notReview(parsed.message));
    return;
  }
  const review = parsed.review;
  let answer: ReviewAnswer;
  try {
    const notReady = options.notReady?.();
    if (notReady !== undefined) answer = unavailableAnswer(review, notReady);
    else {
      const env = options.environment();
      const started = performance.now();
      const verdict = decide(review.input, env, ENDPOINT_PHASES[endpoint]);
      answer = verdictAnswer(review, endpoint, verdict, (performance.now() - started) / 1000);
    }
  } catch (error) {
    // A bug, not the user's doing; still an answer, and a closed one.
    options.logger.error({ uid: review.uid, endpoint, error: errorText(error) }, "review failed; denying");
    answer = internalErrorAnswer(review, errorText(error));
  }
  closeIfShuttingDown(res, options);
  sendReview(res, answer.body);
  const seconds = (performance.now() - (res.locals.started as number)) / 1000;
  options.metrics?.recordReview(endpoint, review.input.operation, review.input.kind.kind, answer.outcome, seconds);
  logReview(options.logger, endpoint, review, answer.outcome, seconds);
}

function logReview(logger: Logger, endpoint: Endpoint, review: ParsedReview, outcome: ReviewOutcome, seconds: number): void {
  const { input } = review;
  // Names come from the request: the API server keeps them short, a direct
  // caller need not, and a log line must stay a line.
  const kind = input.kind.group === "" ? `${input.kind.version}/${input.kind.kind}` : `${input.kind.group}/${input.kind.version}/${input.kind.kind}`;
  // Fields in a fixed order, optional ones only when they say something; set
  // one by one rather than spread from temporary objects (one line per review).
  const fields: Record<string, unknown> = { uid: review.uid, endpoint, operation: input.operation, kind: clip(kind, 300) };
  if (input.subResource !== undefined) fields.subResource = clip(input.subResource, 64);
  fields.object = clip(input.namespace ? `${input.namespace}/${input.name ?? ""}` : (input.name ?? ""), 300);
  if (input.dryRun) fields.dryRun = true;
  fields.verdict = outcome.verdict;
  if (outcome.denyingPolicies.length > 0) fields.denied = outcome.denyingPolicies;
  if (outcome.warningPolicies.length > 0) fields.warned = outcome.warningPolicies;
  if (outcome.patched) fields.patched = true;
  fields.durationMs = Math.round(seconds * 1e6) / 1e3;
  logger.info(fields, "admission review");
}

function reject(res: Response, options: AdmissionAppOptions, path: string, problem: ReturnType<typeof problems.notFound>): void {
  options.metrics?.recordRejectedRequest(path, problem.code);
  closeIfShuttingDown(res, options);
  sendProblem(res, problem);
}

/** Decided when the response goes out, not when the request came in: a review in flight at SIGTERM still tells its client to go elsewhere. */
function closeIfShuttingDown(res: Response, options: AdmissionAppOptions): void {
  if (options.shuttingDown?.()) res.setHeader("Connection", "close");
}

function parseDetail(error: unknown): string {
  // body-parser's message names the position; never echo the body itself.
  const message = errorText(error);
  const position = /position (\d+)/.exec(message);
  return position ? `syntax error at byte ${position[1]}` : "syntax error";
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
