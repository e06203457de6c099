// The ObjectApi port on @kubernetes/client-node v2's KubernetesObjectApi:
// kubeconfig auth, TLS, token refresh and the HTTP client are client-node's;
// create, read, replace, server-side apply (patch with PatchStrategy
// ServerSideApply, force and fieldManager in the query) and delete (with
// V1DeleteOptions.preconditions) are its generic object calls. What this
// adapter adds, in a subclass, since KubernetesObjectApi would otherwise:
//
// - ask discovery (GET /apis/G/V) for each group version before the first
//   call, and build the path from the answer: here the path is the
//   ResourceRef's (the resource RBAC grants), seeded into its discovery cache,
//   so one call is one request;
// - turn the answer into client-node's typed models (timestamps become Date,
//   a Lease's MicroTime loses its microseconds): here the answer is the
//   server's JSON as sent, as every caller of the port expects;
// - have no call for the status subresource: replaceStatus builds the PUT
//   .../status through the same generic request path;
// - take no fieldValidation: withFieldValidation gives create, patch and
//   replace a configuration whose requests carry it in the query.
//
// WriteOptions.dryRun and DeleteOptions.dryRun are client-node's own dryRun
// argument ("All"). onWarning is not supported here: client-node reads the
// Warning headers only in a ResponseContext that its shared middleware sees
// without knowing which call it belongs to (the per-call configuration's
// middleware is not run), so no warning could be routed to its caller. The
// portal, which shows warnings, uses impersonated-http.ts, which has them.
//
// Errors: one mapping, toKubeApiError (an ApiException's code and metav1.Status
// body; network and credential failures as status 0), prefixed with the call.
import { ApiException, HttpMethod, KubernetesObjectApi, Observable, PatchStrategy } from "@kubernetes/client-node";
import type { Configuration, KubeConfig, KubernetesObject, RequestContext, ResponseContext, V1DeleteOptions } from "@kubernetes/client-node";
import { KubeApiError, withContext } from "./api-error.ts";
import { ClientNodeListWatch, toKubeApiError } from "./client-node-list-watch.ts";
import type { ListPage, ListRequest, WatchCallbacks, WatchHandle, WatchRequest } from "./list-watch-client.ts";
import type { ApplyOptions, DeleteOptions, DeletePreconditions, FieldValidation, KubeApi, ObjectApi, WriteOptions } from "./object-api.ts";
import type { KubeObject, ObjectKey } from "./object-key.ts";
import { formatKey } from "./object-key.ts";
import { keyFor } from "./object-path.ts";
import type { ResourceRef } from "./resource.ts";
import { apiVersionOf, describeResource } from "./resource.ts";

/** No single call may hang a reconcile: the API server answers writes in well under this. */
const REQUEST_TIMEOUT_MS = 30_000;

/** KubernetesObjectApi with paths from ResourceRefs, raw JSON answers and the status subresource. */
class ResourceObjectApi extends KubernetesObjectApi {
  constructor(configuration: Configuration) {
    super(configuration);
    configuration.middleware.push({
      pre: (context: RequestContext) => {
        context.setSignal(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
        return new Observable(Promise.resolve(context));
      },
      post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
    });
  }

  /** Makes `resource`'s path known, so that no call asks discovery for it. */
  know(resource: ResourceRef): void {
    const apiVersion = apiVersionOf(resource);
    let list = this.apiVersionResourceCache[apiVersion];
    if (list === undefined) {
      list = { groupVersion: apiVersion, resources: [] };
      this.apiVersionResourceCache[apiVersion] = list;
    }
    if (list.resources.some((r) => r.kind === resource.kind)) return;
    list.resources.push({ kind: resource.kind, name: resource.resource, namespaced: resource.namespaced, singularName: "", verbs: [] });
  }

  /**
   * The configuration of one create, patch or replace sending `fieldValidation`
   * (client-node's calls have no parameter for it, but build their request
   * from the configuration they are given); undefined (their own) when unset.
   */
  withFieldValidation(fieldValidation: FieldValidation | undefined): Configuration | undefined {
    if (fieldValidation === undefined) return undefined;
    const base = this.configuration.baseServer;
    const baseServer = {
      makeRequestContext: (endpoint: string, method: HttpMethod): RequestContext => {
        const context = base.makeRequestContext(endpoint, method);
        context.setQueryParam("fieldValidation", fieldValidation);
        return context;
      },
    };
    return { ...this.configuration, baseServer };
  }

  /** PUT of the status subresource (KubernetesObjectApi has no call for it). */
  async replaceStatus(spec: KubernetesObject): Promise<KubernetesObject> {
    const path = `${await this.specUriPath(spec, "replace")}/status`;
    const context = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PUT);
    context.setHeaderParam("Accept", "application/json");
    context.setHeaderParam("Content-Type", "application/json");
    context.setBody(JSON.stringify(spec));
    return this.requestPromise(context);
  }

