// The CRD schema step of `hostgate check`: what the API server does to one of
// our custom resources between decoding the request and storing it, so the
// user learns what `kubectl apply` would say. Pruning, defaulting, the status
// subresource's rules, metadata and schema validation, CEL rules.
import type { CrdCatalog, CrdCatalogEntry } from "../../crds/catalog.ts";
import type { Operation } from "../engine/types.ts";
import { applySchemaDefaults } from "./defaults.ts";
import type { SchemaViolation } from "./field-errors.ts";
import { validateObjectMeta } from "./metadata.ts";
import { pruneUnknownFields } from "./prune.ts";
import { validateAgainstSchema } from "./validate.ts";

/** Admission operations; only CREATE and UPDATE carry an object the API server validates. */
export type CheckOperation = Operation;

export interface CheckOptions {
  operation: CheckOperation;
  /**
   * The stored object, for UPDATE: transition rules (those reading oldSelf)
   * run only with it, and a status subresource's status is taken from it
   * (without it, status is dropped as on CREATE).
   */
  oldObject?: unknown;
  /**
   * Stop after decoding (pruning and defaults), as the object reaches
   * mutating admission webhooks; no status handling, no validation.
   */
  defaultsOnly?: boolean;
}

export interface CheckResult {
  /** The object as the API server would store it: pruned, defaulted, status handled. */
  object: Record<string, unknown>;
  violations: SchemaViolation[];
  /** Unknown fields the API server drops, e.g. `spec.foo`; kubectl warns `unknown field "spec.foo"`. */
  prunedFields: string[];
}

export function checkCustomResource(entry: CrdCatalogEntry, object: unknown, options: CheckOptions): CheckResult {
  // DELETE and CONNECT send no object to validate.
  if (options.operation !== "CREATE" && options.operation !== "UPDATE") {
    return { object: asRecord(object), violations: [], prunedFields: [] };
  }
  const { object: pruned, pruned: prunedFields } = pruneUnknownFields(entry.schema, asRecord(object));
  const decoded = applySchemaDefaults(entry.schema, pruned);
  if (options.defaultsOnly === true) return { object: decoded, violations: [], prunedFields };

  let old: Record<string, unknown> | undefined;
  if (options.operation === "UPDATE" && options.oldObject !== undefined && options.oldObject !== null) {
    // The stored object is decoded the same way when it is read back.
    old = applySchemaDefaults(entry.schema, pruneUnknownFields(entry.schema, asRecord(options.oldObject)).object);
  }

  // A cluster-scoped object's namespace is cleared, not rejected.
  if (entry.scope === "Cluster" && isRecord(decoded.metadata)) delete decoded.metadata.namespace;

  // With a status subresource, the main endpoint ignores status: dropped on
  // create, kept from the stored object on update.
  if (entry.hasStatusSubresource) {
    if (old !== undefined && old.status !== undefined) decoded.status = structuredClone(old.status);
    else delete decoded.status;
  }

  const violations = validateAgainstSchema(entry.schema, decoded, {
    preceding: validateObjectMeta(decoded),
    ...(old !== undefined ? { oldObject: old } : {}),
  });
  return { object: decoded, violations, prunedFields };
}

/**
 * Checks `object` when it is one of the catalog's kinds; undefined for any
 * other kind, which is not this step's business.
 */
export function checkIfCustomResource(catalog: CrdCatalog, object: unknown, options: CheckOptions): CheckResult | undefined {
  if (!isRecord(object) || typeof object.apiVersion !== "string" || typeof object.kind !== "string") return undefined;
  const entry = catalog.lookup(object.apiVersion, object.kind);
  return entry === undefined ? undefined : checkCustomResource(entry, object, options);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
