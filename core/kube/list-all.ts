// A whole collection in one array, at one resourceVersion (list-pages.ts
// pages through it), each item stamped with its apiVersion and kind: list
// items may come without them, and callers judge or send back whole objects
// (the self-service page, `hostgate check|audit|diff --kubeconfig`).
import { listAllPages } from "./list-pages.ts";
import type { ListPage, ListWatchClient } from "./list-watch-client.ts";
import type { KubeObject } from "./object-key.ts";
import type { ResourceRef } from "./resource.ts";
import { apiVersionOf } from "./resource.ts";

/** Items per page (client-go's pager default): a namespace's routes, or every HostnameGrant, is usually one page. */
const PAGE_SIZE = 500;

/** @throws KubeApiError */
export async function listAll(client: ListWatchClient, resource: ResourceRef, signal: AbortSignal = new AbortController().signal): Promise<ListPage> {
  const items: KubeObject[] = [];
  const { resourceVersion } = await listAllPages(client, resource, {
    limit: PAGE_SIZE,
    signal,
    maxRestarts: 3,
    onPage: (page) => items.push(...page),
    onRestart: () => items.splice(0),
  });
  const stamp = { apiVersion: apiVersionOf(resource), kind: resource.kind };
  return { items: items.map((item) => ({ ...stamp, ...item })), resourceVersion };
}
