// An API server that serves a resource only at the versions its CRD was
// installed with, in front of the in-memory one (fake-list-watch.ts, which
// ignores versions): a list or watch at a version not served is 404, as the
// real one answers for a CRD version it does not serve or a CRD that is not
// installed. Resources never installed are not served at all. Each list is
// recorded as `resource/version`, so tests can tell which version was read.
import { KubeApiError } from "../api-error.ts";
import type { ListPage, ListRequest, ListWatchClient, WatchCallbacks, WatchHandle, WatchRequest } from "../list-watch-client.ts";
import type { ResourceRef } from "../resource.ts";
import { resourceName } from "../resource.ts";

function notFound(): KubeApiError {
  return new KubeApiError("404 NotFound: the server could not find the requested resource", 404, "NotFound");
}

export class ServedVersionsClient implements ListWatchClient {
  /** `httproutes.gateway.networking.k8s.io/v1`, one per list call, 404s included. */
  readonly lists: string[] = [];
  readonly #inner: ListWatchClient;
  readonly #served = new Map<string, Set<string>>();

  constructor(inner: ListWatchClient) {
    this.#inner = inner;
  }

  /** Serves `resource` (its group and plural) at these versions too, as installing or upgrading its CRD does. */
  install(resource: Pick<ResourceRef, "group" | "resource">, ...versions: string[]): this {
    const name = resourceName(resource);
    const served = this.#served.get(name) ?? new Set<string>();
    for (const version of versions) served.add(version);
    this.#served.set(name, served);
    return this;
  }

  describe(): string {
    return this.#inner.describe();
  }

  list(resource: ResourceRef, request: ListRequest): Promise<ListPage> {
    this.lists.push(`${resourceName(resource)}/${resource.version}`);
    if (!this.#serves(resource)) return Promise.reject(notFound());
    return this.#inner.list(resource, request);
  }

  watch(resource: ResourceRef, request: WatchRequest, callbacks: WatchCallbacks): WatchHandle {
    if (this.#serves(resource)) return this.#inner.watch(resource, request, callbacks);
    // As a real watch stream fails: asynchronously, through onEnd.
    let open = true;
    queueMicrotask(() => {
      if (open) callbacks.onEnd(notFound());
    });
    return { abort: () => (open = false) };
  }

  #serves(resource: ResourceRef): boolean {
    return this.#served.get(resourceName(resource))?.has(resource.version) ?? false;
  }
}
