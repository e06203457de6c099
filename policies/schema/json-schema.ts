// Translates a CRD openAPIV3Schema (OpenAPI 3.0 dialect plus Kubernetes
// extensions) into a JSON Schema ajv can compile, keeping exactly the
// keywords the API server's schema validator enforces.
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { FORMATS } from "./formats.ts";

export type JsonSchema = Record<string, unknown>;

/**
 * What each translated node remembers of its source, for error messages:
 * the declared type list without "null" (nullable is a flag to the API
 * server, not a type, and does not appear in its messages).
 */
export const DECLARED_TYPE = "x-hostgate-declared-type";

export function toJsonSchema(node: JSONSchemaProps): JsonSchema {
  const out: JsonSchema = {};
  const nullable = node.nullable === true;

  // int-or-string has no `type`; the API server validates it as integer or string.
  const types = node["x-kubernetes-int-or-string"] === true ? ["integer", "string"] : node.type !== undefined ? [node.type] : [];
  if (types.length > 0) {
    out.type = nullable ? [...types, "null"] : types.length === 1 ? types[0] : types;
    out[DECLARED_TYPE] = types.join(",");
  }

  // Number formats (int32, int64, float, double) do not restrict values in
  // the API server; string formats are checked only when it knows them.
  if (node.format !== undefined && FORMATS[node.format] !== undefined) out.format = node.format;

  if (node.enum !== undefined) out.enum = nullable ? [...node.enum, null] : [...node.enum];
  copy(node, out, ["maxLength", "minLength", "pattern", "maxItems", "minItems", "maxProperties", "minProperties", "multipleOf"]);

  // OpenAPI 3.0 exclusiveMinimum/Maximum are flags on minimum/maximum.
  if (node.minimum !== undefined) {
    if (node.exclusiveMinimum === true) out.exclusiveMinimum = node.minimum;
    else out.minimum = node.minimum;
  }
  if (node.maximum !== undefined) {
    if (node.exclusiveMaximum === true) out.exclusiveMaximum = node.maximum;
    else out.maximum = node.maximum;
  }

  if (node.required !== undefined && node.required.length > 0) out.required = [...node.required];
  if (node.properties !== undefined) {
    const properties: Record<string, JsonSchema> = {};
    for (const [name, child] of Object.entries(node.properties)) properties[name] = toJsonSchema(child);
    out.properties = properties;
  }
  // Unknown fields are pruned before validation, never rejected, so
  // additionalProperties only matters as the schema of map values.
  if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) {
    out.additionalProperties = toJsonSchema(node.additionalProperties);
  }
  if (node.items !== undefined && !Array.isArray(node.items)) out.items = toJsonSchema(node.items);

  for (const junctor of ["allOf", "anyOf", "oneOf"] as const) {
    const list = node[junctor];
    if (list !== undefined && list.length > 0) out[junctor] = list.map(toJsonSchema);
  }
  if (node.not !== undefined) out.not = toJsonSchema(node.not);
  return out;
}

function copy(from: JSONSchemaProps, to: JsonSchema, keys: readonly (keyof JSONSchemaProps)[]): void {
  for (const key of keys) if (from[key] !== undefined) to[key] = from[key];
}
