// An ObjectReader over shared informers: what a reconcile reads comes from
// the caches, synchronously. Lists by an indexed label (a produced object's
// route uid) go through an index instead of a scan, so a full resync of N
// routes costs N index lookups, not N scans of every produced object.
import type { ObjectKey, KubeObject } from "../../core/kube/object-key.ts";
import { formatKey } from "../../core/kube/object-key.ts";
import { matchesLabelSelector, parseLabelSelector } from "../../core/kube/label-selector.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { describeResource, resourceName } from "../../core/kube/resource.ts";
import type { SharedInformer } from "../runtime/informer.ts";
import type { ObjectReader } from "./object-reader.ts";

interface Cached {
  informer: SharedInformer<KubeObject>;
  /** label key → value → keys of the objects carrying it. */
  indexes: Map<string, Map<string, Set<string>>>;
}

/** One informer per resource (resourceName), whatever namespace or selector a request adds. */
export class InformerReader implements ObjectReader {
  readonly #cached = new Map<string, Cached>();

  /**
   * Serves reads of `resource` from `informer`, indexing `indexedLabels`.
   * Call before the informer starts: the index must hear every change
   * before any controller's handler does.
   */
  add(resource: ResourceRef, informer: SharedInformer<KubeObject>, indexedLabels: readonly string[] = []): void {
    const id = resourceName(resource);
    if (this.#cached.has(id)) throw new Error(`${describeResource(resource)} is already cached`);
    const indexes = new Map(indexedLabels.map((label) => [label, new Map<string, Set<string>>()]));
    this.#cached.set(id, { informer, indexes });
    if (indexes.size === 0) return;
    const index = (object: KubeObject, key: string, add: boolean) => {
      const labels = object.metadata?.labels as Record<string, string> | undefined;
      for (const [label, byValue] of indexes) {
        const value = labels?.[label];
        if (value === undefined) continue;
        let keys = byValue.get(value);
        if (add) {
          if (keys === undefined) {
            keys = new Set();
            byValue.set(value, keys);
          }
          keys.add(key);
        } else if (keys !== undefined) {
          keys.delete(key);
          if (keys.size === 0) byValue.delete(value);
        }
      }
    };
    informer.addEventHandler({
      onAdd: (object, key) => index(object, key, true),
      onUpdate: (old, object, key) => {
        index(old, key, false);
        index(object, key, true);
      },
      onDelete: (object, key) => index(object, key, false),
      onResync: () => {},
    });
  }

  /** Stops serving reads of `resource` (nothing when it is not cached), so another informer of it can be added: one its owner stopped (monitoring-kinds.ts). */
  remove(resource: ResourceRef): void {
    this.#cached.delete(resourceName(resource));
  }

  get(resource: ResourceRef, key: ObjectKey): KubeObject | undefined {
    return this.#for(resource).informer.get(formatKey(key));
  }

  list(resource: ResourceRef): KubeObject[] {
    const { informer, indexes } = this.#for(resource);
    const selector = resource.labelSelector;
    let candidates: KubeObject[] | undefined;
    if (selector !== undefined) {
      const indexed = parseLabelSelector(selector).find((r) => r.op === "=" && indexes.has(r.key));
      if (indexed !== undefined) {
        candidates = [];
        for (const key of indexes.get(indexed.key)!.get(indexed.value!) ?? []) {
          const object = informer.get(key);
          if (object !== undefined) candidates.push(object);
        }
      }
    }
    return (candidates ?? informer.list()).filter(
      (object) =>
        (resource.namespace === undefined || object.metadata?.namespace === resource.namespace) &&
        (selector === undefined || matchesLabelSelector(object.metadata?.labels as Record<string, string> | undefined, selector)),
    );
  }

  /** Every informer has its first complete list. */
  synced(): boolean {
    return [...this.#cached.values()].every((c) => c.informer.synced());
  }

  /** The resources not synced yet, for readiness messages. */
  unsynced(): string[] {
    return [...this.#cached.entries()].filter(([, c]) => !c.informer.synced()).map(([id]) => id);
  }

  #for(resource: ResourceRef): Cached {
    const cached = this.#cached.get(resourceName(resource));
    if (cached === undefined)
      throw new Error(
        `${describeResource(resource)} is not cached: the reconciler reads only what its informers hold (add it in reconciler/manager/caches.ts)`,
      );
    return cached;
  }
}
