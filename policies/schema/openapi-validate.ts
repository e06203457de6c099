// The API server's OpenAPI schema check of a custom resource (kube-openapi's
// SchemaValidator), done with ajv on the translated schema and reported with
// the API server's messages (apiextensions' kubeOpenAPIResultToFieldErrors).
import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import type { SchemaViolation } from "./field-errors.ts";
import { goFloat, goQuote, internalError, invalid, notSupported, required, ROOT_FIELD, tooLong, tooMany, typeInvalid } from "./field-errors.ts";
import { childPath, joinPath, pointerToFieldPath } from "./field-path.ts";
import { FORMATS } from "./formats.ts";
import { DECLARED_TYPE, toJsonSchema } from "./json-schema.ts";

let sharedAjv: Ajv | undefined;

function ajv(): Ajv {
  if (sharedAjv === undefined) {
    // verbose: errors carry the failing data, which the messages quote.
    sharedAjv = new Ajv({ allErrors: true, verbose: true, strict: false, unicodeRegExp: true });
    for (const [name, validate] of Object.entries(FORMATS)) sharedAjv.addFormat(name, { type: "string", validate });
  }
  return sharedAjv;
}

type Compiled = { ok: true; validate: ValidateFunction } | { ok: false; message: string };

// Keyed by the schema object: catalog schemas live for the process, so each is compiled once.
const compiled = new WeakMap<JSONSchemaProps, Compiled>();

function compile(schema: JSONSchemaProps): Compiled {
  let entry = compiled.get(schema);
  if (entry === undefined) {
    try {
      entry = { ok: true, validate: ajv().compile(toJsonSchema(schema)) };
    } catch (error) {
      entry = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    compiled.set(schema, entry);
  }
  return entry;
}

/**
 * OpenAPI violations of `object` (already pruned and defaulted) against
 * `schema`. `basePath` prefixes the reported fields when `object` is not a
 * whole object; the messages keep paths relative to it, as the API server's do.
 */
export function validateOpenApi(schema: JSONSchemaProps, object: unknown, basePath = ""): SchemaViolation[] {
  const entry = compile(schema);
  if (!entry.ok) {
    return [internalError(ROOT_FIELD, `the schema cannot be compiled (${entry.message}); fix the CRD's openAPIV3Schema`)];
  }
  if (entry.validate(object)) return [];
  const errors = entry.validate.errors ?? [];

  // kube-openapi checks min/maxProperties first and skips the rest of that
  // object's checks when they fail; drop what ajv reported beyond them.
  const cutOff = errors.filter((e) => e.keyword === "maxProperties" || e.keyword === "minProperties").map((e) => e.instancePath);
  const out: SchemaViolation[] = [];
  for (const error of errors) {
    if (cutOff.some((p) => error.instancePath.startsWith(`${p}/`) || (error.instancePath === p && error.keyword === "required"))) continue;
    // Sub-errors of anyOf/oneOf/not branches: kube-openapi reports the junctor only.
    if (/\/(anyOf|oneOf)\/\d+\/|\/not\//.test(error.schemaPath)) continue;
    const violation = toViolation(error, object, basePath);
    if (violation !== undefined) out.push(violation);
  }
  return out;
}

function toViolation(error: ErrorObject, root: unknown, basePath: string): SchemaViolation | undefined {
  const name = pointerToFieldPath(error.instancePath, root);
  const field = joinPath(basePath, name);
  const data: unknown = error.data;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return required(childPath(field, String(params.missingProperty)));
    case "enum":
      return notSupported(
        field,
        data,
        (params.allowedValues as unknown[]).filter((v) => v !== null),
      );
    case "type": {
      const declared = (error.parentSchema as Record<string, unknown> | undefined)?.[DECLARED_TYPE];
      const expected = typeof declared === "string" ? declared : String(params.type);
      const actual = jsonTypeName(data);
      return typeInvalid(field, actual, `${name} in body must be of type ${expected}: ${goQuote(actual)}`);
    }
    case "format":
      return typeInvalid(field, data, `${name} in body must be of type ${String(params.format)}: ${goQuote(String(data))}`);
    case "maxLength":
      return tooLong(field, Number(params.limit));
    case "minLength":
      return invalid(field, data, `${name} in body should be at least ${Number(params.limit)} chars long`);
    case "pattern":
      return invalid(field, data, `${name} in body should match '${String(params.pattern)}'`);
    case "minimum":
    case "exclusiveMinimum":
    case "maximum":
    case "exclusiveMaximum":
      return invalid(field, data, `${name} in body should be ${comparisonWords(String(params.comparison))} ${limitText(Number(params.limit), data)}`);
    case "multipleOf":
      return invalid(field, data, `${name} in body should be a multiple of ${goFloat(Number(params.multipleOf))}`);
    case "maxItems":
      return tooMany(field, Array.isArray(data) ? data.length : -1, Number(params.limit));
    case "minItems":
      return invalid(field, Array.isArray(data) ? data.length : data, `${name} in body should have at least ${Number(params.limit)} items`);
    case "maxProperties":
      return tooMany(field, countKeys(data), Number(params.limit));
    case "minProperties":
      return invalid(field, countKeys(data), `${name} in body should have at least ${Number(params.limit)} properties`);
    // The junctors are reported by kube-openapi without a field, as a quoted path.
    case "anyOf":
      return invalid(ROOT_FIELD, "", `${goQuote(name)} must validate at least one schema (anyOf)`);
    case "oneOf":
      return invalid(ROOT_FIELD, "", `${goQuote(name)} must validate one and only one schema (oneOf)`);
    case "not":
      return invalid(ROOT_FIELD, "", `${goQuote(name)} must not validate the schema (not)`);
    default:
      return invalid(field, data, `${name} in body ${error.message ?? "is invalid"}`);
  }
}

/** The JSON type name the API server reports for a value. */
export function jsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "bigint") return "integer";
  return typeof value;
}

function comparisonWords(comparison: string): string {
  switch (comparison) {
    case ">=":
      return "greater than or equal to";
    case ">":
      return "greater than";
    case "<=":
      return "less than or equal to";
    default:
      return "less than";
  }
}

// An integer value is compared with the limit truncated to int64; a
// fractional one with the float64 limit, printed the Go way.
function limitText(limit: number, data: unknown): string {
  return typeof data === "number" && Number.isInteger(data) ? String(Math.trunc(limit)) : goFloat(limit);
}

function countKeys(value: unknown): number {
  return typeof value === "object" && value !== null ? Object.keys(value).length : -1;
}
