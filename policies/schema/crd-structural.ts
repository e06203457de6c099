// Structural-schema rules for CRD manifests (checked in crds/crds.test.ts).
// A static check of a CRD's openAPIV3Schema against the rules the API server
// enforces when the CRD is created (apiextensions' CRD validation and
// structural-schema validation). We cannot run an API server in tests, so
// this is how we know our manifests would be accepted; each rule names the
// API server's own message so a failure reads like the real rejection.
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { additionalPropertiesOf, itemsOf, VALIDATION_RULE_REASONS } from "../../crds/schema-props.ts";
import { readsOldSelf } from "../../crds/validation-rules.ts";
import type { SchemaViolation } from "./field-errors.ts";
import { forbidden, invalid, notSupported, required } from "./field-errors.ts";
import { resolveFieldPath } from "./cel-rules.ts";
import { pruneUnknownFields } from "./prune.ts";
import { validateAgainstSchema } from "./validate.ts";

export interface StructuralOptions {
  /** The version has a status subresource: only some keywords are allowed at the root. */
  statusSubresource?: boolean;
  /** Field path of the schema, for messages. Default `openAPIV3Schema`. */
  path?: string;
}

const OPENAPI_TYPES = ["array", "boolean", "integer", "number", "object", "string"];
// Root keywords allowed with a status subresource (allowedFieldsAtRootSchema).
const ROOT_KEYS_WITH_STATUS = new Set([
  "description",
  "type",
  "format",
  "title",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "multipleOf",
  "required",
  "items",
  "properties",
  "externalDocs",
  "example",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-validations",
]);
const JUNCTORS = ["allOf", "anyOf", "oneOf"] as const;

type Level = "root" | "field" | "item";

interface Context {
  path: string;
  level: Level;
  /** Why defaults are not allowed here, when they are not. */
  noDefaults?: string;
  /** The first ancestor whose children cannot be paired with their old values, for oldSelf. */
  uncorrelatable?: string;
  /** Inside a resource's metadata, kind or apiVersion. */
  insideMeta: boolean;
}

/** Every rule the schema breaks, as the API server would report it. Empty when the CRD would be accepted. */
export function checkStructuralSchema(schema: JSONSchemaProps, options: StructuralOptions = {}): SchemaViolation[] {
  const path = options.path ?? "openAPIV3Schema";
  const out: SchemaViolation[] = [];
  if (options.statusSubresource === true) {
    for (const key of Object.keys(schema)) {
      if (!ROOT_KEYS_WITH_STATUS.has(key)) {
        out.push(
          invalid(path, key, `only ${[...ROOT_KEYS_WITH_STATUS].join(", ")} are allowed at the root of the schema if the status subresource is enabled`),
        );
      }
    }
  }
  if (schema.nullable === true) out.push(forbidden(`${path}.nullable`, "nullable cannot be true at the root"));
  visit(schema, { path, level: "root", insideMeta: false }, out);
  return out;
}

