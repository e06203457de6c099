// Field sets for the in-memory API server's server-side apply: which fields
// of an object a manager owns, as the API server records them in
// metadata.managedFields[].fieldsV1. A path is a list of FieldsV1 segments:
// `f:name` for a map key, `k:{"uid":"..."}` for an item of an associative
// list, `v:"..."` for an item of a set. What the fake models, no more:
//   - maps are granular (labels, annotations, spec keys: each leaf is a field);
//   - lists are atomic (a CRD's lists are, unless its schema says otherwise,
//     and Istio's are), except metadata.ownerReferences (an associative list
//     keyed by uid) and metadata.finalizers (a set), as on the API server;
//   - what the server owns (name, uid, resourceVersion, managedFields ...) and,
//     where there is a status subresource, the status are never fields.
import type { KubeObject } from "../object-key.ts";
import { isRecord, jsonEqual } from "../../json.ts";

export type FieldPath = readonly string[];

/** Metadata the API server keeps out of every field set (fieldmanager's stripSet). */
const SERVER_OWNED_METADATA = new Set([
  ...["name", "namespace", "uid", "resourceVersion", "generation"],
  ...["creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"],
]);
const ABSENT = Symbol("absent");

/** One string per path, for sets and maps. */
export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

/** Every leaf field of `object`, keyed by pathKey. */
export function fieldPaths(object: KubeObject, statusIsSubresource: boolean): Map<string, FieldPath> {
  const paths = new Map<string, FieldPath>();
  const add = (path: FieldPath) => paths.set(pathKey(path), path);
  for (const [field, value] of Object.entries(object)) {
    if (value === undefined || field === "apiVersion" || field === "kind" || (field === "status" && statusIsSubresource)) continue;
    if (field !== "metadata") {
      walk(value, [`f:${field}`], add);
      continue;
    }
    for (const [name, item] of Object.entries(isRecord(value) ? value : {})) {
      if (item === undefined || SERVER_OWNED_METADATA.has(name)) continue;
      const at = ["f:metadata", `f:${name}`];
      if (name === "ownerReferences" && Array.isArray(item)) for (const ref of item) add([...at, ownerReferenceSegment(ref)]);
      else if (name === "finalizers" && Array.isArray(item)) for (const finalizer of item) add([...at, `v:${JSON.stringify(finalizer)}`]);
      else walk(item, at, add);
    }
  }
  return paths;
}

function walk(value: unknown, at: FieldPath, add: (path: FieldPath) => void): void {
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) if (item !== undefined) walk(item, [...at, `f:${key}`], add);
  } else add(at);
}

function ownerReferenceSegment(reference: unknown): string {
  return `k:${JSON.stringify({ uid: isRecord(reference) ? reference.uid : undefined })}`;
}

/** True when `a` and `b` hold the same value at `path` (both absent counts as the same). */
export function sameAt(a: KubeObject, b: KubeObject, path: FieldPath): boolean {
  const left = valueAt(a, path);
  const right = valueAt(b, path);
  return left === ABSENT || right === ABSENT ? left === right : jsonEqual(left, right);
}

function valueAt(object: unknown, path: FieldPath): unknown {
  let current: unknown = object;
  for (const segment of path) {
    if (segment.startsWith("f:")) {
      if (!isRecord(current) || !Object.hasOwn(current, segment.slice(2)) || current[segment.slice(2)] === undefined) return ABSENT;
      current = current[segment.slice(2)];
    } else if (segment.startsWith("k:")) {
      const uid = (JSON.parse(segment.slice(2)) as { uid?: unknown }).uid;
      const item = Array.isArray(current) ? current.find((r) => isRecord(r) && r.uid === uid) : undefined;
      if (item === undefined) return ABSENT;
      current = item;
    } else {
      const value = JSON.parse(segment.slice(2)) as unknown;
      return Array.isArray(current) && current.includes(value) ? value : ABSENT;
    }
  }
  return current;
}

/** Removes the field at `path` from `object` (in place), and the maps and lists it leaves empty. */
export function removeAt(object: KubeObject, path: FieldPath): void {
  const parents: { container: unknown; segment: string }[] = [];
  let current: unknown = object;
  for (const segment of path) {
    parents.push({ container: current, segment });
    if (segment.startsWith("f:")) current = isRecord(current) ? current[segment.slice(2)] : undefined;
    else if (segment.startsWith("k:")) current = undefined; // the last segment: an item is removed whole
    if (current === undefined) break;
  }
  if (parents.length !== path.length) return;
  for (let i = parents.length - 1; i >= 0; i--) {
    const { container, segment } = parents[i]!;
    if (!removeSegment(container, segment)) return;
    // Keep top-level fields (spec: {}) and stop at the first container that still holds something.
    if (i === 0 || !isEmpty(container)) return;
  }
}

function removeSegment(container: unknown, segment: string): boolean {
  if (segment.startsWith("f:") && isRecord(container)) return delete container[segment.slice(2)];
  if (!Array.isArray(container)) return false;
  const index = segment.startsWith("k:")
    ? container.findIndex((r) => isRecord(r) && r.uid === (JSON.parse(segment.slice(2)) as { uid?: unknown }).uid)
    : container.indexOf(JSON.parse(segment.slice(2)) as unknown);
  if (index >= 0) container.splice(index, 1);
  return index >= 0;
}

function isEmpty(container: unknown): boolean {
  return Array.isArray(container) ? container.length === 0 : isRecord(container) && Object.keys(container).length === 0;
}

/** `stored` with `applied` merged over it: maps key by key, lists whole, owner references by uid, finalizers as a set. */
export function mergeApplied(stored: unknown, applied: unknown, at: FieldPath = []): unknown {
  const where = at.join(".");
  if (where === "f:metadata.f:ownerReferences" && Array.isArray(stored) && Array.isArray(applied)) {
    const uidOf = (r: unknown) => (isRecord(r) ? r.uid : undefined);
    const byUid = new Map(applied.map((r) => [uidOf(r), r]));
    const kept = stored.map((r) => structuredClone(byUid.get(uidOf(r)) ?? r));
    return [...kept, ...structuredClone(applied.filter((r) => !stored.some((s) => uidOf(s) === uidOf(r))))];
  }
  if (where === "f:metadata.f:finalizers" && Array.isArray(stored) && Array.isArray(applied)) return [...stored, ...applied.filter((f) => !stored.includes(f))];
  if (!isRecord(stored) || !isRecord(applied)) return structuredClone(applied);
  const merged: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(applied)) if (value !== undefined) merged[key] = mergeApplied(stored[key], value, [...at, `f:${key}`]);
  return merged;
}

/** The FieldsV1 form of a set of paths: nested segments, `{}` at each leaf. */
export function toFieldsV1(paths: Iterable<FieldPath>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    }
  }
  return sortKeys(root);
}

/** The paths of a FieldsV1 value; none when it is missing or not FieldsV1. */
export function fromFieldsV1(fieldsV1: unknown): FieldPath[] {
  const paths: FieldPath[] = [];
  const visit = (node: Record<string, unknown>, at: string[]) => {
    const children = Object.entries(node).filter(([segment, child]) => segment !== "." && isRecord(child));
    if (children.length === 0 && at.length > 0) paths.push(at);
    for (const [segment, child] of children) visit(child as Record<string, unknown>, [...at, segment]);
  };
  if (isRecord(fieldsV1)) visit(fieldsV1, []);
  return paths;
}

function sortKeys(node: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(node)
      .sort()
      .map((key) => [key, sortKeys(node[key] as Record<string, unknown>)]),
  );
}
