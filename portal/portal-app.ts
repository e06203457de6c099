// The self-service page's HTTP face (portal-api.md): the shell HTML, the
// client's static files, and a JSON API that calls the PortalBackend as the
// person the trusted login proxy names. In order, for every request:
// security headers → identity (401/403) → for /api: Cache-Control no-store,
// cross-site checks, and for writes JSON-only (415), same-origin (403) and
// the identity-bound CSRF token (403) → body limit (413) → the route.
// Every error is JSON `{error}` with a sentence, never a stack trace.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import type { NextFunction, Request, Response } from "express";
import { KubeApiError } from "../core/kube/api-error.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { isRecord } from "../core/json.ts";
import type { Logger } from "../core/logger.ts";
import { systemClock } from "../core/clock.ts";
import { CSRF_HEADER, crossOriginProblem, crossSiteReadProblem, isJsonContentType } from "./csrf.ts";
import type { CsrfTokens } from "./csrf.ts";
import { identityKey } from "./identity.ts";
import type { IdentityResolver } from "./identity.ts";
import { DEFAULT_WRITE_RATE, IdentityRateLimit } from "./identity-rate-limit.ts";
import { alarmFor, CANNOT_ACT_FOR_YOU } from "./impersonation-refused.ts";
import type { ImpersonationAlarm } from "./impersonation-refused.ts";
import type { EventSink, LiveRoutes } from "./live-routes.ts";
import type { Identity, PortalBackend, Refusal, WriteOutcome } from "./portal-backend.ts";
import type { RouteView } from "./route-view.ts";
import { securityHeaders } from "./security-headers.ts";
import { shellPage, signedOutPage } from "./shell.ts";

/** The largest DomainRoute (32 paths of 256 characters per rule) is far below this. */
export const DEFAULT_PORTAL_BODY_LIMIT_BYTES = 256 * 1024;

/** Unsent event-stream text held for one slow reader before its stream is ended. */
export const DEFAULT_STREAM_BUFFER_BYTES = 4 * 1024 * 1024;

/** portal/client/, beside this file. */
export const DEFAULT_CLIENT_DIR = join(dirname(fileURLToPath(import.meta.url)), "client");

