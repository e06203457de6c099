// Which appId-table objects must be (re)applied so that the cluster holds what
// hostgate rendered. Only content hostgate owns is compared: the EnvoyFilter's
// spec, the ConfigMap's data, and the labels and annotations hostgate sets.
// What the API server or other tools add (resourceVersion, managedFields,
// their own labels) never causes a write, so an unchanged table costs none,
// while a hand edit or a deletion is reverted on the next pass.
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { AppIdTableObjects } from "./app-id-table-objects.ts";
import { jsonEqual } from "../../core/json.ts";

export interface CurrentAppIdTableObjects {
  readonly envoyFilter?: KubeObject;
  readonly configMap?: KubeObject;
}

/** The desired objects that differ from (or are missing in) the cluster; the EnvoyFilter first, as it is authoritative. */
export function planAppIdTableWrites(current: CurrentAppIdTableObjects, desired: AppIdTableObjects): KubeObject[] {
  const writes: KubeObject[] = [];
  if (!holds(current.envoyFilter, desired.envoyFilter, "spec")) writes.push(desired.envoyFilter);
  if (!holds(current.configMap, desired.configMap, "data")) writes.push(desired.configMap);
  return writes;
}

function holds(current: KubeObject | undefined, desired: KubeObject, content: "spec" | "data"): boolean {
  if (current === undefined) return false;
  return (
    jsonEqual(current[content], desired[content]) &&
    includesAll(current.metadata?.labels, desired.metadata?.labels) &&
    includesAll(current.metadata?.annotations, desired.metadata?.annotations)
  );
}

/** Every key of `wanted` is in `actual` with the same value; other keys of `actual` don't matter. */
function includesAll(actual: unknown, wanted: unknown): boolean {
  const want = (wanted ?? {}) as Record<string, unknown>;
  const have = (actual !== null && typeof actual === "object" ? actual : {}) as Record<string, unknown>;
  return Object.keys(want).every((key) => have[key] === want[key]);
}