  /** The server's JSON as sent (client-node would build typed models from it); a failure as the ApiException client-node throws. */
  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299)
      throw new ApiException(response.httpStatusCode, "Unsuccessful HTTP Request", text, response.headers);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new KubeApiError(`the server answered ${response.httpStatusCode} with a body that is not JSON`, 502, "InvalidResponse");
    }
  }
}

export class ClientNodeObjectApi implements ObjectApi {
  readonly #api: ResourceObjectApi;
  readonly #server: string;

  /** @throws Error when the kubeconfig has no current cluster. */
  constructor(config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster; set current-context to a context naming a cluster");
    this.#server = cluster.server.replace(/\/+$/, "");
    this.#api = config.makeApiClient(ResourceObjectApi);
  }

  async get(resource: ResourceRef, key: ObjectKey): Promise<KubeObject | undefined> {
    try {
      return await this.#call("GET", resource, key, (spec) => this.#api.read(spec as Parameters<ResourceObjectApi["read"]>[0]));
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  create(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    const configuration = this.#api.withFieldValidation(options?.fieldValidation);
    return this.#call(
      "POST",
      resource,
      keyFor(resource, object),
      (spec) => this.#api.create(spec, undefined, dryRun(options), options?.fieldManager, configuration),
      object,
    );
  }

  apply(resource: ResourceRef, object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const key = keyFor(resource, object);
    const configuration = this.#api.withFieldValidation(options.fieldValidation);
    return this.#call(
      "PATCH",
      resource,
      key,
      (spec) => this.#api.patch(spec, undefined, undefined, options.fieldManager, options.force, PatchStrategy.ServerSideApply, configuration),
      object,
    );
  }

  update(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    const configuration = this.#api.withFieldValidation(options?.fieldValidation);
    return this.#call(
      "PUT",
      resource,
      keyFor(resource, object),
      (spec) => this.#api.replace(spec, undefined, dryRun(options), options?.fieldManager, configuration),
      object,
    );
  }

  updateStatus(resource: ResourceRef, object: KubeObject): Promise<KubeObject> {
    return this.#call("PUT status", resource, keyFor(resource, object), (spec) => this.#api.replaceStatus(spec), object);
  }

  async delete(resource: ResourceRef, key: ObjectKey, preconditions?: DeletePreconditions, options?: DeleteOptions): Promise<boolean> {
    const body: V1DeleteOptions | undefined = preconditions === undefined ? undefined : { apiVersion: "v1", kind: "DeleteOptions", preconditions };
    try {
      await this.#call("DELETE", resource, key, (spec) => this.#api.delete(spec, undefined, dryRun(options), undefined, undefined, "Background", body));
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * Runs one client-node call on a copy of `object` (client-node fills in
   * defaults in place), or on the bare reference of `key`, and names the call
   * in any error.
   */
  async #call(
    verb: string,
    resource: ResourceRef,
    key: ObjectKey,
    send: (spec: KubernetesObject) => Promise<unknown>,
    object?: KubeObject,
  ): Promise<KubeObject> {
    this.#api.know(resource);
    const metadata = { ...(object?.metadata ?? {}), ...key };
    const spec = { ...(object ?? {}), apiVersion: apiVersionOf(resource), kind: resource.kind, metadata } as KubernetesObject;
    try {
      return (await send(spec)) as KubeObject;
    } catch (error) {
      const what = `${verb} ${describeResource({ ...resource, labelSelector: undefined, namespace: undefined })} ${formatKey(key)}`;
      throw withContext(what, toKubeApiError(error, this.#server), error);
    }
  }
}

/** The KubeApi of a cluster: reads and writes through KubernetesObjectApi, lists and watches through client-node's list and Watch. */
export function clusterApi(config: KubeConfig): KubeApi {
  const writes = new ClientNodeObjectApi(config);
  const reads = new ClientNodeListWatch(config);
  return {
    describe: () => reads.describe(),
    list: (resource: ResourceRef, request: ListRequest): Promise<ListPage> => reads.list(resource, request),
    watch: (resource: ResourceRef, request: WatchRequest, callbacks: WatchCallbacks): WatchHandle => reads.watch(resource, request, callbacks),
    get: (resource, key) => writes.get(resource, key),
    create: (resource, object, options) => writes.create(resource, object, options),
    apply: (resource, object, options) => writes.apply(resource, object, options),
    update: (resource, object, options) => writes.update(resource, object, options),
    updateStatus: (resource, object) => writes.updateStatus(resource, object),
    delete: (resource, key, preconditions, options) => writes.delete(resource, key, preconditions, options),
  };
}

/** client-node's dryRun argument: "All" (the only value the API server accepts), or unset. */
function dryRun(options: { dryRun?: boolean } | undefined): string | undefined {
  return options?.dryRun === true ? "All" : undefined;
}
