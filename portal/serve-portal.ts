// Starts the self-service page on its own listener (`hostgate serve
// --portal-listen HOST:PORT`): plain HTTP behind a login proxy on a trusted
// network, or HTTPS with a client CA when the proxy authenticates itself with
// a client certificate (mTLS). The caller (bin/cli.ts, via serve's injected
// factory) builds the backend; this file builds everything else and says how
// to stop it: open event streams are ended first, else close() would wait
// for them forever.
import { createServer as createHttpServer } from "node:http";
import type { Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { CsrfTokens } from "./csrf.ts";
import { identityResolver } from "./identity.ts";
import type { IdentitySource } from "./identity.ts";
import { LiveRoutes } from "./live-routes.ts";
import type { LiveLimits } from "./live-routes.ts";
import { DEFAULT_DRY_RUN_RATE, IdentityRateLimit } from "./identity-rate-limit.ts";
import type { RateOptions } from "./identity-rate-limit.ts";
import { createPortalApp } from "./portal-app.ts";
import type { PortalBackend } from "./portal-backend.ts";
import { previewRoute } from "./preview.ts";
import type { PreviewContext } from "./preview.ts";
import { routeView } from "./route-view.ts";

export interface PortalTls {
  cert: string;
  key: string;
  /** PEM of the CA that signs the proxy's client certificate: connections without one it signed are refused in the handshake. */
  clientCa?: string;
}

export interface StartPortalOptions {
  backend: PortalBackend;
  listen: { host: string; port: number };
  identity: IdentitySource;
  logger: Logger;
  /** HTTPS (needed for an mtls identity source). */
  tls?: PortalTls;
  /** The page's origin as browsers see it; see PortalAppOptions.origin. */
  origin?: string;
  /** The CSRF HMAC key; every replica behind one URL needs the same. Random per process when absent. */
  csrfSecret?: Buffer;
  /** Node's limit on a request's headers (16 KiB by default); raise it for people in very many groups. */
  maxHeaderSize?: number;
  /** What the preview of an allowed verdict may use (the platform config, the reconciler's certificate planner); none by default. */
  preview?: PreviewContext;
  clock?: Clock;
  liveLimits?: Partial<LiveLimits>;
  /** Dry runs per person; default 5 a second, 10 at once. */
  dryRunRate?: RateOptions;
  clientDir?: string;
  /** How long stop() waits for requests in flight to finish before cutting their connections; default 5 s. */
  shutdownTimeoutMs?: number;
}

export interface RunningPortal {
  /** `http://127.0.0.1:8080` (the real port when 0 was asked for). */
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/**
 * @throws RangeError for a configuration that cannot work (an mtls source without HTTPS and a client CA, a bad CIDR)
 * @throws the listen error (EADDRINUSE, EACCES)
 */
export async function startPortal(options: StartPortalOptions): Promise<RunningPortal> {
  if (options.identity.kind === "mtls" && (options.tls === undefined || options.tls.clientCa === undefined))
    throw new RangeError("the portal's mTLS identity needs HTTPS with a client CA: give the serving certificate, its key and the proxy's CA");
  if (options.origin !== undefined && !/^https?:\/\/[^/]+$/.test(options.origin))
    throw new RangeError(
      `--portal-origin ${JSON.stringify(options.origin)} is not an origin; write it as the browser shows it, e.g. https://routes.example.com`,
    );
  const resolve = identityResolver(options.identity);
  const live = new LiveRoutes({
    backend: options.backend,
    view: routeView,
    logger: options.logger,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.liveLimits === undefined ? {} : { limits: options.liveLimits }),
  });
  const app = createPortalApp({
    backend: options.backend,
    identity: resolve,
    csrf: new CsrfTokens(options.csrfSecret),
    live,
    logger: options.logger,
    view: routeView,
    dryRunLimit: new IdentityRateLimit(options.dryRunRate ?? DEFAULT_DRY_RUN_RATE, options.clock ?? systemClock),
    preview: (route: KubeObject) => previewRoute(route, options.preview),
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    loopbackOnly: options.identity.kind === "fixed",
    ...(options.identity.kind === "proxy" ? { trustProxy: options.identity.trustedProxies } : {}),
    ...(options.clientDir === undefined ? {} : { clientDir: options.clientDir }),
  });
  const common = {
    // Slowloris bound on the request itself; a long-lived event stream's response is not affected.
    requestTimeout: 30_000,
    headersTimeout: 10_000,
    keepAliveTimeout: 65_000,
    ...(options.maxHeaderSize === undefined ? {} : { maxHeaderSize: options.maxHeaderSize }),
  };
  const tls = options.tls;
  const server: Server =
    tls === undefined
      ? createHttpServer(common, app)
      : createHttpsServer(
          {
            ...common,
            minVersion: "TLSv1.2",
            cert: tls.cert,
            key: tls.key,
            ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }),
          },
          app,
        );
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", (error: Error) => options.logger.debug({ error: error.message }, "portal: TLS handshake failed"));
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.listen.host.includes(":") ? `[${options.listen.host}]` : options.listen.host;
  const url = `${tls === undefined ? "http" : "https"}://${host}:${port}`;
  options.logger.info({ url, identity: options.identity.kind, mode: options.backend.mode }, `self-service page at ${url}`);
  const shutdownMs = options.shutdownTimeoutMs ?? 5_000;
  let stopping: Promise<void> | undefined;
  return {
    url,
    server,
    stop: () => {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        // Ends every stream; a list still waiting on the API server is abandoned (the reflector's stop aborts it).
        await live.close();
        server.closeIdleConnections();
        // Whatever is still open after the streams ended is cut (a request mid-flight gets no answer; the client retries).
        const timer = setTimeout(() => {
          server.closeAllConnections();
          for (const socket of sockets) socket.destroy();
        }, shutdownMs);
        await closed;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
