// The ObjectApi port over the Kubernetes REST API: plain HTTPS requests with
// the kubeconfig's credentials (client-node's KubeConfig fills in the CA,
// client certificate, bearer token or exec plugin), one path per verb. Its
// list and watch come from ClientNodeListWatch: together they are the KubeApi
// a controller runs on.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { errorFromStatus, KubeApiError, parseStatusBody } from "./api-error.ts";
import { ClientNodeListWatch } from "./client-node-list-watch.ts";
import type { ListPage, ListRequest, WatchCallbacks, WatchHandle, WatchRequest } from "./list-watch-client.ts";
import type { DeletePreconditions, KubeApi, ObjectApi, WriteOptions } from "./object-api.ts";
import type { KubeObject, ObjectKey } from "./object-key.ts";
import type { ResourceRef } from "./resource.ts";
import { describeResource, resourcePath } from "./resource.ts";
import { asRecord } from "../json.ts";

/** No single call may hang a reconcile: the API server answers writes in well under this. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Bigger answers are refused rather than buffered (an object is at most 1.5 MiB in etcd). */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export class HttpObjectApi implements ObjectApi {
  readonly #config: KubeConfig;
  readonly #server: URL;

  constructor(config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster; set current-context to a context naming a cluster");
    this.#config = config;
    this.#server = new URL(cluster.server.replace(/\/+$/, ""));
  }

  async get(resource: ResourceRef, key: ObjectKey): Promise<KubeObject | undefined> {
    try {
      return await this.#call("GET", objectPath(resource, key), resource, key);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  create(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    const key = keyFor(resource, object);
    return this.#call("POST", `${collectionPath(resource, key)}${fieldManagerQuery(options)}`, resource, key, { body: JSON.stringify(object) });
  }

  update(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    const key = keyFor(resource, object);
    return this.#call("PUT", `${objectPath(resource, key)}${fieldManagerQuery(options)}`, resource, key, { body: JSON.stringify(object) });
  }

  updateStatus(resource: ResourceRef, object: KubeObject): Promise<KubeObject> {
    const key = keyFor(resource, object);
    return this.#call("PUT", `${objectPath(resource, key)}/status`, resource, key, { body: JSON.stringify(object) });
  }

  async delete(resource: ResourceRef, key: ObjectKey, preconditions?: DeletePreconditions): Promise<boolean> {
    const body = { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background", ...(preconditions === undefined ? {} : { preconditions }) };
    try {
      await this.#call("DELETE", objectPath(resource, key), resource, key, { body: JSON.stringify(body) });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  async #call(method: string, path: string, resource: ResourceRef, key: ObjectKey, options: { body?: string } = {}): Promise<KubeObject> {
    const url = new URL(`${this.#server.pathname.replace(/\/$/, "")}${path}`, this.#server);
    const requestOptions: RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port,
      path: `${url.pathname}${url.search}`,
      headers: { accept: "application/json", ...(options.body === undefined ? {} : { "content-type": "application/json", "content-length": String(Buffer.byteLength(options.body)) }) },
      timeout: REQUEST_TIMEOUT_MS,
    };
    const what = `${method} ${describeResource({ ...resource, labelSelector: undefined })} ${key.namespace === undefined ? key.name : `${key.namespace}/${key.name}`}`;
    try {
      await this.#config.applyToHTTPSOptions(requestOptions);
    } catch (error) {
      throw new KubeApiError(`${what}: the kubeconfig's credentials could not be loaded: ${error instanceof Error ? error.message : String(error)}`, 0, "ClientError", { cause: error });
    }
    const { status, text } = await send(url.protocol, requestOptions, options.body, what);
    const parsed = parseStatusBody(text);
    if (status >= 200 && status < 300) {
      const object = asRecord(parsed);
      if (object === undefined) throw new KubeApiError(`${what}: the server answered ${status} with a body that is not a JSON object`, 502, "InvalidResponse");
      return object as KubeObject;
    }
    const error = asRecord(parsed)?.kind === "Status" ? errorFromStatus(parsed, status) : new KubeApiError(`${status} (the response carries no Status)`, status, "Unknown");
    throw new KubeApiError(`${what}: ${error.message}`, error.status, error.reason);
  }
}

/** The KubeApi of a cluster: reads and writes over REST, lists and watches through client-node. */
export function clusterApi(config: KubeConfig): KubeApi {
  const writes = new HttpObjectApi(config);
  const reads = new ClientNodeListWatch(config);
  return {
    describe: () => reads.describe(),
    list: (resource: ResourceRef, request: ListRequest): Promise<ListPage> => reads.list(resource, request),
    watch: (resource: ResourceRef, request: WatchRequest, callbacks: WatchCallbacks): WatchHandle => reads.watch(resource, request, callbacks),
    get: (resource, key) => writes.get(resource, key),
    create: (resource, object, options) => writes.create(resource, object, options),
    update: (resource, object, options) => writes.update(resource, object, options),
    updateStatus: (resource, object) => writes.updateStatus(resource, object),
    delete: (resource, key, preconditions) => writes.delete(resource, key, preconditions),
  };
}

/** `?fieldManager=...` when the write names its manager, else nothing. */
function fieldManagerQuery(options: WriteOptions | undefined): string {
  return options?.fieldManager === undefined ? "" : `?fieldManager=${encodeURIComponent(options.fieldManager)}`;
}

function send(protocol: string, options: RequestOptions, body: string | undefined, what: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (protocol === "http:" ? httpRequest : httpsRequest)(options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          request.destroy(new KubeApiError(`${what}: the answer exceeds ${MAX_RESPONSE_BYTES} bytes`, 502, "InvalidResponse"));
          return;
        }
        chunks.push(chunk);
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", (error) => reject(networkError(error, what)));
    });
    request.on("timeout", () => request.destroy(new KubeApiError(`${what}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`, 0, "Timeout")));
    request.on("error", (error) => reject(networkError(error, what)));
    request.end(body);
  });
}

function networkError(error: unknown, what: string): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const code = asRecord(error)?.code;
  return new KubeApiError(`${what}: cannot reach the API server${typeof code === "string" ? `: ${code}` : ""} (${error instanceof Error ? error.message : String(error)})`, 0, "NetworkError", { cause: error });
}

function keyFor(resource: ResourceRef, object: KubeObject): ObjectKey {
  const name = object.metadata?.name;
  if (typeof name !== "string" || name === "") throw new KubeApiError(`${describeResource(resource)}: the object has no metadata.name`, 422, "Invalid");
  const namespace = object.metadata?.namespace ?? resource.namespace;
  return resource.namespaced && namespace !== undefined ? { namespace, name } : { name };
}

function collectionPath(resource: ResourceRef, key: ObjectKey): string {
  return resourcePath({ ...resource, namespace: resource.namespaced ? key.namespace : undefined });
}

function objectPath(resource: ResourceRef, key: ObjectKey): string {
  return `${collectionPath(resource, key)}/${encodeURIComponent(key.name)}`;
}
