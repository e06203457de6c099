// The HTTPS listener: serves the admission app with whatever certificate the
// certificate source holds now, swaps it in place when the source rotates it
// (no restart, no dropped connections), and closes gracefully.
import { createServer } from "node:https";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import { maxHeaderSize } from "node:http";
import type { RequestListener } from "node:http";
import type { Logger } from "../core/logger.ts";
import { answerClientError } from "./client-errors.ts";
import { clip } from "../policies/denial-message.ts";
import type { HttpProblem } from "./http-errors.ts";
import { problems, sendProblem } from "./http-errors.ts";

/** The part of a certificate source the listener needs (see certs/). */
export interface TlsMaterialSource {
  current(): { cert: string; key: string };
  onChange(listener: () => void): unknown;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export interface HttpsListener {
  server: Server;
  /** Where it listens (the real port when 0 was asked for). */
  address: ListenAddress;
  /** Stops accepting; resolves when in-flight requests are answered or `timeoutMs` passed (then the rest is cut). */
  close(timeoutMs: number): Promise<{ forced: boolean }>;
}

/** How the webhook's HTTPS server is set up; the benchmark's no-op floor uses the same. */
export const HTTPS_SERVER_OPTIONS = {
  minVersion: "TLSv1.2",
  // The API server keeps connections open between reviews; a generous
  // keep-alive saves it a TLS handshake per request.
  keepAliveTimeout: 65_000,
  // Slowloris bound: the whole request must arrive within 30 s.
  requestTimeout: 30_000,
  headersTimeout: 10_000,
  // How often those two are checked (Node's default, 30 s, would let a
  // stalled request live up to twice its timeout).
  connectionsCheckingInterval: 2_000,
  // A connection that never completes its handshake must not hold a
  // socket (or shutdown) for Node's default 120 s.
  handshakeTimeout: 10_000,
} as const satisfies import("node:https").ServerOptions;

export interface HttpsListenerOptions {
  /** Shorter timeouts than HTTPS_SERVER_OPTIONS' (tests). */
  timeouts?: { requestTimeout?: number; headersTimeout?: number; connectionsCheckingInterval?: number };
  /** Told of every refusal the server answers itself, before the app sees a request (the app reports its own). */
  onRejected?: (problem: HttpProblem) => void;
}

export async function listenHttps(
  app: RequestListener,
  tls: TlsMaterialSource,
  at: ListenAddress,
  logger: Logger,
  options: HttpsListenerOptions = {},
): Promise<HttpsListener> {
  const { cert, key } = tls.current();
  const serverOptions = { ...HTTPS_SERVER_OPTIONS, ...options.timeouts };
  const server = createServer({ ...serverOptions, cert, key }, app);
  // Every raw socket, handshaking ones included: closeAllConnections() only
  // knows connections the HTTP layer has seen, so shutdown ends these itself.
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket: import("node:net").Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  tls.onChange(() => {
    try {
      const next = tls.current();
      server.setSecureContext({ cert: next.cert, key: next.key, minVersion: HTTPS_SERVER_OPTIONS.minVersion });
      logger.info({}, "serving certificate reloaded");
    } catch (error) {
      // Keep the old context: a bad pair must not take the listener down.
      logger.error({ error: error instanceof Error ? error.message : String(error) }, "could not load the new serving certificate; keeping the previous one");
    }
  });
  // TLS handshake failures (a client that does not trust us, a port scan)
  // are the client's problem, not a crash.
  server.on("tlsClientError", (error) => logger.debug({ error: error.message }, "TLS handshake failed"));
  // A request Node's HTTP layer refuses itself (it never reaches the app)
  // still gets the JSON Status every other refusal carries.
  const limits = { requestTimeoutMs: serverOptions.requestTimeout, headersTimeoutMs: serverOptions.headersTimeout, maxHeaderBytes: maxHeaderSize };
  server.on("clientError", (error: Error, socket: import("node:net").Socket) => {
    const problem = answerClientError(error, socket, limits);
    if (problem === undefined) return;
    logger.debug({ code: problem.code, error: error.message }, "request refused by the HTTP layer");
    options.onRejected?.(problem);
  });
  // Without this listener Node answers an Expect other than 100-continue with a bare 417.
  server.on("checkExpectation", (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    const problem = problems.expectation(clip(String(req.headers.expect ?? ""), 100));
    res.setHeader("Connection", "close");
    sendProblem(res, problem);
    options.onRejected?.(problem);
  });
  await listen(server, at);
  const bound = server.address() as AddressInfo;
  return {
    server,
    address: { host: at.host, port: bound.port },
    close: (timeoutMs) => closeGracefully(server, sockets, timeoutMs),
  };
}

export function listen(server: import("node:net").Server, at: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(at.port, at.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function closeGracefully(server: Server, sockets: Set<import("node:net").Socket>, timeoutMs: number): Promise<{ forced: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (forced: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ forced });
    };
    const timer = setTimeout(() => {
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      // Resolve here, not in close()'s callback: the deadline is the promise.
      finish(true);
    }, timeoutMs);
    // close() stops accepting and (Node >= 19) closes idle keep-alive
    // connections; busy ones close after their response, which carries
    // `Connection: close` once shutdown began.
    server.close(() => finish(false));
    server.closeIdleConnections();
  });
}
