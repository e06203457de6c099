// A complete, consistent list of a collection, one page at a time. Pages
// after the first continue the first page's snapshot, so together they are
// one list at one resourceVersion. A continue token the server no longer
// knows (410 Expired, typically after 5–15 minutes) cannot be resumed
// consistently: the list starts over from the first page.
import { isExpired, KubeApiError } from "./api-error.ts";
import type { ListPage, ListWatchClient } from "./list-watch-client.ts";
import type { KubeObject } from "./object-key.ts";
import type { ResourceRef } from "./resource.ts";
import { describeResource } from "./resource.ts";

export interface ListPagesOptions {
  limit: number;
  signal: AbortSignal;
  /** Restarts after an expired continue token before giving up (the caller then backs off). */
  maxRestarts: number;
  /** Receives each page's items as it arrives, so the caller can shrink them before the next page. */
  onPage(items: readonly KubeObject[]): void;
  /** The list starts over: forget every item received so far. */
  onRestart(error: KubeApiError): void;
}

export interface ListResult {
  /** The snapshot's resourceVersion: a watch from here misses nothing. */
  resourceVersion: string;
  pages: number;
}

/**
 * @throws KubeApiError when a page fails (other than an expired continue
 *   token within maxRestarts), when the stop signal fired, or when the
 *   server's list carries no resourceVersion to watch from.
 */
export async function listAllPages(client: ListWatchClient, resource: ResourceRef, options: ListPagesOptions): Promise<ListResult> {
  let token: string | undefined;
  let pages = 0;
  let restarts = 0;
  for (;;) {
    if (options.signal.aborted) throw new KubeApiError(`list of ${describeResource(resource)} stopped`, 0, "Stopped");
    let page: ListPage;
    try {
      page = await untilAborted(
        client.list(resource, { limit: options.limit, signal: options.signal, ...(token === undefined ? {} : { continue: token }) }),
        options.signal,
        resource,
      );
    } catch (error) {
      if (token !== undefined && isExpired(error) && restarts < options.maxRestarts) {
        restarts++;
        token = undefined;
        pages = 0;
        options.onRestart(error as KubeApiError);
        continue;
      }
      throw error;
    }
    pages++;
    options.onPage(Array.isArray(page.items) ? page.items : []);
    if (page.continue !== undefined && page.continue !== "") {
      token = page.continue;
      continue;
    }
    if (typeof page.resourceVersion !== "string" || page.resourceVersion === "") {
      throw new KubeApiError(
        `the list of ${describeResource(resource)} carries no metadata.resourceVersion, so no watch can start from it`,
        500,
        "InvalidList",
      );
    }
    return { resourceVersion: page.resourceVersion, pages };
  }
}

/**
 * The request's result, or a rejection as soon as the signal fires: a client
 * that ignores the signal must not keep a stopping reflector waiting.
 */
function untilAborted<T>(request: Promise<T>, signal: AbortSignal, resource: ResourceRef): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new KubeApiError(`list of ${describeResource(resource)} stopped`, 0, "Stopped"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    request.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
