// The ListWatchClient port on @kubernetes/client-node v2: lists through its
// generated API client (so kubeconfig auth, TLS and token refresh are its
// business) and watches through its Watch class. What this adapter adds:
//
// - Any resource. The generated list call is CustomObjectsApi's (it returns
//   the raw JSON, not typed models), and a per-request middleware points it
//   at the resource's real path, so the core group (`/api/v1/...`) and
//   namespace-scoped collections work too. The same middleware attaches the
//   abort signal, so stop() ends a list in flight.
// - Errors normalised to KubeApiError: an ApiException's body is the
//   metav1.Status (its reason and message), Watch's non-200 is an Error with
//   `statusCode`, and a failed connection is a status-0 NetworkError.
// - Watch's idle timer (30 s without a byte) aborts a quiet but healthy
//   stream with a TimeoutError; once connected, that is a normal end (resume
//   from the last resourceVersion), not a failure. A timeout before the
//   stream opened is a failure.
// - After abort() no callback fires, and Watch's own AbortError is swallowed.
import { ApiException, CustomObjectsApi, Observable, Watch } from "@kubernetes/client-node";
import type { KubeConfig, ObservableMiddleware, RequestContext, ResponseContext } from "@kubernetes/client-node";
import { errorFromStatus, KubeApiError, parseStatusBody } from "./api-error.ts";
import type { ListPage, ListRequest, ListWatchClient, WatchCallbacks, WatchHandle, WatchRequest } from "./list-watch-client.ts";
import type { KubeObject } from "./object-key.ts";
import type { ResourceRef } from "./resource.ts";
import { describeResource, resourcePath } from "./resource.ts";
import { asRecord } from "../json.ts";

export class ClientNodeListWatch implements ListWatchClient {
  readonly #server: string;
  readonly #api: CustomObjectsApi;
  readonly #watch: Watch;

  /** @throws Error when the kubeconfig has no current cluster (loadClusterConnection checks this first). */
  constructor(config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster; set current-context to a context naming a cluster");
    this.#server = cluster.server.replace(/\/+$/, "");
    this.#api = config.makeApiClient(CustomObjectsApi);
    this.#watch = new Watch(config);
  }

  describe(): string {
    return this.#server;
  }

  async list(resource: ResourceRef, request: ListRequest): Promise<ListPage> {
    const target = `${this.#server}${resourcePath(resource)}`;
    const middleware: ObservableMiddleware = {
      pre(context: RequestContext) {
        const url = new URL(target);
        url.search = new URL(context.getUrl()).search;
        context.setUrl(url.toString());
        context.setSignal(request.signal);
        return new Observable(Promise.resolve(context));
      },
      post(response: ResponseContext) {
        return new Observable(Promise.resolve(response));
      },
    };
    let body: unknown;
    try {
      body = await this.#api.listClusterCustomObject(
        // group/version/plural only fill the path the middleware replaces.
        {
          group: resource.group || "core",
          version: resource.version,
          plural: resource.resource,
          limit: request.limit,
          ...(request.continue === undefined ? {} : { _continue: request.continue }),
          ...(resource.labelSelector === undefined ? {} : { labelSelector: resource.labelSelector }),
        },
        { middleware: [middleware], middlewareMergeStrategy: "append" },
      );
    } catch (error) {
      throw toKubeApiError(error, this.#server);
    }
    return pageOf(body, resource);
  }

  watch(resource: ResourceRef, request: WatchRequest, callbacks: WatchCallbacks): WatchHandle {
    let controller: AbortController | undefined;
    let aborted = false;
    let ended = false;
    let connected = false;
    const server = this.#server;
    const end = (error?: KubeApiError): void => {
      if (aborted || ended) return;
      ended = true;
      callbacks.onEnd(error);
    };
    const done = (error: unknown): void => {
      // No error, or a timeout once connected (the watch's normal end): a clean end.
      if (error === null || error === undefined || (connected && isTimeout(error))) end();
      else end(toKubeApiError(error, server));
    };
    const query = {
      resourceVersion: request.resourceVersion,
      allowWatchBookmarks: request.allowWatchBookmarks,
      timeoutSeconds: request.timeoutSeconds,
      ...(resource.labelSelector === undefined ? {} : { labelSelector: resource.labelSelector }),
    };
    this.#watch
      .watch(
        resourcePath(resource),
        query,
        (type: string, object: unknown) => {
          if (!aborted && !ended) callbacks.onEvent({ type, object });
        },
        done,
      )
      .then(
        (c) => {
          controller = c;
          // Watch resolves once the response started; done() already ran if it failed.
          if (!ended) connected = true;
          if (aborted) c.abort();
        },
        (error: unknown) => end(toKubeApiError(error, server)),
      );
    return {
      abort: () => {
        aborted = true;
        controller?.abort();
      },
    };
  }
}

/** The items, version and continue token of a list response, checked. */
export function pageOf(body: unknown, resource: ResourceRef): ListPage {
  const list = asRecord(body);
  const metadata = asRecord(list?.metadata);
  if (list === undefined || !Array.isArray(list.items) || typeof metadata?.resourceVersion !== "string") {
    throw new KubeApiError(
      `the list of ${describeResource(resource)} is not a list (no items or metadata.resourceVersion); is the server a Kubernetes API server?`,
      500,
      "InvalidList",
    );
  }
  const token = metadata.continue;
  return {
    items: list.items as KubeObject[],
    resourceVersion: metadata.resourceVersion,
    ...(typeof token === "string" && token !== "" ? { continue: token } : {}),
  };
}

export const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  410: "Expired",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

function isTimeout(error: unknown): boolean {
  return asRecord(error)?.name === "TimeoutError";
}

/**
 * Whatever client-node or fetch threw, as a KubeApiError. Messages say what
 * the server or the network said; the caller adds which operation failed.
 */
export function toKubeApiError(error: unknown, server: string): KubeApiError {
  if (error instanceof KubeApiError) return error;
  if (error instanceof ApiException) {
    const status = parseStatusBody(error.body);
    if (asRecord(status)?.kind === "Status") {
      const fromStatus = errorFromStatus(status, error.code);
      return new KubeApiError(fromStatus.message, error.code, fromStatus.reason, {
        cause: error,
        causes: fromStatus.causes,
        statusMessage: fromStatus.statusMessage,
      });
    }
    const reason = REASONS[error.code] ?? "Unknown";
    return new KubeApiError(`${error.code} ${reason} (the response carries no Status)`, error.code, reason, { cause: error });
  }
  const e = asRecord(error);
  if (typeof e?.statusCode === "number") {
    const reason = REASONS[e.statusCode] ?? "Unknown";
    return new KubeApiError(`${e.statusCode} ${reason}`, e.statusCode, reason, { cause: error });
  }
  if (isTimeout(error)) return new KubeApiError(`no answer from ${server} within the client's timeout`, 0, "Timeout", { cause: error });
  if (e?.name === "AbortError") return new KubeApiError("aborted", 0, "Aborted", { cause: error });
  // fetch reports connection failures as TypeError("fetch failed") with the socket error as cause.
  const cause = asRecord(e?.cause);
  if (typeof cause?.code === "string") {
    return new KubeApiError(
      `cannot reach the API server at ${server}: ${cause.code}${typeof cause.message === "string" ? ` (${cause.message})` : ""}`,
      0,
      "NetworkError",
      { cause: error },
    );
  }
  // Anything else failed on this side: credentials (an exec plugin, an unreadable token file), TLS set-up.
  return new KubeApiError(error instanceof Error ? error.message : String(error), 0, "ClientError", { cause: error });
}
