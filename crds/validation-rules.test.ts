import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONSchemaProps } from "./schema-props.ts";
import { collectValidationRules, readsOldSelf } from "./validation-rules.ts";

describe("collectValidationRules", () => {
  it("records each rule with its schema path and where self is in the object", () => {
    const schema: JSONSchemaProps = {
      type: "object",
      "x-kubernetes-validations": [{ rule: "self.metadata.name == self.spec.domain" }],
      properties: {
        spec: {
          type: "object",
          properties: {
            domain: { type: "string", "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "immutable" }] },
            rules: {
              type: "array",
              items: { type: "object", "x-kubernetes-validations": [{ rule: "size(self.paths) > 0", reason: "FieldValueRequired", fieldPath: ".paths" }] },
            },
            labels: { type: "object", additionalProperties: { type: "string", "x-kubernetes-validations": [{ rule: "self != ''" }] } },
          },
        },
      },
    };
    assert.deepEqual(
      collectValidationRules(schema).map((r) => ({ at: r.schemaPath.join("/"), self: r.dataPath, rule: r.rule, transition: r.transition })),
      [
        { at: "", self: "", rule: "self.metadata.name == self.spec.domain", transition: false },
        { at: "properties/spec/properties/domain", self: "spec.domain", rule: "self == oldSelf", transition: true },
        { at: "properties/spec/properties/rules/items", self: "spec.rules[*]", rule: "size(self.paths) > 0", transition: false },
        { at: "properties/spec/properties/labels/additionalProperties", self: "spec.labels[*]", rule: "self != ''", transition: false },
      ],
    );
    const withOptions = collectValidationRules(schema)[2]!;
    assert.equal(withOptions.reason, "FieldValueRequired");
    assert.equal(withOptions.fieldPath, ".paths");
  });
});

describe("readsOldSelf", () => {
  const cases: [string, boolean][] = [
    ["self == oldSelf", true],
    ["oldSelf.x == self.x", true],
    ["has(self.oldSelf)", false],
    ["self == 'oldSelf'", false],
    ['self.name != "oldSelf"', false],
    ["self.oldSelfish", false],
  ];
  for (const [source, expected] of cases) {
    it(`says ${expected} for ${source}`, () => {
      assert.equal(readsOldSelf(source), expected);
    });
  }
});
