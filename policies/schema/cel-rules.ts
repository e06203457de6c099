// Evaluation of a schema's x-kubernetes-validations rules the way the API
// server does it (apiextensions' schema/cel Validator), through the shared
// hostgate CEL engine. The schema and the object are walked together: a
// rule's `self` is the value at the rule's node, its `oldSelf` the value at
// the same place in the old object, and only where the two can be paired
// (object fields, map values, entries of `map` lists with the same keys).
// A rule reading `oldSelf` runs only where an old value exists, which means
// only on UPDATE. Rules that do not compile or fail at run time are reported
// as violations: a rule hostgate cannot check never passes silently.
import type { JSONSchemaProps, ValidationRule } from "../../crds/schema-props.ts";
import { additionalPropertiesOf, itemsOf, preservesUnknownFields } from "../../crds/schema-props.ts";
import { CelEvaluationError, compileCel } from "../engine/cel.ts";
import type { CelCompileFailure, CompiledCel } from "../engine/cel.ts";
import type { SchemaViolation } from "./field-errors.ts";
import { duplicate, forbidden, invalid, required, ROOT_FIELD } from "./field-errors.ts";
import { childPath, indexPath, keyPath } from "./field-path.ts";

export interface CelRuleOptions {
  /** The stored object, on UPDATE. Transition rules run only when it is given. */
  oldObject?: unknown;
  /** The value is a whole object: at the root, `self.metadata` shows only name and generateName. Default true. */
  isResourceRoot?: boolean;
  /** Field path of the value, when it is not a whole object (e.g. a default being checked). */
  path?: string;
}

const RULE_VARIABLES = ["self", "oldSelf"] as const;
const MAX_CACHED = 1024;
const cache = new Map<string, CompiledCel | CelCompileFailure>();

function compile(source: string): CompiledCel | CelCompileFailure {
  let entry = cache.get(source);
  if (entry === undefined) {
    entry = compileCel(source, { variables: RULE_VARIABLES });
    // Rules come from a handful of CRDs; the bound only guards ad-hoc callers.
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(source, entry);
  }
  return entry;
}

class BudgetSpent extends Error {}

export function validateCelRules(schema: JSONSchemaProps, object: unknown, options: CelRuleOptions = {}): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const root = options.isResourceRoot ?? true;
  const start = options.path ?? "";
  try {
    visit(schema, object, options.oldObject, start, root, out);
  } catch (error) {
    if (!(error instanceof BudgetSpent)) throw error;
  }
  return out;
}

function visit(schema: JSONSchemaProps, value: unknown, old: unknown, path: string, isRoot: boolean, out: SchemaViolation[]): void {
  // Rules see only non-null values; presence is checked from the parent.
  if (value === null || value === undefined) return;
  checkRules(schema, value, old, path, isRoot, out);
  // CEL cannot see inside nodes that keep unknown fields without a schema.
  if (preservesUnknownFields(schema) && schema.properties === undefined && schema.additionalProperties === undefined && schema.items === undefined) return;

  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    if (items === undefined) return;
    const oldItems = correlatedItems(schema, old);
    for (const [i, item] of value.entries()) visit(items, item, oldItems(item), indexPath(path, i), false, out);
    return;
  }
  if (typeof value !== "object") return;
  const record = value as Record<string, unknown>;
  const oldRecord = mapIsCorrelatable(schema) && isRecord(old) ? old : undefined;
  const values = additionalPropertiesOf(schema);
  for (const [key, child] of Object.entries(record)) {
    const prop = schema.properties?.[key];
    if (prop !== undefined) visit(prop, child, oldRecord?.[key], childPath(path, key), false, out);
    else if (values !== undefined) visit(values, child, oldRecord?.[key], keyPath(path, key), false, out);
  }
}

function checkRules(schema: JSONSchemaProps, value: unknown, old: unknown, path: string, isRoot: boolean, out: SchemaViolation[]): void {
  const rules = schema["x-kubernetes-validations"] ?? [];
  if (rules.length === 0) return;
  const type = schema.type ?? "";
  const here = path === "" ? ROOT_FIELD : path;
  const self = isRoot ? withVisibleMetadata(value) : value;
  const oldSelf = old === null || old === undefined ? undefined : isRoot ? withVisibleMetadata(old) : old;

  for (const rule of rules) {
    const compiled = compile(rule.rule);
    if (!compiled.ok) {
      out.push(invalid(here, type, `rule compile error: ${compiled.message}`));
      continue;
    }
    if (compiled.rootsRead.has("oldSelf") && oldSelf === undefined) {
      if (rule.optionalOldSelf === true) {
        // The API server binds oldSelf to an empty optional here; our engine has no optionals.
        out.push(invalid(here, type, `rule uses optionalOldSelf, which hostgate cannot evaluate: ${ruleErrorString(rule)}`));
      }
      // Transition rules run only where there is an old value to compare with.
      continue;
    }
    const bindings = oldSelf === undefined ? { self } : { self, oldSelf };
    let result: unknown;
    try {
      result = compiled.evaluate(bindings);
    } catch (error) {
      if (error instanceof CelEvaluationError && error.budgetExhausted) {
        out.push(invalid(here, type, "validation failed due to running out of cost budget, no further validation rules will be run"));
        throw new BudgetSpent();
      }
      const message = error instanceof Error ? error.message : String(error);
      out.push(invalid(here, type, `${message} evaluating rule: ${ruleErrorString(rule)}`));
      continue;
    }
    if (result === true) continue;
    if (result !== false) {
      out.push(invalid(here, type, `rule compile error: rule must evaluate to a bool, but ${ruleErrorString(rule)} evaluated to ${describe(result)}`));
      continue;
    }
    const target = rule.fieldPath === undefined ? here : resolveFieldPath(schema, path, rule.fieldPath);
    if (target === undefined) {
      out.push(invalid(here, type, `rule compile error: fieldPath ${JSON.stringify(rule.fieldPath)} does not refer to a field of this schema node`));
      continue;
    }
    const detail = messageFor(rule, bindings);
    out.push(errorForReason(rule, target, type, detail));
  }
}

