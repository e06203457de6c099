// The cluster as CEL policies read it (`cluster.*`), indexed so every
// uniqueness and grant check is a map lookup, never a scan over all routes.
//
// Updates are incremental and copy-on-write: a value handed out by
// celValue() is never modified afterwards (an in-flight evaluation keeps a
// consistent view), yet a change only copies the containers it touches. The
// maps and lists created since the last snapshot are "owned" and edited in
// place, so building from 10,000 objects copies nothing; after a snapshot,
// the first change to a map or list copies it once and owns the copy. That
// copy is shallow: the lists and RouteRefs of untouched keys are shared, but
// a by-key map is still copied whole (about 1 ms per 10,000 keys), because
// CEL needs real JS Maps and those have no cheap persistent update.
import type { CelInputValue } from "../objects/cel-input.ts";
import { compareGrants, grantEntry, sameGrant } from "./grant.ts";
import type { GrantEntry, GrantValue } from "./grant.ts";
import { indexedKind } from "./kinds.ts";
import { appIdKey, compareRoutes, namespaceOf, routeEntry, routeKey, sameRoute } from "./route-ref.ts";
import type { RouteEntry, RouteValue } from "./route-ref.ts";
import { insertSorted, removeItem } from "./sorted.ts";
import { recordAt, stringAt } from "./fields.ts";

/** The `cluster` CEL variable. */
export type ClusterCelValue = ReadonlyMap<string, CelInputValue>;

/** Sizes for metrics and logs. */
export interface ClusterStateCounts {
  hostnameGrants: number;
  domainRoutes: number;
  /** Distinct keys of `cluster.domainRoutesByDomain`. */
  domains: number;
  /** Distinct keys of `cluster.domainRoutesByAppId`. */
  appIds: number;
  /** Distinct keys of `cluster.grantsByNamespace`. */
  grantedNamespaces: number;
}

type ListIndex<T> = Map<string, T[]>;

export class ClusterStateIndex {
  #grants = new Map<string, GrantEntry>();
  #routes = new Map<string, RouteEntry>();

  #grantList: GrantValue[] = [];
  #grantsByNamespace: ListIndex<GrantValue> = new Map();
  #routesByDomain: ListIndex<RouteValue> = new Map();
  #routesByAppId: ListIndex<RouteValue> = new Map();

  /** Containers created since the last snapshot: safe to edit in place. */
  #owned = new WeakSet<object>();
  /** The last value handed out; undefined once anything changed. */
  #snapshot: ClusterCelValue | undefined;

  /** An index of `objects`; objects of other kinds are skipped. */
  static fromObjects(objects: Iterable<unknown>): ClusterStateIndex {
    const index = new ClusterStateIndex();
    for (const object of objects) index.upsert(object);
    return index;
  }

