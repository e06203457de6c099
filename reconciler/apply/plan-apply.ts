// The pure planner between what a controller renders and what the cluster
// holds (external-dns's plan.Calculate, for Kubernetes objects): which
// objects to write and which of ours to delete. No I/O; an unchanged world
// plans nothing, so a reconcile with nothing to do writes nothing. The
// executor (write-objects.ts) decides how: create, or server-side apply with
// preconditions, and never at a name that is not the route's.
//
// An object is (re)written when it is missing, when what we last wrote is
// not what we render now (the hash annotation: this catches fields we set
// before and no longer do, which containment alone cannot see), or when
// someone edited a field we own (containment: every field we render must be
// present with our value; fields others add are theirs and left alone).
import { createHash } from "node:crypto";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { formatKey, keyOf } from "../../core/kube/object-key.ts";
import { isRecord } from "../../core/json.ts";

export const APPLIED_HASH_ANNOTATION = "hostgate.dev/applied-hash";

export interface ApplyPlan {
  /** In the order given (the caller's apply order). */
  apply: KubeObject[];
  /** Objects we produced earlier that are no longer rendered. */
  prune: KubeObject[];
}

/** `desired` with the hash annotation of its own content: stable across key order. */
export function withAppliedHash(desired: KubeObject): KubeObject {
  const hash = createHash("sha256")
    .update(canonicalJson(stripHash(desired)))
    .digest("hex")
    .slice(0, 16);
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      name: desired.metadata?.name ?? "",
      annotations: { ...((desired.metadata?.annotations as Record<string, string> | undefined) ?? {}), [APPLIED_HASH_ANNOTATION]: hash },
    },
  };
}

/**
 * @param desired objects as rendered (with withAppliedHash applied)
 * @param current the objects of ours the cluster holds now (selected by the owner's label)
 */
export function planApply(desired: readonly KubeObject[], current: readonly KubeObject[]): ApplyPlan {
  const currentById = new Map(current.map((o) => [objectId(o), o]));
  const desiredIds = new Set(desired.map(objectId));
  const apply = desired.filter((d) => {
    const c = currentById.get(objectId(d));
    return c === undefined || !contains(c, d);
  });
  const prune = current.filter((c) => !desiredIds.has(objectId(c))).sort((a, b) => (objectId(a) < objectId(b) ? -1 : 1));
  return { apply, prune };
}

/** `apiVersion-group/Kind namespace/name`: one object whatever version it is read at. */
export function objectId(object: KubeObject): string {
  const group = String(object.apiVersion ?? "")
    .split("/")
    .slice(0, -1)
    .join("/");
  const key = keyOf(object);
  return `${group}/${object.kind} ${key === undefined ? "" : formatKey(key)}`;
}

/**
 * True when every field of `wanted` is in `actual` with the same value:
 * maps are compared key by key (extra keys in `actual` are someone else's),
 * lists and scalars whole (Istio's and Kubernetes' lists here are atomic).
 */
export function contains(actual: unknown, wanted: unknown): boolean {
  if (isRecord(wanted)) {
    if (!isRecord(actual)) return false;
    return Object.entries(wanted).every(([k, v]) => v === undefined || contains(actual[k], v));
  }
  if (Array.isArray(wanted)) return Array.isArray(actual) && actual.length === wanted.length && wanted.every((v, i) => sameValue(actual[i], v));
  return actual === wanted;
}

function sameValue(a: unknown, b: unknown): boolean {
  return contains(a, b) && contains(b, a);
}

function stripHash(object: KubeObject): KubeObject {
  const annotations = { ...((object.metadata?.annotations as Record<string, string> | undefined) ?? {}) };
  delete annotations[APPLIED_HASH_ANNOTATION];
  return { ...object, metadata: { ...object.metadata, annotations } };
}

/** JSON with keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}