function errorForReason(rule: ValidationRule, field: string, type: string, detail: string): SchemaViolation {
  switch (rule.reason) {
    case "FieldValueForbidden":
      return forbidden(field, detail);
    case "FieldValueRequired":
      return required(field, detail);
    case "FieldValueDuplicate":
      return duplicate(field, type);
    default:
      // The API server shows the rule's node type ("object", "string") as the value.
      return invalid(field, type, detail);
  }
}

/** messageExpression's result when it yields a usable string, else the message, else "failed rule: ...". */
function messageFor(rule: ValidationRule, bindings: Record<string, unknown>): string {
  if (rule.messageExpression !== undefined && rule.messageExpression.trim() !== "") {
    const compiled = compile(rule.messageExpression);
    if (compiled.ok) {
      try {
        const text = compiled.evaluate(bindings);
        if (typeof text === "string") {
          const trimmed = text.trim();
          if (trimmed !== "" && !trimmed.includes("\n") && trimmed.length <= 5 * 1024) return trimmed;
        }
      } catch {
        // The API server logs the failure and falls back to the message.
      }
    }
  }
  if (rule.message !== undefined && rule.message.length > 0) return rule.message.trim();
  return `failed rule: ${ruleErrorString(rule)}`;
}

function ruleErrorString(rule: ValidationRule): string {
  return rule.message !== undefined && rule.message.length > 0 ? rule.message.trim() : rule.rule.trim();
}

/**
 * The field path a rule's `fieldPath` names (`.backend`, `.a['b.c']`), below
 * `path`; undefined when it does not lead through the schema.
 */
export function resolveFieldPath(schema: JSONSchemaProps, path: string, fieldPath: string): string | undefined {
  const tokens = tokenize(fieldPath);
  if (tokens === undefined || tokens.length === 0) return undefined;
  let node: JSONSchemaProps | undefined = schema;
  let out = path;
  for (const name of tokens) {
    if (node === undefined) return undefined;
    if (node.properties !== undefined) {
      node = node.properties[name];
      if (node === undefined) return undefined;
      out = childPath(out, name);
    } else if (additionalPropertiesOf(node) !== undefined) {
      node = additionalPropertiesOf(node);
      out = keyPath(out, name);
    } else {
      return undefined;
    }
  }
  return out === "" ? ROOT_FIELD : out;
}

function tokenize(fieldPath: string): string[] | undefined {
  const tokens: string[] = [];
  let rest = fieldPath.trim();
  while (rest !== "") {
    const dotted = /^\.([^.[\]]+)/.exec(rest);
    if (dotted !== null) {
      tokens.push(dotted[1]!);
      rest = rest.slice(dotted[0].length);
      continue;
    }
    const quoted = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest);
    if (quoted !== null) {
      tokens.push(quoted[1]!.replace(/\\(.)/g, "$1"));
      rest = rest.slice(quoted[0].length);
      continue;
    }
    return undefined;
  }
  return tokens;
}

/** Old list items paired with new ones: only `map` lists pair items, by their keys. */
function correlatedItems(schema: JSONSchemaProps, old: unknown): (item: unknown) => unknown {
  if (schema["x-kubernetes-list-type"] !== "map" || !Array.isArray(old)) return () => undefined;
  const keys = schema["x-kubernetes-list-map-keys"] ?? [];
  const byKey = new Map<string, unknown>();
  const keyOf = (item: unknown): string | undefined => (isRecord(item) ? JSON.stringify(keys.map((k) => item[k] ?? null)) : undefined);
  for (const item of old) {
    const k = keyOf(item);
    if (k !== undefined && !byKey.has(k)) byKey.set(k, item);
  }
  return (item) => {
    const k = keyOf(item);
    return k === undefined ? undefined : byKey.get(k);
  };
}

function mapIsCorrelatable(schema: JSONSchemaProps): boolean {
  const mapType = schema["x-kubernetes-map-type"];
  return mapType === undefined || mapType === "granular" || mapType === "atomic";
}

/** At an object's root, CEL sees apiVersion, kind and only metadata.name and metadata.generateName. */
function withVisibleMetadata(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const metadata = value.metadata;
  if (!isRecord(metadata)) return value;
  const visible: Record<string, unknown> = {};
  if (metadata.name !== undefined) visible.name = metadata.name;
  if (metadata.generateName !== undefined) visible.generateName = metadata.generateName;
  return { ...value, metadata: visible };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return `int ${value}`;
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  return typeof value;
}
