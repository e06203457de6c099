// A whole collection in one array, at one resourceVersion (list-pages.ts
// pages through it), each item stamped with its apiVersion and kind: list
// items may come without them, and the page sends an object back to update it.
import { listAllPages } from "../../core/kube/list-pages.ts";
import type { ListPage, ListWatchClient } from "../../core/kube/list-watch-client.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { apiVersionOf } from "../../core/kube/resource.ts";

/** Items per page: a namespace's routes, or every HostnameGrant, is usually one page. */
const PAGE_SIZE = 500;

/** @throws KubeApiError */
export async function listAll(client: ListWatchClient, resource: ResourceRef): Promise<ListPage> {
  const items: KubeObject[] = [];
  const { resourceVersion } = await listAllPages(client, resource, {
    limit: PAGE_SIZE,
    signal: new AbortController().signal,
    maxRestarts: 3,
    onPage: (page) => items.push(...page),
    onRestart: () => items.splice(0),
  });
  const stamp = { apiVersion: apiVersionOf(resource), kind: resource.kind };
  return { items: items.map((item) => ({ ...stamp, ...item })), resourceVersion };
}