  /**
   * Adds or replaces an object (matched by kind, namespace and name).
   * @returns false when the object is not a HostnameGrant or DomainRoute, or
   *   has no name to be found by later; true when it is indexed.
   */
  upsert(object: unknown): boolean {
    switch (indexedKind(object)) {
      case "HostnameGrant": {
        const entry = grantEntry(object);
        if (entry === undefined) return false;
        const old = this.#grants.get(entry.name);
        if (old !== undefined && sameGrant(old, entry)) return true;
        if (old !== undefined) this.#unindexGrant(old);
        this.#indexGrant(entry);
        return true;
      }
      case "DomainRoute": {
        const entry = routeEntry(object);
        if (entry === undefined) return false;
        const old = this.#routes.get(entry.key);
        if (old !== undefined && sameRoute(old, entry)) return true;
        if (old !== undefined) this.#unindexRoute(old);
        this.#indexRoute(entry);
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * Removes the stored object with this object's kind, namespace and name;
   * only those fields are read, so a tombstone with bare metadata works.
   * @returns true when something was removed.
   */
  remove(object: unknown): boolean {
    const name = stringAt(recordAt(object, "metadata"), "name");
    switch (indexedKind(object)) {
      case "HostnameGrant": {
        const old = this.#grants.get(name);
        if (old === undefined) return false;
        this.#unindexGrant(old);
        return true;
      }
      case "DomainRoute": {
        const old = this.#routes.get(routeKey(namespaceOf(object), name));
        if (old === undefined) return false;
        this.#unindexRoute(old);
        return true;
      }
      default:
        return false;
    }
  }

  counts(): ClusterStateCounts {
    return {
      hostnameGrants: this.#grants.size,
      domainRoutes: this.#routes.size,
      domains: this.#routesByDomain.size,
      appIds: this.#routesByAppId.size,
      grantedNamespaces: this.#grantsByNamespace.size,
    };
  }

  /**
   * The `cluster` CEL input. The same object is returned until something
   * changes, and a returned value never changes afterwards.
   */
  celValue(): ClusterCelValue {
    if (this.#snapshot === undefined) {
      this.#snapshot = new Map<string, CelInputValue>([
        ["grants", this.#grantList],
        ["grantsByNamespace", this.#grantsByNamespace],
        ["domainRoutesByDomain", this.#routesByDomain],
        ["domainRoutesByAppId", this.#routesByAppId],
      ]);
      // Everything is now shared with the snapshot: the next change copies.
      this.#owned = new WeakSet();
    }
    return this.#snapshot;
  }

  #own<T extends object>(container: T, copy: (original: T) => T): T {
    if (this.#owned.has(container)) return container;
    const copied = copy(container);
    this.#owned.add(copied);
    return copied;
  }

  /** A new owned list of one item, allocated at its size: most domains and appIds have one route. */
  #fresh<T>(item: T): T[] {
    const list: T[] = [item];
    this.#owned.add(list);
    return list;
  }

  #changed(): void {
    this.#snapshot = undefined;
  }

  #add<T>(index: ListIndex<T>, key: string, item: T, compare: (a: T, b: T) => number): ListIndex<T> {
    const map = this.#own(index, (m) => new Map(m));
    const existing = map.get(key);
    if (existing === undefined) {
      // Not insertSorted into []: growing an empty array reserves room for 17 items.
      map.set(key, this.#fresh(item));
      return map;
    }
    const list = this.#own(existing, (l) => l.slice());
    insertSorted(list, item, compare);
    map.set(key, list);
    return map;
  }

  #delete<T>(index: ListIndex<T>, key: string, item: T): ListIndex<T> {
    const current = index.get(key);
    if (current === undefined || !current.includes(item)) return index;
    const map = this.#own(index, (m) => new Map(m));
    // An empty list is removed so `key in map` stays a complete answer.
    if (current.length === 1) {
      map.delete(key);
      return map;
    }
    const list = this.#own(current, (l) => l.slice());
    removeItem(list, item);
    map.set(key, list);
    return map;
  }

  #indexGrant(entry: GrantEntry): void {
    this.#grants.set(entry.name, entry);
    this.#grantList = this.#own(this.#grantList, (l) => l.slice());
    insertSorted(this.#grantList, entry.value, compareGrants);
    for (const namespace of entry.namespaces) {
      this.#grantsByNamespace = this.#add(this.#grantsByNamespace, namespace, entry.value, compareGrants);
    }
    this.#changed();
  }

  #unindexGrant(entry: GrantEntry): void {
    this.#grants.delete(entry.name);
    this.#grantList = this.#own(this.#grantList, (l) => l.slice());
    removeItem(this.#grantList, entry.value);
    for (const namespace of entry.namespaces) {
      this.#grantsByNamespace = this.#delete(this.#grantsByNamespace, namespace, entry.value);
    }
    this.#changed();
  }

  // A Terminating route is held but listed under no domain or appId (see RouteEntry.terminating).
  #indexRoute(entry: RouteEntry): void {
    this.#routes.set(entry.key, entry);
    if (entry.domain !== "" && !entry.terminating) {
      this.#routesByDomain = this.#add(this.#routesByDomain, entry.domain, entry.value, compareRoutes);
    }
    if (entry.appId !== "" && !entry.terminating) {
      this.#routesByAppId = this.#add(this.#routesByAppId, appIdKey(entry.appId), entry.value, compareRoutes);
    }
    this.#changed();
  }

  #unindexRoute(entry: RouteEntry): void {
    this.#routes.delete(entry.key);
    // #delete is a no-op for an entry that was never listed (a Terminating one).
    if (entry.domain !== "") this.#routesByDomain = this.#delete(this.#routesByDomain, entry.domain, entry.value);
    if (entry.appId !== "") this.#routesByAppId = this.#delete(this.#routesByAppId, appIdKey(entry.appId), entry.value);
    this.#changed();
  }
}
