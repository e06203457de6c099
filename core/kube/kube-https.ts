// Requests to a kube-apiserver with node:http(s), from a client-node
// KubeConfig: the transport under impersonated-http.ts.
//
// Why not client-node's own HTTP (undici fetch): fetch joins repeated request
// headers into one comma-separated line, and the API server reads
// `Impersonate-Group: a, b` as the ONE group "a, b" (kubernetes/kubernetes#94683,
// kubernetes-client/javascript#2474). node:http sends an array value as one line
// per element. Measured with client-node 2.0.1 and Node 24 against a node:http
// server (/tmp/imp-test/t.mjs, kc-run.ts in the issue-17 research): undici
// fetch with Headers.append twice, with [[k,a],[k,b]], and Node's global fetch
// all arrive as `Impersonate-Group: a, b`; node:http with {k: [a, b]} arrives
// as two lines. The same holds for responses: res.headersDistinct.warning
// keeps each Warning line.
//
// What comes from the KubeConfig, per request: kc.applyToHTTPSOptions() runs
// its authenticators (token, token file, exec plugin, OIDC), so a rotated or
// refreshed token is used on the next request, and gives the CA, the client
// certificate and key, tls-server-name and insecure-skip-tls-verify. The agent
// client-node caches for those options does not keep connections alive (each
// request would pay a TLS handshake), so this transport keeps its own
// keep-alive agent, rebuilt when the TLS material changes (a rotated client
// certificate). A cluster with proxy-url keeps client-node's proxy agent.
// Sharing connections between people is safe: impersonation is per request.
//
// Header values go out as latin1 bytes (Node's rule): a value is given as the
// latin1 reading of its UTF-8 bytes, so a user named "jürgen" reaches the API
// server (which reads header bytes as UTF-8) as "jürgen".
import { createHash } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { errorFromStatus, KubeApiError, parseStatusBody } from "./api-error.ts";
import { REASONS } from "./client-node-list-watch.ts";
import { asRecord } from "../json.ts";

/** No single call may hang a page or a reconcile: the API server answers in well under this (watches excepted). */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface KubeRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The API path, e.g. `/apis/hostgate.dev/v1alpha1/namespaces/a/domainroutes`. */
  path: string;
  query?: URLSearchParams;
  /** Added to the kubeconfig's (an array value is sent as one header line per element). */
  headers?: Record<string, string | string[]>;
  /** Sent as JSON. */
  body?: unknown;
  /** Default application/json. */
  contentType?: string;
  signal?: AbortSignal;
}

export interface KubeResponse {
  status: number;
  body: string;
  /** The Warning header lines, each as sent (one character per byte). */
  warningLines: string[];
}

export interface RequestHandlers {
  onResponse(response: http.IncomingMessage): void;
  /** No response: a network failure (status 0 NetworkError), the credentials could not be made (ClientError), or the signal aborted. */
  onError(error: KubeApiError): void;
}

export interface KubeHttpsOptions {
  /** Default REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /** Default `hostgate`; the API server records it as the writer when no fieldManager is given. */
  userAgent?: string;
  /** How long after its timeoutSeconds an unclosed watch is given up on; default WATCH_GRACE_MS (http-watch.ts). */
  watchGraceMs?: number;
}

export class KubeHttps {
  /** The API server URL without a trailing slash (it may carry a path prefix, as behind Rancher). */
  readonly server: string;
  readonly watchGraceMs: number | undefined;
  readonly #config: KubeConfig;
  readonly #secure: boolean;
  readonly #proxied: boolean;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  #agent: { fingerprint: string; agent: http.Agent } | undefined;

  /** @throws Error when the kubeconfig has no current cluster, or a plain-http server without insecure-skip-tls-verify. */
  constructor(config: KubeConfig, options: KubeHttpsOptions = {}) {
    const cluster = config.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster; set current-context to a context naming a cluster");
    this.server = cluster.server.replace(/\/+$/, "");
    this.#secure = !this.server.startsWith("http:");
    if (!this.#secure && cluster.skipTLSVerify !== true)
      throw new Error(`the kubeconfig's server ${this.server} is plain http; use https, or set insecure-skip-tls-verify: true for a test server`);
    this.#proxied = cluster.proxyUrl !== undefined && cluster.proxyUrl !== "";
    this.#config = config;
    this.#timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#userAgent = options.userAgent ?? "hostgate";
    this.watchGraceMs = options.watchGraceMs;
  }

  /** One request answered in full (within the request timeout). @throws KubeApiError status 0 when no whole answer came */
  send(request: KubeRequest): Promise<KubeResponse> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = request.signal === undefined ? timeout : AbortSignal.any([request.signal, timeout]);
    return new Promise((resolve, reject) => {
      this.start(
        { ...request, signal },
        {
          onResponse: (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => (body += chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body, warningLines: response.headersDistinct.warning ?? [] }));
            response.on("error", (error) => reject(this.#failure(error, signal, timeout)));
          },
          onError: reject,
        },
        timeout,
      );
    });
  }

