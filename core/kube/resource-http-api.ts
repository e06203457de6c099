// The KubeApi port over kube-https.ts: every call of ObjectApi and
// ListWatchClient as one plain API request, with fixed extra headers (the
// impersonation headers of one person). The API server's answer is returned
// as sent (JSON, no typed models), its failures as KubeApiErrors keeping the
// Status's reason, message and causes, and its Warning headers go to the
// caller's onWarning, in order, whether the write succeeded or not (a refused
// dry run can carry warnings too).
import { KubeApiError, withContext } from "./api-error.ts";
import { pageOf } from "./client-node-list-watch.ts";
import { watchOverHttp } from "./http-watch.ts";
import { errorFromResponse } from "./kube-https.ts";
import type { KubeHttps, KubeRequest } from "./kube-https.ts";
import type { ListPage, ListRequest, WatchCallbacks, WatchHandle, WatchRequest } from "./list-watch-client.ts";
import type { ApplyOptions, DeleteOptions, DeletePreconditions, KubeApi, WriteOptions } from "./object-api.ts";
import type { KubeObject, ObjectKey } from "./object-key.ts";
import { formatKey } from "./object-key.ts";
import { collectionPath, keyFor, objectPath } from "./object-path.ts";
import type { ResourceRef } from "./resource.ts";
import { apiVersionOf, describeResource, resourcePath } from "./resource.ts";
import { warningTexts } from "./warning-header.ts";

export class ResourceHttpApi implements KubeApi {
  readonly #http: KubeHttps;
  readonly #headers: Record<string, string | string[]>;
  readonly #who: string;

  /** `who` names the caller in error messages and describe(), e.g. `as jane`. */
  constructor(http: KubeHttps, headers: Record<string, string | string[]>, who: string) {
    this.#http = http;
    this.#headers = headers;
    this.#who = who;
  }

  describe(): string {
    return `${this.#http.server} ${this.#who}`;
  }

  async get(resource: ResourceRef, key: ObjectKey): Promise<KubeObject | undefined> {
    try {
      return await this.#call("GET", resource, key, { method: "GET", path: objectPath(resource, key) });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  create(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    const key = keyFor(resource, object);
    const request: KubeRequest = { method: "POST", path: collectionPath(resource, key), query: writeQuery(options), body: stamped(resource, object, key) };
    return this.#call("POST", resource, key, request, options?.onWarning);
  }

  apply(resource: ResourceRef, object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const key = keyFor(resource, object);
    const query = writeQuery({ fieldValidation: options.fieldValidation, fieldManager: options.fieldManager });
    if (options.force) query.set("force", "true");
    // JSON is YAML: the apply patch needs no YAML writer.
    const body = stamped(resource, object, key);
    return this.#call("PATCH", resource, key, { method: "PATCH", path: objectPath(resource, key), query, body, contentType: "application/apply-patch+yaml" });
  }

  update(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    const key = keyFor(resource, object);
    const request: KubeRequest = { method: "PUT", path: objectPath(resource, key), query: writeQuery(options), body: stamped(resource, object, key) };
    return this.#call("PUT", resource, key, request, options?.onWarning);
  }

  updateStatus(resource: ResourceRef, object: KubeObject): Promise<KubeObject> {
    const key = keyFor(resource, object);
    return this.#call("PUT status", resource, key, { method: "PUT", path: `${objectPath(resource, key)}/status`, body: stamped(resource, object, key) });
  }

  async delete(resource: ResourceRef, key: ObjectKey, preconditions?: DeletePreconditions, options?: DeleteOptions): Promise<boolean> {
    const query = writeQuery({ dryRun: options?.dryRun });
    query.set("propagationPolicy", "Background");
    const body = preconditions === undefined ? undefined : { apiVersion: "v1", kind: "DeleteOptions", preconditions };
    try {
      await this.#call("DELETE", resource, key, { method: "DELETE", path: objectPath(resource, key), query, body }, options?.onWarning);
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  /** POST of an object that has no name of its own (a SelfSubjectAccessReview); the answer as sent. */
  post(resource: ResourceRef, object: KubeObject, what: string): Promise<KubeObject> {
    return this.#send(`POST ${describeResource(resource)} (${what})`, { method: "POST", path: resourcePath(resource), body: object });
  }

  async list(resource: ResourceRef, request: ListRequest): Promise<ListPage> {
    const query = new URLSearchParams({ limit: String(request.limit) });
    if (request.continue !== undefined) query.set("continue", request.continue);
    if (resource.labelSelector !== undefined) query.set("labelSelector", resource.labelSelector);
    const answer = await this.#http.send({ method: "GET", path: resourcePath(resource), query, headers: this.#headers, signal: request.signal });
    if (answer.status !== 200) throw errorFromResponse(answer.status, answer.body);
    return pageOf(parseJson(answer.status, answer.body), resource);
  }

  watch(resource: ResourceRef, request: WatchRequest, callbacks: WatchCallbacks): WatchHandle {
    return watchOverHttp(this.#http, this.#headers, resource, request, callbacks, this.#http.watchGraceMs);
  }

  /** One call on one object, named in any error as `VERB resource ns/name as who`. */
  #call(verb: string, resource: ResourceRef, key: ObjectKey, request: KubeRequest, onWarning?: (text: string) => void): Promise<KubeObject> {
    const what = `${verb} ${describeResource({ ...resource, labelSelector: undefined, namespace: undefined })} ${formatKey(key)}`;
    return this.#send(what, request, onWarning);
  }

  async #send(what: string, request: KubeRequest, onWarning?: (text: string) => void): Promise<KubeObject> {
    let answer: Awaited<ReturnType<KubeHttps["send"]>>;
    try {
      answer = await this.#http.send({ ...request, headers: { ...request.headers, ...this.#headers } });
    } catch (error) {
      throw error instanceof KubeApiError ? withContext(`${what} ${this.#who}`, error) : error;
    }
    if (onWarning !== undefined) for (const text of warningTexts(answer.warningLines)) onWarning(text);
    if (answer.status < 200 || answer.status > 299) throw withContext(`${what} ${this.#who}`, errorFromResponse(answer.status, answer.body));
    return parseJson(answer.status, answer.body) as KubeObject;
  }
}

/** dryRun, fieldValidation and fieldManager, in that order, each only when set. */
function writeQuery(options: { dryRun?: boolean; fieldValidation?: string; fieldManager?: string } | undefined): URLSearchParams {
  const query = new URLSearchParams();
  if (options?.dryRun === true) query.set("dryRun", "All");
  if (options?.fieldValidation !== undefined) query.set("fieldValidation", options.fieldValidation);
  if (options?.fieldManager !== undefined) query.set("fieldManager", options.fieldManager);
  return query;
}

/** The object with the resource's apiVersion and kind and the key's name and namespace (the API server refuses a body that disagrees with its URL). */
function stamped(resource: ResourceRef, object: KubeObject, key: ObjectKey): KubeObject {
  return { ...object, apiVersion: apiVersionOf(resource), kind: resource.kind, metadata: { ...(object.metadata ?? {}), ...key } };
}

function parseJson(status: number, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new KubeApiError(`the server answered ${status} with a body that is not JSON`, 502, "InvalidResponse");
  }
}
