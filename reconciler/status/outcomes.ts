// What a wholesale controller (the appId table, DNS, certificates) decided for
// each route, shared in-process with the route controller, which alone writes
// DomainRoute status (one writer per status). The wholesale controller
// publishes a whole new set of outcomes after each pass; the route controller
// reads one route's outcome when it gathers and turns it into a condition.
// Listeners hear which routes' outcomes changed, so those routes are
// reconciled again without any other event.
//
// An outcome should name the route's uid as its controller saw it: a route
// re-created under the same name must not take an outcome decided for the
// one before (the condition code shows it as pending until the next pass).
import { jsonEqual } from "../../core/json.ts";

/** A route's outcome as the route controller gathers it: plain data. */
export type OutcomeLookup<T> =
  /** The controller has not finished a pass in this term yet: nothing is known. */
  | { readonly known: false }
  /** `outcome` undefined: the last pass had nothing to say about the route. */
  | { readonly known: true; readonly outcome?: T };

export interface OutcomeReader<T> {
  /** @param routeRef `namespace/name` */
  lookup(routeRef: string): OutcomeLookup<T>;
}

export class Outcomes<T> implements OutcomeReader<T> {
  #published = false;
  #byRoute: ReadonlyMap<string, T> = new Map();
  readonly #listeners = new Set<(routeRefs: readonly string[]) => void>();

  lookup(routeRef: string): OutcomeLookup<T> {
    if (!this.#published) return { known: false };
    const outcome = this.#byRoute.get(routeRef);
    return outcome === undefined ? { known: true } : { known: true, outcome };
  }

  /**
   * Replaces every outcome with `next` (keyed by routeRef) and tells the
   * listeners which routes' outcomes changed, sorted. The first publication
   * of a term changes every route it names.
   */
  publish(next: ReadonlyMap<string, T>): string[] {
    const previous = this.#published ? this.#byRoute : new Map<string, T>();
    const changed = new Set<string>();
    for (const [routeRef, outcome] of next) if (!jsonEqual(previous.get(routeRef), outcome)) changed.add(routeRef);
    for (const routeRef of previous.keys()) if (!next.has(routeRef)) changed.add(routeRef);
    this.#byRoute = next;
    this.#published = true;
    const sorted = [...changed].sort();
    if (sorted.length > 0) for (const listener of this.#listeners) listener(sorted);
    return sorted;
  }

  /** @returns a function that removes the listener */
  onChange(listener: (routeRefs: readonly string[]) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}
