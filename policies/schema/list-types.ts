// The API server's uniqueness check for `x-kubernetes-list-type: set` and
// `map` lists (apiextensions' listtype validation): a set may not repeat an
// item, a map list may not repeat a key.
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { additionalPropertiesOf, itemsOf } from "../../crds/schema-props.ts";
import type { SchemaViolation } from "./field-errors.ts";
import { duplicate, goQuote, goValue } from "./field-errors.ts";
import { childPath, indexPath } from "./field-path.ts";

export function validateListTypes(schema: JSONSchemaProps, object: unknown, path = ""): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  visit(schema, object, path, out);
  return out;
}

function visit(schema: JSONSchemaProps, value: unknown, path: string, out: SchemaViolation[]): void {
  if (Array.isArray(value)) {
    const listType = schema["x-kubernetes-list-type"];
    if (listType === "set") checkSet(value, path, out);
    if (listType === "map") checkMap(schema, value, path, out);
    const items = itemsOf(schema);
    if (items !== undefined) for (const [i, item] of value.entries()) visit(items, item, indexPath(path, i), out);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const record = value as Record<string, unknown>;
  const values = additionalPropertiesOf(schema);
  for (const [key, child] of Object.entries(record)) {
    const sub = schema.properties?.[key] ?? values;
    if (sub !== undefined) visit(sub, child, childPath(path, key), out);
  }
}

// Only the second occurrence of a value is reported, as the API server does.
function checkSet(list: readonly unknown[], path: string, out: SchemaViolation[]): void {
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const key = JSON.stringify(item) ?? "null";
    const times = seen.get(key) ?? 0;
    seen.set(key, times + 1);
    if (times === 1) out.push(duplicate(indexPath(path, i), item));
  });
}

function checkMap(schema: JSONSchemaProps, list: readonly unknown[], path: string, out: SchemaViolation[]): void {
  const keyNames = schema["x-kubernetes-list-map-keys"] ?? [];
  const itemProps = itemsOf(schema)?.properties ?? {};
  const seen = new Set<string>();
  list.forEach((item, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return;
    const keys: Record<string, unknown> = {};
    for (const name of keyNames) {
      const v = (item as Record<string, unknown>)[name] ?? itemProps[name]?.default;
      if (v !== undefined) keys[name] = v;
    }
    const id = JSON.stringify(keyNames.map((n) => keys[n] ?? null));
    if (seen.has(id)) out.push({ ...duplicate(indexPath(path, i), null), ...goMapRendering(indexPath(path, i), keys) });
    seen.add(id);
  });
}

/** Go's %#v of the map[string]interface{} of keys the API server reports for a duplicate map-list entry. */
function goMapRendering(field: string, keys: Record<string, unknown>): Pick<SchemaViolation, "message" | "detail"> {
  const entries = Object.keys(keys)
    .sort()
    .map((k) => `${goQuote(k)}:${goValue(keys[k])}`);
  const detail = `Duplicate value: map[string]interface {}{${entries.join(", ")}}`;
  return { detail, message: `${field}: ${detail}` };
}