export interface PortalAppOptions {
  backend: PortalBackend;
  identity: IdentityResolver;
  csrf: CsrfTokens;
  live: LiveRoutes;
  logger: Logger;
  /** The RouteView of a stored object (status words). */
  view: (object: KubeObject) => RouteView;
  /** The preview lines of an allowed verdict. */
  preview: (object: KubeObject) => string[];
  /**
   * The page's origin as browsers see it (`https://routes.example.com`): what
   * a write's Origin must equal when the browser sends no Sec-Fetch-Site.
   * Absent: derived from the request's Host (and, from a trusted proxy,
   * X-Forwarded-Proto).
   */
  origin?: string;
  /** Only with a fixed identity and no origin: refuse any Host that is not this machine (DNS rebinding). */
  loopbackOnly?: boolean;
  /** Peers whose X-Forwarded-Proto/-For express may read (logging and the derived origin only; identity never). */
  trustProxy?: readonly string[];
  bodyLimitBytes?: number;
  clientDir?: string;
  /** See DEFAULT_STREAM_BUFFER_BYTES. */
  streamBufferBytes?: number;
  /** Dry runs per person (each is an admission round trip on the API server); unbounded when absent. */
  dryRunLimit?: IdentityRateLimit;
  /** Real creates, replaces and deletes per person; DEFAULT_WRITE_RATE on the system clock when absent. */
  writeLimit?: IdentityRateLimit;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An answer the API gives on purpose (the status and a sentence). */
class HttpError extends Error {
  readonly status: number;
  /** Already logged where it arose (no "request failed" line for it). */
  readonly logged: boolean;
  constructor(status: number, message: string, options: { logged?: boolean } = {}) {
    super(message);
    this.status = status;
    this.logged = options.logged === true;
  }
}

export function createPortalApp(options: PortalAppOptions): express.Express {
  const limit = options.bodyLimitBytes ?? DEFAULT_PORTAL_BODY_LIMIT_BYTES;
  const alarm = alarmFor(options.logger);
  const read = <T>(call: () => Promise<T>): Promise<T> => readAs(alarm, call);
  const writeLimit = options.writeLimit ?? new IdentityRateLimit(DEFAULT_WRITE_RATE, systemClock);
  /** Refuses a real write past the person's bound, before the backend is asked. */
  const takeWrite = (res: Response): void => {
    if (!writeLimit.take(identityKey(identityOf(res))))
      throw new HttpError(429, "too many changes in a short time: wait a few seconds, then save again (nothing was changed)");
  };
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", options.trustProxy === undefined || options.trustProxy.length === 0 ? false : [...options.trustProxy]);
  app.use(securityHeaders);
  if (options.loopbackOnly === true && options.origin === undefined) app.use(loopbackHost);

  app.use(
    "/assets",
    express.static(options.clientDir ?? DEFAULT_CLIENT_DIR, {
      index: false,
      redirect: false,
      dotfiles: "deny",
      fallthrough: false,
      setHeaders: (res, path) => {
        // The current standard type for scripts; a module script with a wrong one does not run under nosniff.
        if (path.endsWith(".js") || path.endsWith(".mjs")) res.setHeader("Content-Type", "text/javascript; charset=utf-8");
      },
    }),
  );

  app.get("/", (req: Request, res: Response) => {
    res.setHeader("Cache-Control", "no-store");
    res.type("html");
    const who = options.identity(req);
    if (!who.ok) {
      options.logger.debug({ status: who.status, reason: who.message }, "portal: no trusted identity for the page");
      res.status(who.status).send(who.status === 401 ? signedOutPage("signed-out") : signedOutPage("refused", who.message));
      return;
    }
    res.send(shellPage({ user: who.identity.user, csrf: options.csrf.issue(who.identity), mode: options.backend.mode }));
  });

  const api = express.Router();
  api.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Vary", "Sec-Fetch-Site, Origin");
    next();
  });
  api.use((req: Request, res: Response, next: NextFunction) => {
    const who = options.identity(req);
    if (!who.ok) {
      options.logger.debug({ status: who.status, reason: who.message, path: req.path }, "portal: API request without a trusted identity");
      throw new HttpError(who.status, who.status === 401 ? "not signed in: open the page through the platform's login" : who.message);
    }
    res.locals.identity = who.identity;
    next();
  });
  api.use(forgeryChecks(options));
  api.use(express.json({ limit, strict: true, type: "application/json" }));

  api.get("/session", (_req: Request, res: Response) => {
    const who = identityOf(res);
    res.json({ user: who.user, groups: who.groups, mode: options.backend.mode, csrf: options.csrf.issue(who) });
  });
  api.get("/namespaces", async (_req: Request, res: Response) => {
    res.json({ items: await read(() => options.backend.namespaces(identityOf(res))) });
  });
  api.get("/namespaces/:ns/choices", async (req: Request, res: Response) => {
    const namespace = namespaceParam(req);
    const choices = await read(() => options.backend.choices(identityOf(res), namespace));
    // The Services are listed as the person: a refused impersonation there is the operator's problem too, said neutrally.
    const services = choices.services;
    if (!Array.isArray(services) && alarm.check(new KubeApiError(services.forbidden, 403, "Forbidden", { statusMessage: services.forbidden })))
      throw new HttpError(503, CANNOT_ACT_FOR_YOU, { logged: true });
    res.json(choices);
  });
  api.get("/namespaces/:ns/routes", async (req: Request, res: Response) => {
    const page = await read(() => options.backend.routes(identityOf(res), namespaceParam(req)));
    res.json({ items: page.items.map(options.view), resourceVersion: page.resourceVersion });
  });
  api.get("/namespaces/:ns/routes/:name", async (req: Request, res: Response) => {
    const namespace = namespaceParam(req);
    const name = nameParam(req);
    const object = await read(() => options.backend.route(identityOf(res), namespace, name));
    if (object === undefined) throw new HttpError(404, `no DomainRoute ${name} in ${namespace}`);
    res.json(options.view(object));
  });
  api.post("/namespaces/:ns/routes/dry-run", async (req: Request, res: Response) => {
    const namespace = namespaceParam(req);
    const body = bodyObject(req);
    const operation = body.operation;
    if (operation !== "create" && operation !== "update") throw new HttpError(400, 'operation must be "create" or "update"');
    const route = routeFrom(body, namespace, operation === "update" ? { nameRequired: true } : {});
    const badName = nameRefusal(route);
    if (badName !== undefined) return void res.json({ allowed: false, refusal: badName, warnings: [] });
    if (options.dryRunLimit !== undefined && !options.dryRunLimit.take(identityKey(identityOf(res))))
      throw new HttpError(429, "too many checks at once; the form checks again on your next change");
    const outcome = await options.backend.write(identityOf(res), operation, route, { dryRun: true });
    res.json(verdictOf(outcome, options));
  });
  api.post("/namespaces/:ns/routes", async (req: Request, res: Response) => {
    const route = routeFrom(bodyObject(req), namespaceParam(req), {});
    const badName = nameRefusal(route);
    if (badName !== undefined) return void res.status(422).json({ allowed: false, refusal: badName, warnings: [] });
    takeWrite(res);
    const outcome = await options.backend.write(identityOf(res), "create", route, { dryRun: false });
    res.status(outcome.ok ? 201 : refusalStatus(outcome.refusal)).json(verdictOf(outcome, options));
  });
  api.put("/namespaces/:ns/routes/:name", async (req: Request, res: Response) => {
    const route = routeFrom(bodyObject(req), namespaceParam(req), { name: nameParam(req) });
    takeWrite(res);
    const outcome = await options.backend.write(identityOf(res), "update", route, { dryRun: false });
    res.status(outcome.ok ? 200 : refusalStatus(outcome.refusal)).json(verdictOf(outcome, options));
  });
  api.delete("/namespaces/:ns/routes/:name", async (req: Request, res: Response) => {
    const namespace = namespaceParam(req);
    const name = nameParam(req);
    // The uid is the one precondition: it says "this object, not a new one of the same name". A resourceVersion would also refuse
    // the delete after any status write since the page drew the row (the reconciler writes status often), so it is not used.
    const uid = (req.body === undefined ? {} : bodyObject(req)).uid;
    if (typeof uid !== "string" || uid === "")
      throw new HttpError(
        400,
        'the body must name the route\'s metadata.uid as read: {"uid": "…"}; without it the page cannot be sure it deletes what you saw',
      );
    takeWrite(res);
    const outcome = await options.backend.remove(identityOf(res), namespace, name, { uid }, { dryRun: false });
    res
      .status(outcome.ok ? 200 : refusalStatus(outcome.refusal))
      .json(outcome.ok ? { allowed: true, object: outcome.object, warnings: outcome.warnings, preview: [] } : verdictOf(outcome, options));
  });
  api.get("/events", (req: Request, res: Response) => openEvents(req, res, options, read));
  api.use((req: Request) => {
    throw new HttpError(404, `no API endpoint ${req.method} ${clip(req.path)}; see portal-api.md`);
  });
  app.use("/api", api);

  app.use((req: Request) => {
    throw new HttpError(404, `nothing at ${clip(req.path)}`);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => answerError(error, req, res, options.logger, limit));
  return app;
}

