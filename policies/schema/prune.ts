// Pruning of unknown fields, as the API server does when it decodes a custom
// resource (apiextensions' structural pruning): fields the schema does not
// declare are dropped, not rejected, and kubectl shows a warning
// `unknown field "spec.foo"` for each. We return the paths so the CLI can
// print the same warnings.
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { additionalPropertiesOf, itemsOf, preservesUnknownFields } from "../../crds/schema-props.ts";
import { childPath, indexPath } from "./field-path.ts";

/** metav1.ObjectMeta's JSON fields: the API server drops any other key under a resource's metadata. */
const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

export interface PruneResult<T> {
  /** A pruned copy; the input is not changed. */
  object: T;
  /** Field paths of the removed fields, in API server style (`spec.rules[0].foo`). */
  pruned: string[];
}

export interface PruneOptions {
  /** The value is a whole object (apiVersion, kind and metadata are kept). Default true. */
  isResourceRoot?: boolean;
}

export function pruneUnknownFields<T>(schema: JSONSchemaProps, object: T, options: PruneOptions = {}): PruneResult<T> {
  const copy = structuredClone(object);
  const pruned: string[] = [];
  const root = options.isResourceRoot ?? true;
  prune(copy, root ? { ...schema, "x-kubernetes-embedded-resource": true } : schema, "", pruned);
  return { object: copy, pruned };
}

function prune(value: unknown, schema: JSONSchemaProps | undefined, path: string, pruned: string[]): void {
  if (schema !== undefined && preservesUnknownFields(schema)) {
    keepUnknown(value, schema, path, pruned);
    return;
  }
  if (Array.isArray(value)) {
    const items = schema === undefined ? undefined : itemsOf(schema);
    for (const [i, item] of value.entries()) prune(item, items, indexPath(path, i), pruned);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const child = record[key];
    const fieldPath = childPath(path, key);
    if (schema?.["x-kubernetes-embedded-resource"] === true) {
      // An embedded object's type and object metadata are kept as they are;
      // metadata loses only what ObjectMeta does not define.
      if ((key === "apiVersion" || key === "kind") && typeof child === "string") continue;
      if (key === "metadata" && typeof child === "object" && child !== null && !Array.isArray(child)) {
        pruneObjectMeta(child as Record<string, unknown>, fieldPath, pruned);
        continue;
      }
    }
    const declared = schema?.properties?.[key];
    if (declared !== undefined) {
      prune(child, declared, fieldPath, pruned);
      continue;
    }
    if (schema !== undefined && schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
      // `additionalProperties: true` declares map values without a schema:
      // the API server keeps scalars and prunes everything inside objects.
      prune(child, additionalPropertiesOf(schema), fieldPath, pruned);
      continue;
    }
    pruned.push(fieldPath);
    delete record[key];
  }
}

// Under x-kubernetes-preserve-unknown-fields, unknown keys stay; known ones are still pruned inside.
function keepUnknown(value: unknown, schema: JSONSchemaProps, path: string, pruned: string[]): void {
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    if (items !== undefined) for (const [i, item] of value.entries()) prune(item, items, indexPath(path, i), pruned);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const sub = schema.properties?.[key] ?? additionalPropertiesOf(schema);
    if (sub !== undefined) prune(record[key], sub, childPath(path, key), pruned);
  }
}

function pruneObjectMeta(metadata: Record<string, unknown>, path: string, pruned: string[]): void {
  for (const key of Object.keys(metadata)) {
    if (OBJECT_META_FIELDS.has(key)) continue;
    pruned.push(childPath(path, key));
    delete metadata[key];
  }
}
