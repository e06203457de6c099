// Structural defaulting, as the API server does it when it decodes a custom
// resource (apiextensions' defaulting algorithm): first nulls the schema does
// not allow and cannot default are dropped, then every missing field with a
// default gets a copy of it. A default applies only where its parent object
// exists; defaulted values are defaulted in turn; list items get the items'
// defaults.
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { additionalPropertiesOf, itemsOf } from "../../crds/schema-props.ts";

/** A defaulted copy of `object`; the input is not changed. */
export function applySchemaDefaults<T>(schema: JSONSchemaProps, object: T): T {
  const copy = structuredClone(object);
  pruneNonNullableNulls(copy, schema);
  applyDefaults(copy, schema);
  return copy;
}

/** A null is kept only where the schema says `nullable: true` or a default will replace it. */
export function pruneNonNullableNulls(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (Array.isArray(value)) {
    const items = schema === undefined ? undefined : itemsOf(schema);
    for (const item of value) pruneNonNullableNulls(item, items);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const sub = schemaForField(schema, key);
    if (record[key] === null && sub !== undefined && sub.nullable !== true && sub.default === undefined) delete record[key];
    else pruneNonNullableNulls(record[key], sub);
  }
}

function applyDefaults(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (schema === undefined) return;
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    if (items === undefined) return;
    for (let i = 0; i < value.length; i++) {
      if (isNonNullableNull(value[i], items)) value[i] = structuredClone(items.default);
      applyDefaults(value[i], items);
    }
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const record = value as Record<string, unknown>;
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (prop.default === undefined) continue;
    if (!(key in record) || isNonNullableNull(record[key], prop)) record[key] = structuredClone(prop.default);
  }
  const values = additionalPropertiesOf(schema);
  for (const key of Object.keys(record)) {
    const prop = schema.properties?.[key];
    if (prop !== undefined) {
      applyDefaults(record[key], prop);
    } else if (values !== undefined) {
      if (isNonNullableNull(record[key], values) && values.default !== undefined) record[key] = structuredClone(values.default);
      applyDefaults(record[key], values);
    }
  }
}

function isNonNullableNull(value: unknown, schema: JSONSchemaProps): boolean {
  return value === null && schema.nullable !== true && schema.default !== undefined;
}

function schemaForField(schema: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  if (schema === undefined) return undefined;
  return schema.properties?.[key] ?? additionalPropertiesOf(schema);
}
