// What the appId-table controller decided for each protected route, shared
// in-process with the route controller, which alone writes DomainRoute status
// (one writer per status). The table controller publishes a whole new set of
// outcomes after each pass; the route controller reads one route's outcome
// when it gathers, and turns it into ProtectionReady and status.effectiveAppId.
// Listeners hear which routes' outcomes changed, so those routes are
// reconciled again without any other event.
//
// An outcome names the route's uid and appId as the table controller saw them:
// a route re-created under the same name, or whose appId changed since, must
// not take an outcome decided for something else (the route controller shows
// it as pending until the next pass).
import { jsonEqual } from "../../core/json.ts";

export type AppIdOutcome =
  | { readonly kind: "published"; readonly uid: string; readonly appId: string }
  /** `others`: the other routes as `namespace/name (domain)`, sorted, capped (app-id-table.ts). */
  | { readonly kind: "conflict"; readonly uid: string; readonly appId: string; readonly others: readonly string[] }
  | { readonly kind: "unclaimed"; readonly uid: string; readonly appId: string }
  | { readonly kind: "unknownProvider"; readonly uid: string; readonly appId: string; readonly provider: string }
  /** The table is too large to write: the previous one stays in force. `problems` say what and how to fix it. */
  | { readonly kind: "tableTooLarge"; readonly uid: string; readonly appId: string; readonly problems: readonly string[] };

/** A route's outcome as the route controller gathers it: plain data. */
export type AppIdOutcomeLookup =
  /** The table controller has not finished a pass in this term yet: nothing is known. */
  | { readonly known: false }
  /** `outcome` undefined: the last pass had nothing to say about the route (unprotected, or new since). */
  | { readonly known: true; readonly outcome?: AppIdOutcome };

export interface AppIdOutcomeReader {
  /** @param routeRef `namespace/name` */
  lookup(routeRef: string): AppIdOutcomeLookup;
}

export class AppIdOutcomes implements AppIdOutcomeReader {
  #published = false;
  #byRoute: ReadonlyMap<string, AppIdOutcome> = new Map();
  readonly #listeners = new Set<(routeRefs: readonly string[]) => void>();

  lookup(routeRef: string): AppIdOutcomeLookup {
    if (!this.#published) return { known: false };
    const outcome = this.#byRoute.get(routeRef);
    return outcome === undefined ? { known: true } : { known: true, outcome };
  }

  /**
   * Replaces every outcome with `next` (keyed by routeRef) and tells the
   * listeners which routes' outcomes changed, sorted. The first publication
   * of a term changes every route it names.
   */
  publish(next: ReadonlyMap<string, AppIdOutcome>): string[] {
    const previous = this.#published ? this.#byRoute : new Map<string, AppIdOutcome>();
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