/** The CSRF defences (csrf.ts) for the API: reads from another site are refused; writes must be same-origin JSON with the person's token. */
function forgeryChecks(options: PortalAppOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === "GET" || req.method === "HEAD") {
      const problem = crossSiteReadProblem(req);
      if (problem !== undefined) throw new HttpError(403, problem);
      return next();
    }
    if (!isJsonContentType(req.headers["content-type"])) {
      // Drain what was sent so the connection stays usable, then refuse.
      req.resume();
      throw new HttpError(
        415,
        `Content-Type is ${req.headers["content-type"] ? JSON.stringify(req.headers["content-type"]) : "missing"}; the API accepts only application/json`,
      );
    }
    const crossOrigin = crossOriginProblem(req, options.origin ?? `${req.protocol}://${req.get("host") ?? ""}`);
    if (crossOrigin !== undefined) throw new HttpError(403, crossOrigin);
    if (!options.csrf.verify(identityOf(res), req.get(CSRF_HEADER))) {
      throw new HttpError(403, `the ${CSRF_HEADER} header is missing or not valid for you; reload the page to get a fresh one`);
    }
    next();
  };
}

/** Local mode with no configured origin: a page on this machine only, so a rebinding DNS name cannot reach it. */
function loopbackHost(req: Request, _res: Response, next: NextFunction): void {
  const host = (req.get("host") ?? "").replace(/:\d+$/, "").toLowerCase();
  if (!(host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host)))
    throw new HttpError(403, `Host ${JSON.stringify(clip(host))} is not this machine; give --portal-origin to serve the page under another name`);
  next();
}

