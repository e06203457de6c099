// Making hostgate the only owner of what it renders before it applies, by
// rewriting metadata.managedFields, as client-go's csaupgrade
// (k8s.io/client-go/util/csaupgrade) does for kubectl's move from
// client-side to server-side apply. A server-side apply removes only the
// fields the applier's own Apply entry held and leaves out now; a field
// another entry also owns stays. Two kinds of entry would keep fields alive:
//
//   - hostgate's own Update entry: hostgate creates a new object with a POST
//     (create-if-absent; an apply would merge into an object someone made at
//     the name meanwhile), and older versions replaced objects with PUT. Both
//     record its fields under hostgate-reconciler with operation Update, so a
//     field it stops rendering would stay for good;
//   - another manager's fields outside metadata: hostgate's objects are its
//     own in everything but metadata (the spec of an Istio object, the data
//     of the appId table's ConfigMap), as the full replace of earlier versions
//     made them. A key someone adds there (a targetRefs that re-points the
//     appId filter, say) must go, and an apply alone cannot remove it.
//
// So those fields move into hostgate's Apply entry (an update carrying
// managedFields replaces them, as csaupgrade's patch does), and the apply that
// follows removes whatever of them hostgate does not render. Other managers'
// labels, annotations and owner references stay theirs, and the status (a
// subresource) is never touched.
import type { KubeObject } from "../../core/kube/object-key.ts";
import { isRecord, jsonEqual } from "../../core/json.ts";

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  [field: string]: unknown;
}

/** Top-level fields whose ownership is never taken over: other writers' metadata stays theirs; the status is a subresource. */
const SHARED_ROOTS = new Set(["f:metadata", "f:status", "f:apiVersion", "f:kind"]);

/**
 * True when `object`'s managers (its cached copy keeps them, without field
 * sets) may hold fields hostgate must take over first: an Update entry of
 * `manager`, or any other manager's entry.
 */
export function mayNeedTakeOver(object: KubeObject, manager: string): boolean {
  const entries = object.metadata?.managedFields;
  return Array.isArray(entries) && entries.some((e) => isRecord(e) && (e.manager !== manager || e.operation === "Update"));
}

/**
 * `entries` with every Update entry of `manager`, and every other entry's
 * fields outside metadata and status, merged into `manager`'s Apply entry
 * (made from its first Update entry when there is none). An entry left owning
 * nothing is dropped, as the API server drops them; the others keep their order.
 * Returns `entries` itself when there is nothing to move.
 */
export function takeOverManagedFields(entries: readonly ManagedFieldsEntry[], manager: string): readonly ManagedFieldsEntry[] {
  const mine = (e: ManagedFieldsEntry) => e.manager === manager && (e.operation === "Update" || e.operation === "Apply");
  const taken: unknown[] = [];
  const others: ManagedFieldsEntry[] = [];
  for (const entry of entries) {
    if (mine(entry)) continue;
    const fields = isRecord(entry.fieldsV1) ? entry.fieldsV1 : {};
    const [kept, moved] = partition(fields);
    if (Object.keys(moved).length > 0) taken.push(moved);
    if (Object.keys(kept).length > 0 || Object.keys(fields).length === 0) others.push(Object.keys(moved).length > 0 ? { ...entry, fieldsV1: kept } : entry);
  }
  const updates = entries.filter((e) => e.manager === manager && e.operation === "Update");
  if (updates.length === 0 && taken.length === 0) return entries;
  const apply = entries.find((e) => e.manager === manager && e.operation === "Apply");
  const base = apply ?? updates[0] ?? { manager, apiVersion: entries.find((e) => e.apiVersion !== undefined)?.apiVersion };
  const sets = [...(apply === undefined ? [] : [apply.fieldsV1]), ...updates.map((e) => e.fieldsV1), ...taken];
  const fieldsV1 = sets.reduce<Record<string, unknown>>((merged, set) => mergeFieldsV1(merged, set), {});
  const upgraded: ManagedFieldsEntry = { ...base, manager, operation: "Apply", fieldsType: "FieldsV1", fieldsV1 };
  const result = [...others, upgraded];
  return jsonEqual(result, entries) ? entries : result;
}

/** A FieldsV1 set split into what stays its manager's (metadata, status) and what hostgate takes over. */
function partition(fields: Record<string, unknown>): [Record<string, unknown>, Record<string, unknown>] {
  const kept: Record<string, unknown> = {};
  const moved: Record<string, unknown> = {};
  for (const [root, subtree] of Object.entries(fields)) (SHARED_ROOTS.has(root) || !root.startsWith("f:") ? kept : moved)[root] = subtree;
  return [kept, moved];
}

/** The union of two FieldsV1 sets: nested maps merged key by key. */
export function mergeFieldsV1(a: unknown, b: unknown): Record<string, unknown> {
  const left = isRecord(a) ? a : {};
  const right = isRecord(b) ? b : {};
  const merged: Record<string, unknown> = { ...left };
  for (const [key, value] of Object.entries(right)) merged[key] = mergeFieldsV1(left[key], value);
  return merged;
}
