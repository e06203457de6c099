// Moving the fields a manager owns through Update entries into its Apply
// entry, as client-go's csaupgrade (k8s.io/client-go/util/csaupgrade) does
// for kubectl's move from client-side to server-side apply.
//
// Why: hostgate creates a new object with a POST (create-if-absent; an apply
// would merge into an object someone made at the name meanwhile), and older
// hostgate versions replaced objects with PUT. Both record the fields under
// hostgate-reconciler with operation Update. Server-side apply removes only
// the fields the applier's own Apply entry held and leaves out now: a field
// the Update entry holds would stay for good once hostgate stops rendering
// it. So before hostgate first applies an object with such an entry, it
// rewrites managedFields (an update carrying managedFields replaces them, as
// csaupgrade's patch does): the Update entries' fields join the Apply entry.
import type { KubeObject } from "../../core/kube/object-key.ts";
import { isRecord } from "../../core/json.ts";

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  [field: string]: unknown;
}

/** True when `object`'s managedFields hold an Update entry of `manager` (its cached copy keeps managers without field sets). */
export function hasUpdateEntry(object: KubeObject, manager: string): boolean {
  const entries = object.metadata?.managedFields;
  return Array.isArray(entries) && entries.some((e) => isRecord(e) && e.manager === manager && e.operation === "Update");
}

/**
 * `entries` with every Update entry of `manager` merged into its Apply entry
 * (made from the first Update entry when there is none). Other managers'
 * entries are kept as they are, in their order.
 */
export function upgradeManagedFields(entries: readonly ManagedFieldsEntry[], manager: string): ManagedFieldsEntry[] {
  const updates = entries.filter((e) => e.manager === manager && e.operation === "Update");
  if (updates.length === 0) return [...entries];
  const apply = entries.find((e) => e.manager === manager && e.operation === "Apply");
  const base = apply ?? updates[0]!;
  const fieldsV1 = [...(apply === undefined ? [] : [apply]), ...updates].reduce<unknown>((merged, e) => mergeFieldsV1(merged, e.fieldsV1), {});
  const upgraded: ManagedFieldsEntry = { ...base, manager, operation: "Apply", fieldsType: "FieldsV1", fieldsV1 };
  const kept = entries.filter((e) => !(e.manager === manager && (e.operation === "Update" || e.operation === "Apply")));
  return [...kept, upgraded];
}

/** The union of two FieldsV1 sets: nested maps merged key by key. */
export function mergeFieldsV1(a: unknown, b: unknown): Record<string, unknown> {
  const left = isRecord(a) ? a : {};
  const right = isRecord(b) ? b : {};
  const merged: Record<string, unknown> = { ...left };
  for (const [key, value] of Object.entries(right)) merged[key] = mergeFieldsV1(left[key], value);
  return merged;
}