function visit(node: JSONSchemaProps, ctx: Context, out: SchemaViolation[]): void {
  const { path, level } = ctx;
  checkKeywords(node, path, out);
  checkType(node, ctx, out);
  checkDefault(node, ctx, out);
  checkExtensions(node, ctx, out);
  checkRules(node, ctx, out);
  checkJunctors(node, path, out);

  // Children.
  const isResource = level === "root" || node["x-kubernetes-embedded-resource"] === true;
  const uncorrelatable = childrenUncorrelatable(node, ctx);
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const childPath = `${path}.properties[${name}]`;
    const meta = isResource && (name === "metadata" || name === "kind" || name === "apiVersion");
    if (level === "root" && name === "metadata") checkRootMetadata(child, childPath, out);
    if (isResource && (name === "kind" || name === "apiVersion") && child.type !== "string") {
      out.push(invalid(`${childPath}.type`, child.type ?? "", "must be string"));
    }
    visit(
      child,
      {
        path: childPath,
        level: "field",
        insideMeta: ctx.insideMeta || meta,
        ...(meta && level === "root" ? { noDefaults: `in top-level ${name}` } : ctx.noDefaults !== undefined ? { noDefaults: ctx.noDefaults } : {}),
        ...(uncorrelatable !== undefined ? { uncorrelatable } : {}),
      },
      out,
    );
  }

  if (node.additionalProperties !== undefined) {
    if (level === "root") out.push(forbidden(`${path}.additionalProperties`, "must not be used at the root"));
    if (node.additionalProperties === false) {
      out.push(
        forbidden(`${path}.additionalProperties`, "must not be false: unknown fields are pruned by the API server, not rejected; remove additionalProperties"),
      );
    }
    if (node.properties !== undefined && Object.keys(node.properties).length > 0 && node.additionalProperties !== true) {
      out.push(forbidden(`${path}.additionalProperties`, "additionalProperties and properties are mutual exclusive"));
    }
    const values = additionalPropertiesOf(node);
    if (values !== undefined) {
      const noDefaults = ctx.insideMeta ? "inside additionalProperties applying to object metadata" : ctx.noDefaults;
      visit(
        values,
        {
          path: `${path}.additionalProperties`,
          level: "field",
          insideMeta: ctx.insideMeta,
          ...(noDefaults !== undefined ? { noDefaults } : {}),
          ...(uncorrelatable !== undefined ? { uncorrelatable } : {}),
        },
        out,
      );
    }
  }

  if (node.type === "array" && node.items === undefined) out.push(required(`${path}.items`, "must be specified"));
  if (Array.isArray(node.items)) out.push(forbidden(`${path}.items`, "items must be a schema object and not an array"));
  const items = itemsOf(node);
  if (items !== undefined) {
    // Only `map` lists pair new items with old ones.
    const itemsUncorrelatable = node["x-kubernetes-list-type"] === "map" ? ctx.uncorrelatable : (ctx.uncorrelatable ?? path);
    visit(
      items,
      {
        path: `${path}.items`,
        level: "item",
        insideMeta: ctx.insideMeta,
        ...(ctx.noDefaults !== undefined ? { noDefaults: ctx.noDefaults } : {}),
        ...(itemsUncorrelatable !== undefined ? { uncorrelatable: itemsUncorrelatable } : {}),
      },
      out,
    );
  }
}

/** Fields and map values pair with their old values unless the map type says otherwise. */
function childrenUncorrelatable(node: JSONSchemaProps, ctx: Context): string | undefined {
  if (ctx.uncorrelatable !== undefined) return ctx.uncorrelatable;
  const mapType = node["x-kubernetes-map-type"];
  return mapType === undefined || mapType === "granular" || mapType === "atomic" ? undefined : ctx.path;
}

