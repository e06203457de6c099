import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { validateListTypes } from "./list-types.ts";

const schema: JSONSchemaProps = {
  type: "object",
  properties: {
    names: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
    tags: { type: "array", items: { type: "string" } },
    conditions: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["type"],
      items: { type: "object", required: ["type"], properties: { type: { type: "string" }, status: { type: "string" } } },
    },
    ports: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["port", "protocol"],
      items: { type: "object", required: ["port"], properties: { port: { type: "integer" }, protocol: { type: "string", default: "TCP" } } },
    },
  },
};

describe("validateListTypes", () => {
  const cases: { name: string; object: unknown; messages: string[] }[] = [
    { name: "distinct set items are fine", object: { names: ["a", "b"] }, messages: [] },
    { name: "an atomic list may repeat items", object: { tags: ["a", "a"] }, messages: [] },
    {
      name: "a repeated set item is reported once, at its second place",
      object: { names: ["a", "b", "a", "a"] },
      messages: ['names[2]: Duplicate value: "a"'],
    },
    {
      name: "a repeated map-list key is reported with the key map",
      object: {
        conditions: [
          { type: "Ready", status: "True" },
          { type: "Ready", status: "False" },
        ],
      },
      messages: ['conditions[1]: Duplicate value: map[string]interface {}{"type":"Ready"}'],
    },
    {
      name: "map-list keys count their defaults",
      object: { ports: [{ port: 80 }, { port: 80, protocol: "TCP" }, { port: 80, protocol: "UDP" }] },
      messages: ['ports[1]: Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        validateListTypes(schema, c.object).map((v) => v.message),
        c.messages,
      );
    });
  }
});
