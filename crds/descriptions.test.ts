import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fieldsWithoutDescription } from "./descriptions.ts";
import type { JSONSchemaProps } from "./schema-props.ts";

describe("fieldsWithoutDescription", () => {
  const cases: { name: string; schema: JSONSchemaProps; missing: string[] }[] = [
    {
      name: "reports every node without a description, items and map values included",
      schema: {
        type: "object",
        description: "root",
        properties: {
          spec: {
            type: "object",
            properties: {
              names: { type: "array", description: "names", items: { type: "string" } },
              labels: { type: "object", description: "labels", additionalProperties: { type: "string", description: " " } },
            },
          },
        },
      },
      missing: [
        "openAPIV3Schema.properties[spec]",
        "openAPIV3Schema.properties[spec].properties[names].items",
        "openAPIV3Schema.properties[spec].properties[labels].additionalProperties",
      ],
    },
    {
      name: "exempts the root metadata, which may not have one, but not its name",
      schema: { type: "object", description: "root", properties: { metadata: { type: "object", properties: { name: { type: "string" } } } } },
      missing: ["openAPIV3Schema.properties[metadata].properties[name]"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(fieldsWithoutDescription(c.schema), c.missing);
    });
  }
});