/** Keywords the API server does not support at all. */
function checkKeywords(node: JSONSchemaProps, path: string, out: SchemaViolation[]): void {
  if (node.$ref !== undefined) out.push(forbidden(`${path}.$ref`, "$ref is not supported"));
  if (node.$schema !== undefined) out.push(forbidden(`${path}.$schema`, "$schema is not supported"));
  if (node.id !== undefined) out.push(forbidden(`${path}.id`, "id is not supported"));
  if (node.definitions !== undefined) out.push(forbidden(`${path}.definitions`, "definitions is not supported"));
  if (node.dependencies !== undefined) out.push(forbidden(`${path}.dependencies`, "dependencies is not supported"));
  if (node.patternProperties !== undefined) out.push(forbidden(`${path}.patternProperties`, "patternProperties is not supported"));
  if (node.additionalItems !== undefined) out.push(forbidden(`${path}.additionalItems`, "additionalItems is not supported"));
  if (node.uniqueItems === true) {
    out.push(forbidden(`${path}.uniqueItems`, "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
  }
  if (node.pattern !== undefined) {
    const problem = patternProblem(node.pattern);
    if (problem !== undefined) out.push(invalid(`${path}.pattern`, node.pattern, `must be a valid regular expression, but isn't: ${problem}`));
  }
}

function checkType(node: JSONSchemaProps, ctx: Context, out: SchemaViolation[]): void {
  const { path, level } = ctx;
  const type = node.type;
  if (type === "null") out.push(forbidden(`${path}.type`, "type cannot be set to null, use nullable as an alternative"));
  else if (type !== undefined && !OPENAPI_TYPES.includes(type)) out.push(notSupported(`${path}.type`, type, OPENAPI_TYPES));

  const intOrString = node["x-kubernetes-int-or-string"] === true;
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
  if (node["x-kubernetes-embedded-resource"] === true && type !== "object") {
    if (type === undefined) out.push(required(`${path}.type`, "must be object if x-kubernetes-embedded-resource is true"));
    else out.push(invalid(`${path}.type`, type, "must be object if x-kubernetes-embedded-resource is true"));
  } else if (type === undefined && !intOrString && !preserve) {
    const where = level === "root" ? "at the root" : level === "item" ? "for specified array items" : "for specified object fields";
    out.push(required(`${path}.type`, `must not be empty ${where}`));
  }
  if (level === "root" && type !== undefined && type !== "object") out.push(invalid(`${path}.type`, type, "must be object at the root"));
  if (intOrString && type !== undefined) out.push(invalid(`${path}.type`, type, "must be empty if x-kubernetes-int-or-string is true"));
}

/** metadata at the root may only restrict name and generateName. */
function checkRootMetadata(node: JSONSchemaProps, path: string, out: SchemaViolation[]): void {
  if (node.type !== "object") out.push(invalid(`${path}.type`, node.type ?? "", "must be object"));
  const props = Object.keys(node.properties ?? {});
  const onlyNames = props.every((p) => p === "name" || p === "generateName");
  const others = Object.keys(node).filter((k) => k !== "type" && k !== "properties" && k !== "default");
  if (!onlyNames || others.length > 0) {
    out.push(forbidden(path, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
  }
}

function checkDefault(node: JSONSchemaProps, ctx: Context, out: SchemaViolation[]): void {
  if (node.default === undefined) return;
  const path = `${ctx.path}.default`;
  if (ctx.noDefaults !== undefined) {
    out.push(forbidden(path, `must not be set ${ctx.noDefaults}`));
    return;
  }
  const { pruned } = pruneUnknownFields(node, node.default, { isResourceRoot: false });
  if (pruned.length > 0) out.push(invalid(path, node.default, `must not have unknown fields (${pruned.join(", ")})`));
  // The API server validates a default against its own node, rules included.
  out.push(...validateAgainstSchema(node, node.default, { isResourceRoot: false, oldObject: node.default, path }));
}

function checkExtensions(node: JSONSchemaProps, ctx: Context, out: SchemaViolation[]): void {
  const { path } = ctx;
  if (node["x-kubernetes-preserve-unknown-fields"] === false) {
    out.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, "must be true or undefined"));
  }
  if (node["x-kubernetes-int-or-string"] === true) {
    if (node["x-kubernetes-preserve-unknown-fields"] === true) {
      out.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, "must be false if x-kubernetes-int-or-string is true"));
    }
    if (node["x-kubernetes-embedded-resource"] === true) {
      out.push(invalid(`${path}.x-kubernetes-embedded-resource`, true, "must be false if x-kubernetes-int-or-string is true"));
    }
  }
  if (node["x-kubernetes-embedded-resource"] === true) {
    if (ctx.insideMeta) out.push(forbidden(`${path}.x-kubernetes-embedded-resource`, "must not be used inside of resource meta"));
    if (node.additionalProperties !== undefined) {
      out.push(forbidden(`${path}.additionalProperties`, "must not be used if x-kubernetes-embedded-resource is set"));
    }
    if (node["x-kubernetes-preserve-unknown-fields"] !== true && Object.keys(node.properties ?? {}).length === 0) {
      out.push(required(`${path}.properties`, "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
    }
  }

  const mapType = node["x-kubernetes-map-type"];
  if (mapType !== undefined) {
    if (node.type !== "object") {
      out.push(
        node.type === undefined
          ? required(`${path}.type`, "must be object if x-kubernetes-map-type is specified")
          : invalid(`${path}.type`, node.type, "must be object if x-kubernetes-map-type is specified"),
      );
    }
    if (mapType !== "atomic" && mapType !== "granular") out.push(notSupported(`${path}.x-kubernetes-map-type`, mapType, ["atomic", "granular"]));
  }
  checkListType(node, path, out);
}

function checkListType(node: JSONSchemaProps, path: string, out: SchemaViolation[]): void {
  const listType = node["x-kubernetes-list-type"];
  const keys = node["x-kubernetes-list-map-keys"] ?? [];
  const items = itemsOf(node);
  if (listType !== undefined && node.type !== "array") {
    out.push(
      node.type === undefined
        ? required(`${path}.type`, "must be array if x-kubernetes-list-type is specified")
        : invalid(`${path}.type`, node.type, "must be array if x-kubernetes-list-type is specified"),
    );
  }
  if (listType !== undefined && listType !== "atomic" && listType !== "set" && listType !== "map") {
    out.push(notSupported(`${path}.x-kubernetes-list-type`, listType, ["atomic", "set", "map"]));
  }
  if (keys.length > 0 && listType !== "map") {
    out.push(
      listType === undefined
        ? required(`${path}.x-kubernetes-list-type`, "must be map if x-kubernetes-list-map-keys is non-empty")
        : invalid(`${path}.x-kubernetes-list-type`, listType, "must be map if x-kubernetes-list-map-keys is non-empty"),
    );
  }
  if ((listType === "set" || listType === "map") && items?.nullable === true) {
    out.push(forbidden(`${path}.items.nullable`, `cannot be nullable when x-kubernetes-list-type is ${listType}`));
  }
  if (listType === "set" && items !== undefined) {
    if (items.type === "object" && items["x-kubernetes-map-type"] !== "atomic") {
      out.push(
        invalid(
          `${path}.items.x-kubernetes-map-type`,
          items["x-kubernetes-map-type"] ?? null,
          "must be atomic as item of a list with x-kubernetes-list-type=set",
        ),
      );
    }
    if (items.type === "array" && items["x-kubernetes-list-type"] !== undefined && items["x-kubernetes-list-type"] !== "atomic") {
      out.push(
        invalid(`${path}.items.x-kubernetes-list-type`, items["x-kubernetes-list-type"], "must be atomic as item of a list with x-kubernetes-list-type=set"),
      );
    }
  }
  if (listType !== "map") return;
  if (keys.length === 0) out.push(required(`${path}.x-kubernetes-list-map-keys`, "must not be empty if x-kubernetes-list-type is map"));
  if (items === undefined) {
    out.push(required(`${path}.items`, "must have a schema if x-kubernetes-list-type is map"));
    return;
  }
  if (items.type !== "object") {
    out.push(invalid(`${path}.items.type`, items.type ?? "", "must be object if parent array's x-kubernetes-list-type is map"));
    return;
  }
  const seen = new Set<string>();
  for (const key of keys) {
    const prop = items.properties?.[key];
    if (prop === undefined) {
      out.push(invalid(`${path}.x-kubernetes-list-map-keys`, keys, "entries must all be names of item properties"));
    } else {
      if (prop.type === "array" || prop.type === "object") {
        out.push(invalid(`${path}.items.properties[${key}].type`, prop.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
      }
      if (!(items.required ?? []).includes(key) && prop.default === undefined) {
        out.push(
          required(
            `${path}.items.properties[${key}].default`,
            "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
          ),
        );
      }
      if (prop.nullable === true) {
        out.push(forbidden(`${path}.items.properties[${key}].nullable`, "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
      }
    }
    if (seen.has(key)) out.push(invalid(`${path}.x-kubernetes-list-map-keys`, keys, "must not contain duplicate entries"));
    seen.add(key);
  }
}

function checkRules(node: JSONSchemaProps, ctx: Context, out: SchemaViolation[]): void {
  (node["x-kubernetes-validations"] ?? []).forEach((rule, i) => {
    const at = `${ctx.path}.x-kubernetes-validations[${i}]`;
    const trimmedRule = (rule.rule ?? "").trim();
    const message = rule.message ?? "";
    if (trimmedRule === "") out.push(required(`${at}.rule`, "rule is not specified"));
    else if (message.length > 0 && message.trim() === "") out.push(invalid(`${at}.message`, message, "message must be non-empty if specified"));
    else if (/[\n\r]/.test(message.trim())) out.push(invalid(`${at}.message`, message, "message must not contain line breaks"));
    else if (/[\n\r]/.test(trimmedRule) && message.trim() === "") out.push(required(`${at}.message`, "message must be specified if rule contains line breaks"));
    if (rule.messageExpression !== undefined && rule.messageExpression.length > 0 && rule.messageExpression.trim() === "") {
      out.push(required(`${at}.messageExpression`, "messageExpression must be non-empty if specified"));
    }
    if (rule.reason !== undefined && !VALIDATION_RULE_REASONS.includes(rule.reason)) {
      out.push(notSupported(`${at}.reason`, rule.reason, VALIDATION_RULE_REASONS));
    }
    if (rule.fieldPath !== undefined) {
      if (rule.fieldPath.length > 0 && rule.fieldPath.trim() === "")
        out.push(invalid(`${at}.fieldPath`, rule.fieldPath, "fieldPath must be non-empty if specified"));
      else if (/[\n\r]/.test(rule.fieldPath)) out.push(invalid(`${at}.fieldPath`, rule.fieldPath, "fieldPath must not contain line breaks"));
      else if (resolveFieldPath(node, "", rule.fieldPath) === undefined) out.push(invalid(`${at}.fieldPath`, rule.fieldPath, "fieldPath must be a valid path"));
    }
    const usesOldSelf = readsOldSelf(rule.rule ?? "");
    if (usesOldSelf && ctx.uncorrelatable !== undefined) {
      out.push(invalid(`${at}.rule`, rule.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${ctx.uncorrelatable}`));
    }
    if (!usesOldSelf && rule.optionalOldSelf !== undefined) {
      out.push(invalid(`${at}.optionalOldSelf`, rule.optionalOldSelf, "may not be set if oldSelf is not used in rule"));
    }
  });
}

/**
 * allOf/anyOf/oneOf/not may only add value validations to what the node
 * already specifies: no types, defaults, descriptions or extensions of their
 * own, and no field or items the node does not declare outside them.
 */
function checkJunctors(node: JSONSchemaProps, path: string, out: SchemaViolation[]): void {
  const intOrStringAnyOf = (list: JSONSchemaProps[] | undefined): boolean =>
    list !== undefined &&
    list.length === 2 &&
    sameKeys(list[0]!, ["type"]) &&
    list[0]!.type === "integer" &&
    sameKeys(list[1]!, ["type"]) &&
    list[1]!.type === "string";
  for (const junctor of JUNCTORS) {
    (node[junctor] ?? []).forEach((nested, i) => {
      const skipAnyOfTypes = (junctor === "anyOf" && intOrStringAnyOf(node.anyOf)) || (junctor === "allOf" && i === 0 && intOrStringAnyOf(nested.anyOf));
      checkNested(nested, node, `${path}.${junctor}[${i}]`, junctor === "anyOf" && skipAnyOfTypes, junctor === "allOf" && skipAnyOfTypes, out);
    });
  }
  if (node.not !== undefined) checkNested(node.not, node, `${path}.not`, false, false, out);
}

function checkNested(
  nested: JSONSchemaProps,
  outer: JSONSchemaProps | undefined,
  path: string,
  allowType: boolean,
  allowAnyOfTypes: boolean,
  out: SchemaViolation[],
): void {
  if (nested.type !== undefined && !allowType) out.push(forbidden(`${path}.type`, "must be empty to be structural"));
  if (nested.default !== undefined) out.push(forbidden(`${path}.default`, "must be undefined to be structural"));
  if (nested.title !== undefined && nested.title !== "") out.push(forbidden(`${path}.title`, "must be empty to be structural"));
  if (nested.description !== undefined && nested.description !== "") out.push(forbidden(`${path}.description`, "must be empty to be structural"));
  if (nested.nullable === true) out.push(forbidden(`${path}.nullable`, "must be false to be structural"));
  if (nested.additionalProperties !== undefined) out.push(forbidden(`${path}.additionalProperties`, "must be undefined to be structural"));
  for (const ext of ["x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string"] as const) {
    if (nested[ext] === true) out.push(forbidden(`${path}.${ext}`, "must be false to be structural"));
  }
  if ((nested["x-kubernetes-list-map-keys"] ?? []).length > 0) out.push(forbidden(`${path}.x-kubernetes-list-map-keys`, "must be empty to be structural"));
  if (nested["x-kubernetes-list-type"] !== undefined) out.push(forbidden(`${path}.x-kubernetes-list-type`, "must be undefined to be structural"));
  if (nested["x-kubernetes-map-type"] !== undefined) out.push(forbidden(`${path}.x-kubernetes-map-type`, "must be undefined to be structural"));
  if ((nested["x-kubernetes-validations"] ?? []).length > 0) out.push(forbidden(`${path}.x-kubernetes-validations`, "must be empty to be structural"));
  if (nested.properties?.metadata !== undefined) out.push(forbidden(`${path}.properties[metadata]`, "must not be specified in a nested context"));
  checkKeywords(nested, path, out);

  // Completeness: what the junctor constrains must exist outside it.
  for (const [name, child] of Object.entries(nested.properties ?? {})) {
    const declared = outer?.properties?.[name];
    if (declared === undefined && outer !== undefined) {
      out.push(required(`${path}.properties[${name}]`, "must be specified outside of the junctor, in the enclosing schema's properties, to be structural"));
    }
    checkNested(child, declared, `${path}.properties[${name}]`, false, false, out);
  }
  const nestedItems = itemsOf(nested);
  if (nestedItems !== undefined) {
    const declared = outer === undefined ? undefined : itemsOf(outer);
    if (declared === undefined && outer !== undefined)
      out.push(required(`${path}.items`, "must be specified outside of the junctor, in the enclosing schema's items, to be structural"));
    checkNested(nestedItems, declared, `${path}.items`, false, false, out);
  }
  for (const junctor of JUNCTORS) {
    for (const [i, inner] of (nested[junctor] ?? []).entries())
      checkNested(inner, outer, `${path}.${junctor}[${i}]`, junctor === "anyOf" && allowAnyOfTypes, false, out);
  }
  if (nested.not !== undefined) checkNested(nested.not, outer, `${path}.not`, false, false, out);
}

function sameKeys(node: JSONSchemaProps, keys: readonly string[]): boolean {
  const own = Object.keys(node);
  return own.length === keys.length && keys.every((k) => own.includes(k));
}

/**
 * Patterns are RE2 in the API server and ECMAScript (with the u flag) in
 * ajv; accept only what both compile. RE2 has no lookaround and no
 * backreferences.
 */
function patternProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, "u");
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (/\(\?<?[=!]/.test(pattern)) return "lookaround assertions ((?=, (?!, (?<=, (?<!) are not supported by RE2";
  if (/\\[1-9]|\\k</.test(pattern)) return "backreferences are not supported by RE2";
  return undefined;
}
