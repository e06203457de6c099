import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { DECLARED_TYPE, toJsonSchema } from "./json-schema.ts";

describe("toJsonSchema", () => {
  const cases: { name: string; input: JSONSchemaProps; output: Record<string, unknown> }[] = [
    {
      name: "drops documentation, defaults and Kubernetes extensions",
      input: { type: "string", description: "d", default: "x", maxLength: 3, "x-kubernetes-validations": [{ rule: "true" }] },
      output: { type: "string", [DECLARED_TYPE]: "string", maxLength: 3 },
    },
    {
      name: "turns nullable into a null type and a null enum value",
      input: { type: "string", nullable: true, enum: ["a"] },
      output: { type: ["string", "null"], [DECLARED_TYPE]: "string", enum: ["a", null] },
    },
    {
      name: "turns OpenAPI 3.0 exclusive flags into JSON Schema bounds",
      input: { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1 },
      output: { type: "number", [DECLARED_TYPE]: "number", exclusiveMinimum: 0, maximum: 1 },
    },
    {
      name: "types int-or-string as integer or string",
      input: { "x-kubernetes-int-or-string": true },
      output: { type: ["integer", "string"], [DECLARED_TYPE]: "integer,string" },
    },
    {
      name: "drops number formats, which do not restrict values, and keeps known string formats",
      input: {
        type: "object",
        properties: { n: { type: "integer", format: "int32" }, t: { type: "string", format: "date-time" }, u: { type: "string", format: "colour" } },
      },
      output: {
        type: "object",
        [DECLARED_TYPE]: "object",
        properties: {
          n: { type: "integer", [DECLARED_TYPE]: "integer" },
          t: { type: "string", [DECLARED_TYPE]: "string", format: "date-time" },
          u: { type: "string", [DECLARED_TYPE]: "string" },
        },
      },
    },
    {
      name: "never rejects unknown fields: additionalProperties is kept only as a map's value schema",
      input: { type: "object", additionalProperties: { type: "string" } },
      output: { type: "object", [DECLARED_TYPE]: "object", additionalProperties: { type: "string", [DECLARED_TYPE]: "string" } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(toJsonSchema(c.input), c.output);
    });
  }
});
