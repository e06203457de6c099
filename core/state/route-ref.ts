// A DomainRoute as the index stores it and CEL reads it: only the fields
// uniqueness checks need, not the whole object.
import type { CelInputValue } from "../objects/cel-input.ts";
import { detached, normalizeHostname, recordAt, stringAt } from "./fields.ts";

/** CEL `RouteRef`: {namespace, name, uid, domain, lb, appId}. */
export type RouteValue = ReadonlyMap<string, CelInputValue>;

export interface RouteEntry {
  /** `namespace/name`: the identity upsert and remove match on. */
  key: string;
  namespace: string;
  name: string;
  uid: string;
  /** Normalized domain, "" when the route has none (then it is indexed under no domain). */
  domain: string;
  lb: string;
  /** "" when the route has no protection (then it is indexed under no appId). */
  appId: string;
  /**
   * True when the route has a deletionTimestamp. A Terminating route is held
   * (so upsert and remove still find it) but indexed under neither its
   * domain nor its appId: it is going away, and its spec can still be
   * edited meanwhile, so it must not keep another route from taking the
   * domain or appId, nor lock its owner out. The DomainClaim stays the
   * domain's atomic backstop until the reconciler releases it.
   */
  terminating: boolean;
  value: RouteValue;
}

/**
 * Namespace of a stored namespaced object. A manifest without one lands in
 * `default` when applied, so it is indexed there.
 */
export function namespaceOf(object: unknown): string {
  return stringAt(recordAt(object, "metadata"), "namespace") || "default";
}

export function routeKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The route's index entry, or undefined when it has no name. */
export function routeEntry(object: unknown): RouteEntry | undefined {
  const metadata = recordAt(object, "metadata");
  // Every string the index keeps is detached from the text it was parsed from.
  const name = detached(stringAt(metadata, "name"));
  if (name === "") return undefined;
  const namespace = detached(namespaceOf(object));
  const spec = recordAt(object, "spec");
  const uid = detached(stringAt(metadata, "uid"));
  const domain = detached(normalizeHostname(stringAt(spec, "domain")));
  const lb = detached(stringAt(spec, "lb"));
  const appId = detached(stringAt(recordAt(spec, "protection"), "appId"));
  const value: RouteValue = new Map<string, CelInputValue>([
    ["namespace", namespace],
    ["name", name],
    ["uid", uid],
    ["domain", domain],
    ["lb", lb],
    ["appId", appId],
  ]);
  const terminating = stringAt(metadata, "deletionTimestamp") !== "";
  return { key: detached(routeKey(namespace, name)), namespace, name, uid, domain, lb, appId, terminating, value };
}

/**
 * The key routes are indexed under in `domainRoutesByAppId`: lower-cased, so
 * `Shop-Web` and `shop-web` count as one appId. Whether a provider compares
 * appIds case-sensitively is not ours to know; treating them as one can only
 * deny more, never admit a second route into another app's rules.
 */
export function appIdKey(appId: string): string {
  return appId.toLowerCase();
}

/** True when re-indexing `b` in place of `a` would change nothing CEL sees. */
export function sameRoute(a: RouteEntry, b: RouteEntry): boolean {
  return a.key === b.key && a.uid === b.uid && a.domain === b.domain && a.lb === b.lb && a.appId === b.appId && a.terminating === b.terminating;
}

/** By namespace, then name: the order of every RouteRef list. */
export function compareRoutes(a: RouteValue, b: RouteValue): number {
  const x = a.get("namespace") as string;
  const y = b.get("namespace") as string;
  if (x !== y) return x < y ? -1 : 1;
  const m = a.get("name") as string;
  const n = b.get("name") as string;
  return m < n ? -1 : m > n ? 1 : 0;
}