async function openEvents(req: Request, res: Response, options: PortalAppOptions, read: <T>(call: () => Promise<T>) => Promise<T>): Promise<void> {
  const raw = req.query.namespace;
  const namespaces = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  const bad = namespaces.filter((ns) => !isNamespace(ns));
  if (bad.length > 0) throw new HttpError(400, `namespace ${bad.map((ns) => JSON.stringify(clip(ns))).join(", ")} is not a namespace name`);
  const sink: EventSink = {
    start: () => {
      res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" });
      // EventSource reconnects after this many milliseconds when the stream breaks.
      res.write("retry: 5000\n\n");
    },
    write: (text) => {
      // A reader that stops reading would make the server hold every event for it: cut the connection instead
      // (ending would wait for the unread text to drain; its EventSource reconnects and starts from a snapshot).
      if (res.writableLength > (options.streamBufferBytes ?? DEFAULT_STREAM_BUFFER_BYTES)) {
        if (!res.destroyed)
          options.logger.info({ user: identityOf(res).user, buffered: res.writableLength }, "portal: an event stream fell too far behind; ended");
        res.destroy();
        return;
      }
      res.write(text);
    },
    end: () => res.end(),
  };
  // open() asks the backend which namespaces the person may follow: its failure is answered as a read's.
  const result = await read(() => options.live.open(identityOf(res), namespaces, sink));
  if (!result.ok) throw new HttpError(result.status, result.message);
  res.once("close", result.close);
  // A client gone before the handler ran has already had its "close": without this its stream would count forever.
  if (res.closed || req.socket.destroyed) result.close();
}

function verdictOf(outcome: WriteOutcome, options: PortalAppOptions): unknown {
  if (!outcome.ok) return { allowed: false, refusal: outcome.refusal, warnings: outcome.warnings };
  let preview: string[] = [];
  try {
    preview = options.preview(outcome.object);
  } catch (error) {
    // The verdict stands (a real write already happened); only its description is missing.
    options.logger.error({ error: error instanceof Error ? error.message : String(error) }, "portal: the preview failed");
  }
  return { allowed: true, object: outcome.object, warnings: outcome.warnings, preview };
}

/** A refused write's HTTP status: the API server's when it gave one, else by stage. */
export function refusalStatus(refusal: Refusal): number {
  if (refusal.status >= 500 || refusal.stage === "unavailable") return 503;
  if (refusal.status >= 400) return refusal.status;
  switch (refusal.stage) {
    case "permission":
      return 403;
    case "conflict":
      return 409;
    default:
      return 422;
  }
}

/**
 * A backend read; the API server's refusal keeps its status (403, 404), no answer is 503, and a refusal of the page's own
 * impersonation is 503 in neutral words (the operator's problem, logged by the alarm; the 403 would name the ServiceAccount).
 */
async function readAs<T>(alarm: ImpersonationAlarm, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof KubeApiError)) throw error;
    if (alarm.check(error)) throw new HttpError(503, CANNOT_ACT_FOR_YOU, { logged: true });
    if (error.status === 0 || error.status >= 500) throw new HttpError(503, `the cluster did not answer: ${error.statusMessage}`);
    throw new HttpError(error.status >= 400 ? error.status : 502, error.statusMessage);
  }
}

function identityOf(res: Response): Identity {
  return res.locals.identity as Identity;
}

function namespaceParam(req: Request): string {
  const ns = String(req.params.ns);
  if (!isNamespace(ns)) throw new HttpError(400, `${JSON.stringify(clip(ns))} is not a namespace name (lower-case letters, digits and -, at most 63)`);
  return ns;
}

