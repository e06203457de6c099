// Liveness, readiness and metrics on a separate plain-HTTP port, so probes
// and Prometheus never need the webhook's certificate, and a saturated
// webhook port cannot starve the probes. The check output follows the API
// server's own /readyz?verbose format: `[+]name ok` / `[-]name failed: why`.
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Registry } from "prom-client";

export interface ReadinessCheck {
  name: string;
  /** undefined when healthy, else why not. */
  check(): string | undefined;
}

export interface HealthServerOptions {
  readiness: readonly ReadinessCheck[];
  registry?: Registry;
}

export function createHealthServer(options: HealthServerOptions): Server {
  return createServer((req, res) => {
    void handle(req, res, options).catch((error: unknown) => {
      if (!res.headersSent) text(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      else res.destroy();
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, options: HealthServerOptions): Promise<void> {
  const url = new URL(req.url ?? "/", "http://health");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return text(res, 405, `${req.method} is not allowed; use GET\n`);
  }
  switch (url.pathname) {
    case "/healthz":
    case "/livez":
      // Alive means the event loop answers; nothing external is consulted,
      // so a broken API server never gets healthy webhook pods restarted.
      return text(res, 200, "ok\n");
    case "/readyz": {
      const results = options.readiness.map((c) => ({ name: c.name, problem: safeCheck(c) }));
      const ready = results.every((r) => r.problem === undefined);
      const verbose = url.searchParams.has("verbose") || !ready;
      const body = verbose
        ? results.map((r) => (r.problem === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.problem}`)).join("\n") +
          `\nreadyz check ${ready ? "passed" : "failed"}\n`
        : "ok\n";
      return text(res, ready ? 200 : 503, body);
    }
    case "/metrics":
      if (options.registry === undefined) return text(res, 404, "metrics are not enabled\n");
      res.setHeader("Content-Type", options.registry.contentType);
      res.end(await options.registry.metrics());
      return;
    default:
      return text(res, 404, "not found: this port serves /healthz, /readyz and /metrics\n");
  }
}

/** Closes the health port at once: probe and scrape connections are kept alive, and nothing of value is in flight on them. */
export function closeHealthServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function safeCheck(check: ReadinessCheck): string | undefined {
  try {
    return check.check();
  } catch (error) {
    return `check threw: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.end(body);
}