  /**
   * Starts a request and hands over the response as a stream (a watch).
   * Returns abort(): after it, no handler is called.
   */
  start(request: KubeRequest, handlers: RequestHandlers, timeout?: AbortSignal): { abort(): void } {
    const controller = new AbortController();
    const signal = request.signal === undefined ? controller.signal : AbortSignal.any([request.signal, controller.signal]);
    let aborted = false;
    const onError = (error: KubeApiError): void => {
      if (!aborted) handlers.onError(error);
    };
    this.#connection().then(
      ({ headers, agent, auth }) => {
        if (aborted) return;
        if (signal.aborted) return onError(this.#failure(signal.reason, signal, timeout));
        const body = request.body === undefined ? undefined : JSON.stringify(request.body);
        const url = `${this.server}${request.path}${request.query !== undefined && request.query.size > 0 ? `?${request.query}` : ""}`;
        const send = this.#secure ? https.request : http.request;
        const req = send(url, {
          method: request.method,
          agent,
          signal,
          ...(auth === undefined ? {} : { auth }),
          headers: {
            ...headers,
            Accept: "application/json",
            "User-Agent": this.#userAgent,
            // A length, not chunking: Node sends a DELETE's body neither chunked nor sized unless told.
            ...(body === undefined ? {} : { "Content-Type": request.contentType ?? "application/json", "Content-Length": Buffer.byteLength(body) }),
            ...request.headers,
          },
        });
        req.on("response", (response) => {
          if (!aborted) handlers.onResponse(response);
        });
        req.on("error", (error) => onError(this.#failure(error, signal, timeout)));
        req.end(body);
      },
      (error: unknown) => onError(new KubeApiError(`cannot make the kubeconfig's credentials: ${messageOf(error)}`, 0, "ClientError", { cause: error })),
    );
    return {
      abort: () => {
        aborted = true;
        controller.abort();
      },
    };
  }

  /** The kubeconfig's headers (fresh credentials) and the agent for its TLS material. */
  async #connection(): Promise<{ headers: http.OutgoingHttpHeaders; agent: http.Agent; auth?: string }> {
    const options: https.RequestOptions = {};
    await this.#config.applyToHTTPSOptions(options);
    const headers = { ...(options.headers as http.OutgoingHttpHeaders | undefined) };
    const auth = typeof options.auth === "string" ? options.auth : undefined;
    if (this.#proxied) return { headers, agent: options.agent as http.Agent, auth };
    const tls = {
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
      servername: options.servername,
      rejectUnauthorized: options.rejectUnauthorized,
    };
    const fingerprint = fingerprintOf(tls);
    if (this.#agent?.fingerprint !== fingerprint) {
      const keepAlive = { keepAlive: true, scheduling: "lifo" as const };
      const defined = Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined));
      // The replaced agent is not destroyed: watches may still stream on it; its idle sockets close when the server drops them.
      this.#agent = { fingerprint, agent: this.#secure ? new https.Agent({ ...keepAlive, ...defined }) : new http.Agent(keepAlive) };
    }
    return { headers, agent: this.#agent.agent, auth };
  }

  /** A request that got no (whole) answer, as a status-0 KubeApiError: why, and where it tried. */
  #failure(error: unknown, signal: AbortSignal, timeout: AbortSignal | undefined): KubeApiError {
    if (error instanceof KubeApiError) return error;
    if (timeout?.aborted === true) return new KubeApiError(`no answer from ${this.server} within ${this.#timeoutMs} ms`, 0, "Timeout", { cause: error });
    if (signal.aborted) return new KubeApiError("aborted", 0, "Aborted", { cause: error });
    const e = asRecord(error);
    const code = typeof e?.code === "string" ? e.code : undefined;
    if (code !== undefined && TLS_VERIFY_CODE.test(code))
      return new KubeApiError(
        `the API server at ${this.server} did not prove its identity: ${code} (${messageOf(error)}); check the kubeconfig cluster's certificate-authority and tls-server-name`,
        0,
        "NetworkError",
        { cause: error },
      );
    if (code !== undefined)
      return new KubeApiError(`cannot reach the API server at ${this.server}: ${code} (${messageOf(error)})`, 0, "NetworkError", { cause: error });
    return new KubeApiError(`request to ${this.server} failed: ${messageOf(error)}`, 0, "NetworkError", { cause: error });
  }
}

/**
 * The KubeApiError an error answer stands for: the metav1.Status body's
 * reason, message and causes under the HTTP status, or the bare HTTP status
 * when the body is no Status (a proxy's error page).
 */
export function errorFromResponse(status: number, body: string): KubeApiError {
  const parsed = parseStatusBody(body);
  if (asRecord(parsed)?.kind === "Status") {
    const s = errorFromStatus(parsed, status);
    if (s.status === status) return s;
    return new KubeApiError(`${status} ${s.reason}: ${s.statusMessage}`, status, s.reason, { causes: s.causes, statusMessage: s.statusMessage });
  }
  const reason = REASONS[status] ?? "Unknown";
  return new KubeApiError(`${status} ${reason} (the response carries no Status)`, status, reason);
}

/** OpenSSL's and Node's codes for a server certificate that does not verify. */
const TLS_VERIFY_CODE = /^(UNABLE_TO_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_CERT_|HOSTNAME_MISMATCH)/;

function fingerprintOf(tls: Record<string, unknown>): string {
  const hash = createHash("sha256");
  for (const [name, value] of Object.entries(tls)) {
    hash.update(`${name}=`);
    if (value === undefined) hash.update("-");
    else if (Buffer.isBuffer(value) || typeof value === "string") hash.update(value);
    else hash.update(JSON.stringify(value));
    hash.update("\n");
  }
  return hash.digest("hex");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
