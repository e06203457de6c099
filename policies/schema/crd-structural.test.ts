import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { checkStructuralSchema } from "./crd-structural.ts";

/** A root object schema whose spec is `spec`. */
function withSpec(spec: JSONSchemaProps): JSONSchemaProps {
  return { type: "object", properties: { spec } };
}

const S = "openAPIV3Schema.properties[spec]";

interface Case {
  name: string;
  schema: JSONSchemaProps;
  statusSubresource?: boolean;
  /** The message the checker must produce (exactly, as the API server words it). */
  expect: string;
}

const rejected: Case[] = [
  {
    name: "a field without a type is rejected",
    schema: withSpec({ description: "x" }),
    expect: `${S}.type: Required value: must not be empty for specified object fields`,
  },
  {
    name: "list items without a type are rejected",
    schema: withSpec({ type: "array", items: {} }),
    expect: `${S}.items.type: Required value: must not be empty for specified array items`,
  },
  { name: "a root without a type is rejected", schema: { properties: {} }, expect: "openAPIV3Schema.type: Required value: must not be empty at the root" },
  {
    name: "a root that is not an object is rejected",
    schema: { type: "string" },
    expect: 'openAPIV3Schema.type: Invalid value: "string": must be object at the root',
  },
  {
    name: "type null is rejected",
    schema: withSpec({ type: "null" }),
    expect: `${S}.type: Forbidden: type cannot be set to null, use nullable as an alternative`,
  },
  {
    name: "an unknown type is rejected",
    schema: withSpec({ type: "float" }),
    expect: `${S}.type: Unsupported value: "float": supported values: "array", "boolean", "integer", "number", "object", "string"`,
  },
  {
    name: "additionalProperties next to properties is rejected",
    schema: withSpec({ type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "string" } }),
    expect: `${S}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
  },
  {
    name: "additionalProperties: false is rejected",
    schema: withSpec({ type: "object", additionalProperties: false }),
    expect: `${S}.additionalProperties: Forbidden: must not be false: unknown fields are pruned by the API server, not rejected; remove additionalProperties`,
  },
  {
    name: "additionalProperties at the root is rejected",
    schema: { type: "object", additionalProperties: { type: "string" } },
    expect: "openAPIV3Schema.additionalProperties: Forbidden: must not be used at the root",
  },
  {
    name: "root metadata restricting labels is rejected",
    schema: { type: "object", properties: { metadata: { type: "object", properties: { labels: { type: "object" } } } } },
    expect: "openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
  },
  {
    name: "root metadata with a description is rejected",
    schema: { type: "object", properties: { metadata: { type: "object", description: "meta" } } },
    expect: "openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
  },
  {
    name: "root metadata that is not an object is rejected",
    schema: { type: "object", properties: { metadata: { type: "string" } } },
    expect: 'openAPIV3Schema.properties[metadata].type: Invalid value: "string": must be object',
  },
  {
    name: "a root kind that is not a string is rejected",
    schema: { type: "object", properties: { kind: { type: "integer" } } },
    expect: 'openAPIV3Schema.properties[kind].type: Invalid value: "integer": must be string',
  },
  { name: "$ref is rejected", schema: withSpec({ type: "object", $ref: "#/definitions/x" }), expect: `${S}.$ref: Forbidden: $ref is not supported` },
  {
    name: "uniqueItems: true is rejected",
    schema: withSpec({ type: "array", uniqueItems: true, items: { type: "string" } }),
    expect: `${S}.uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
  },
  { name: "a list without items is rejected", schema: withSpec({ type: "array" }), expect: `${S}.items: Required value: must be specified` },
  {
    name: "a list of item schemas is rejected",
    schema: withSpec({ type: "array", items: [{ type: "string" }] }),
    expect: `${S}.items: Forbidden: items must be a schema object and not an array`,
  },
  {
    name: "a default that breaks its own schema is rejected",
    schema: withSpec({ type: "object", properties: { ttl: { type: "integer", minimum: 60, default: 5 } } }),
    // The API server's own message has the empty name and the double space.
    expect: `${S}.properties[ttl].default: Invalid value: 5:  in body should be greater than or equal to 60`,
  },
  {
    name: "a default that breaks its node's CEL rule is rejected",
    schema: withSpec({
      type: "object",
      properties: { mode: { type: "string", maxLength: 8, default: "Other", "x-kubernetes-validations": [{ rule: "self != 'Other'", message: "not Other" }] } },
    }),
    expect: `${S}.properties[mode].default: Invalid value: "string": not Other`,
  },
  {
    name: "a default with unknown fields is rejected",
    schema: withSpec({ type: "object", default: { stray: 1 }, properties: { a: { type: "string" } } }),
    expect: `${S}.default: Invalid value: {"stray":1}: must not have unknown fields (stray)`,
  },
  {
    name: "a default in top-level metadata is rejected",
    schema: { type: "object", properties: { metadata: { type: "object", properties: { name: { type: "string", default: "x" } } } } },
    expect: "openAPIV3Schema.properties[metadata].properties[name].default: Forbidden: must not be set in top-level metadata",
  },
  {
    name: "a map list without keys is rejected",
    schema: withSpec({ type: "array", "x-kubernetes-list-type": "map", items: { type: "object", properties: { k: { type: "string" } } } }),
    expect: `${S}.x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`,
  },
  {
    name: "a map-list key that is neither required nor defaulted is rejected",
    schema: withSpec({
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["k"],
      items: { type: "object", properties: { k: { type: "string" } } },
    }),
    expect: `${S}.items.properties[k].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
  },
  {
    name: "a map-list key that is not an item property is rejected",
    schema: withSpec({
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["nope"],
      items: { type: "object", properties: { k: { type: "string" } } },
    }),
    expect: `${S}.x-kubernetes-list-map-keys: Invalid value: ["nope"]: entries must all be names of item properties`,
  },
  {
    name: "a nullable map-list key is rejected",
    schema: withSpec({
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["k"],
      items: { type: "object", required: ["k"], properties: { k: { type: "string", nullable: true } } },
    }),
    expect: `${S}.items.properties[k].nullable: Forbidden: this property is in x-kubernetes-list-map-keys, so it cannot be nullable`,
  },
  {
    name: "map-list keys without the map list type are rejected",
    schema: withSpec({ type: "array", "x-kubernetes-list-map-keys": ["k"], items: { type: "object", required: ["k"], properties: { k: { type: "string" } } } }),
    expect: `${S}.x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`,
  },
  {
    name: "a list type on a string is rejected",
    schema: withSpec({ type: "string", "x-kubernetes-list-type": "set" }),
    expect: `${S}.type: Invalid value: "string": must be array if x-kubernetes-list-type is specified`,
  },
  {
    name: "an unknown list type is rejected",
    schema: withSpec({ type: "array", "x-kubernetes-list-type": "bag", items: { type: "string" } }),
    expect: `${S}.x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`,
  },
  {
    name: "a set of non-atomic objects is rejected",
    schema: withSpec({ type: "array", "x-kubernetes-list-type": "set", items: { type: "object", properties: { a: { type: "string" } } } }),
    expect: `${S}.items.x-kubernetes-map-type: Invalid value: "null": must be atomic as item of a list with x-kubernetes-list-type=set`,
  },
  {
    name: "nullable set items are rejected",
    schema: withSpec({ type: "array", "x-kubernetes-list-type": "set", items: { type: "string", nullable: true } }),
    expect: `${S}.items.nullable: Forbidden: cannot be nullable when x-kubernetes-list-type is set`,
  },
  {
    name: "a nullable root is rejected",
    schema: { type: "object", nullable: true },
    expect: "openAPIV3Schema.nullable: Forbidden: nullable cannot be true at the root",
  },
  {
    name: "nullable inside anyOf is rejected",
    schema: withSpec({ type: "string", anyOf: [{ nullable: true }] }),
    expect: `${S}.anyOf[0].nullable: Forbidden: must be false to be structural`,
  },
  {
    name: "a type inside allOf is rejected",
    schema: withSpec({ type: "string", allOf: [{ type: "string", minLength: 1 }] }),
    expect: `${S}.allOf[0].type: Forbidden: must be empty to be structural`,
  },
  {
    name: "a description inside oneOf is rejected",
    schema: withSpec({ type: "string", oneOf: [{ description: "x" }] }),
    expect: `${S}.oneOf[0].description: Forbidden: must be empty to be structural`,
  },
  {
    name: "a field constrained only inside anyOf is rejected",
    schema: withSpec({ type: "object", properties: { a: { type: "string" } }, anyOf: [{ properties: { b: { minLength: 1 } } }] }),
    expect: `${S}.anyOf[0].properties[b]: Required value: must be specified outside of the junctor, in the enclosing schema's properties, to be structural`,
  },
  {
    name: "metadata inside a junctor is rejected",
    schema: withSpec({ type: "object", properties: { metadata: { type: "object" } }, allOf: [{ properties: { metadata: {} } }] }),
    expect: `${S}.allOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`,
  },
  {
    name: "x-kubernetes-preserve-unknown-fields: false is rejected",
    schema: withSpec({ type: "object", "x-kubernetes-preserve-unknown-fields": false }),
    expect: `${S}.x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
  },
  {
    name: "a map type on a list is rejected",
    schema: withSpec({ type: "array", "x-kubernetes-map-type": "atomic", items: { type: "string" } }),
    expect: `${S}.type: Invalid value: "array": must be object if x-kubernetes-map-type is specified`,
  },
  {
    name: "an embedded resource that is not an object is rejected",
    schema: withSpec({ type: "string", "x-kubernetes-embedded-resource": true }),
    expect: `${S}.type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
  },
  {
    name: "int-or-string with preserve-unknown-fields is rejected",
    schema: withSpec({ "x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true }),
    expect: `${S}.x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
  },
  {
    name: "a multi-line rule without a message is rejected",
    schema: withSpec({ type: "string", maxLength: 3, "x-kubernetes-validations": [{ rule: "self != 'a' &&\nself != 'b'" }] }),
    expect: `${S}.x-kubernetes-validations[0].message: Required value: message must be specified if rule contains line breaks`,
  },
  {
    name: "a message with a line break is rejected",
    schema: withSpec({ type: "string", maxLength: 3, "x-kubernetes-validations": [{ rule: "true", message: "one\ntwo" }] }),
    expect: `${S}.x-kubernetes-validations[0].message: Invalid value: "one\\ntwo": message must not contain line breaks`,
  },
  {
    name: "an empty rule is rejected",
    schema: withSpec({ type: "string", maxLength: 3, "x-kubernetes-validations": [{ rule: "  " }] }),
    expect: `${S}.x-kubernetes-validations[0].rule: Required value: rule is not specified`,
  },
  {
    name: "an unknown rule reason is rejected",
    schema: withSpec({ type: "string", maxLength: 3, "x-kubernetes-validations": [{ rule: "true", reason: "Nope" as never }] }),
    expect: `${S}.x-kubernetes-validations[0].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
  },
  {
    name: "a fieldPath to a field the node does not have is rejected",
    schema: withSpec({ type: "object", properties: { a: { type: "string" } }, "x-kubernetes-validations": [{ rule: "true", fieldPath: ".b" }] }),
    expect: `${S}.x-kubernetes-validations[0].fieldPath: Invalid value: ".b": fieldPath must be a valid path`,
  },
  {
    name: "oldSelf below an atomic list is rejected",
    schema: withSpec({
      type: "array",
      maxItems: 4,
      items: { type: "string", maxLength: 4, "x-kubernetes-validations": [{ rule: "self == oldSelf" }] },
    }),
    expect: `${S}.items.x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${S}`,
  },
  {
    name: "optionalOldSelf on a rule without oldSelf is rejected",
    schema: withSpec({ type: "string", maxLength: 3, "x-kubernetes-validations": [{ rule: "true", optionalOldSelf: true }] }),
    expect: `${S}.x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`,
  },
  {
    name: "a root keyword outside the status-subresource list is rejected",
    schema: { type: "object", minProperties: 1, properties: {} },
    statusSubresource: true,
    expect:
      'openAPIV3Schema: Invalid value: "minProperties": only description, type, format, title, maximum, exclusiveMaximum, minimum, exclusiveMinimum, maxLength, minLength, pattern, maxItems, minItems, uniqueItems, multipleOf, required, items, properties, externalDocs, example, x-kubernetes-preserve-unknown-fields, x-kubernetes-validations are allowed at the root of the schema if the status subresource is enabled',
  },
  {
    name: "a pattern with lookahead, which RE2 lacks, is rejected",
    schema: withSpec({ type: "string", pattern: "^(?=a)a$" }),
    expect: `${S}.pattern: Invalid value: "^(?=a)a$": must be a valid regular expression, but isn't: lookaround assertions ((?=, (?!, (?<=, (?<!) are not supported by RE2`,
  },
  {
    name: "a pattern that does not compile is rejected",
    schema: withSpec({ type: "string", pattern: "([a-z]" }),
    expect: `${S}.pattern: Invalid value: "([a-z]": must be a valid regular expression, but isn't: Invalid regular expression: /([a-z]/u: Unterminated group`,
  },
];

const accepted: { name: string; schema: JSONSchemaProps; statusSubresource?: boolean }[] = [
  { name: "an int-or-string field needs no type", schema: withSpec({ "x-kubernetes-int-or-string": true }) },
  { name: "a preserve-unknown-fields field needs no type", schema: withSpec({ "x-kubernetes-preserve-unknown-fields": true }) },
  {
    name: "the int-or-string anyOf pattern may name types",
    schema: withSpec({ "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] }),
  },
  {
    name: "root metadata may restrict name and generateName",
    schema: {
      type: "object",
      properties: { metadata: { type: "object", properties: { name: { type: "string", maxLength: 63 }, generateName: { type: "string" } } } },
    },
  },
  {
    name: "additionalProperties: true next to properties is allowed",
    schema: withSpec({ type: "object", properties: { a: { type: "string" } }, additionalProperties: true }),
  },
  {
    name: "oldSelf below a map list is allowed",
    schema: withSpec({
      type: "array",
      maxItems: 4,
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["k"],
      items: {
        type: "object",
        required: ["k"],
        properties: { k: { type: "string", maxLength: 4, "x-kubernetes-validations": [{ rule: "self == oldSelf" }] } },
      },
    }),
  },
  {
    name: "a valid default passes",
    schema: withSpec({ type: "object", default: {}, properties: { mode: { type: "string", enum: ["A", "B"], default: "A" } } }),
  },
  {
    name: "root rules are allowed with a status subresource",
    schema: { type: "object", "x-kubernetes-validations": [{ rule: "true" }] },
    statusSubresource: true,
  },
];

describe("checkStructuralSchema", () => {
  for (const c of rejected) {
    it(c.name, () => {
      const messages = checkStructuralSchema(c.schema, { statusSubresource: c.statusSubresource ?? false }).map((v) => v.message);
      assert.ok(messages.includes(c.expect), `expected\n  ${c.expect}\ngot\n  ${messages.join("\n  ") || "(nothing)"}`);
    });
  }
  for (const c of accepted) {
    it(c.name, () => {
      assert.deepEqual(
        checkStructuralSchema(c.schema, { statusSubresource: c.statusSubresource ?? false }).map((v) => v.message),
        [],
      );
    });
  }
});