function nameParam(req: Request): string {
  const name = String(req.params.name);
  if (!isName(name)) throw new HttpError(400, `${JSON.stringify(clip(name))} is not a DomainRoute name (a DNS subdomain, at most 253)`);
  return name;
}

function isName(value: unknown): value is string {
  return typeof value === "string" && value.length <= 253 && NAME.test(value);
}

function isNamespace(text: string): boolean {
  return text.length <= 63 && NAMESPACE.test(text);
}

function bodyObject(req: Request): Record<string, unknown> {
  if (!isRecord(req.body)) throw new HttpError(400, "the body must be a JSON object");
  return req.body;
}

/** `body.route`, checked against the URL: its namespace (filled in when absent) and, for a replace, its name. */
function routeFrom(body: Record<string, unknown>, namespace: string, expect: { name?: string; nameRequired?: boolean }): KubeObject {
  const route = body.route;
  if (!isRecord(route)) throw new HttpError(400, "route must be a DomainRoute object");
  const metadata = route.metadata === undefined ? {} : route.metadata;
  if (!isRecord(metadata)) throw new HttpError(400, "route.metadata must be an object");
  if (metadata.namespace !== undefined && metadata.namespace !== namespace)
    throw new HttpError(400, `route.metadata.namespace ${JSON.stringify(metadata.namespace)} is not the namespace in the URL (${namespace})`);
  if (expect.name !== undefined && metadata.name !== undefined && metadata.name !== expect.name)
    throw new HttpError(400, `route.metadata.name ${JSON.stringify(metadata.name)} is not the name in the URL (${expect.name})`);
  const name = metadata.name ?? expect.name;
  if ((expect.nameRequired === true || expect.name !== undefined) && (typeof name !== "string" || name === ""))
    throw new HttpError(400, "route.metadata.name is required to update a route");
  if (name !== undefined && typeof name !== "string") throw new HttpError(400, `route.metadata.name ${JSON.stringify(name)} must be a string`);
  return { ...route, metadata: { ...metadata, namespace, ...(name === undefined ? {} : { name }) } } as KubeObject;
}

/**
 * A route name that is not a DNS subdomain of at most 253 characters, refused as the API server's schema would refuse it
 * (beside the Name field), before any backend call: the name becomes a segment of the API server's request path, where
 * `..` or `a/b` would change which path is asked. An empty name is left to the API server ("name or generateName is required").
 */
function nameRefusal(route: KubeObject): Refusal | undefined {
  const name = route.metadata?.name;
  if (name === undefined || name === "" || isName(name)) return undefined;
  const message = `${JSON.stringify(clip(name))} is not a valid name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters`;
  return { stage: "schema", status: 422, reason: "Invalid", fields: { "metadata.name": [message] }, general: [] };
}

function answerError(error: unknown, req: Request, res: Response, logger: Logger, limit: number): void {
  const [status, message] = describeError(error, limit);
  if (status >= 500 && !(error instanceof HttpError && error.logged))
    logger.error(
      { path: req.path, method: req.method, error: error instanceof Error ? (error.stack ?? error.message) : String(error) },
      "portal: request failed",
    );
  if (res.headersSent) {
    // An event stream already under way: nothing more can be said on it.
    res.end();
    return;
  }
  res.setHeader("Cache-Control", "no-store");
  res.status(status).json({ error: message });
}

function describeError(error: unknown, limit: number): [number, string] {
  if (error instanceof HttpError) return [error.status, error.message];
  const type = (error as { type?: unknown } | null)?.type;
  if (type === "entity.too.large") return [413, `the body is larger than ${limit} bytes, far more than any DomainRoute`];
  if (type === "entity.parse.failed") return [400, "the body is not valid JSON"];
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  // express.static: 403 for a refused path (.., dotfiles), 404 for a missing file or a directory.
  if (status === 403) return [403, "that path is not served"];
  if (status === 404) return [404, "no such file"];
  if (typeof status === "number" && status >= 400 && status < 500) return [status, "the request could not be read"];
  return [500, "the page's server failed on this request; the portal's log says why"];
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
