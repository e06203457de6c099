import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { celCostProblems } from "./cel-cost.ts";
import type { JSONSchemaProps } from "./schema-props.ts";

const rule = [{ rule: "true" }];
const S = "openAPIV3Schema.properties[spec]";

/** A root whose spec is `spec`; the root itself has no rule. */
function withSpec(spec: JSONSchemaProps): JSONSchemaProps {
  return { type: "object", properties: { spec } };
}

describe("celCostProblems", () => {
  const failing: { name: string; schema: JSONSchemaProps; paths: string[] }[] = [
    {
      name: "a string the rule's node holds without maxLength is reported",
      schema: withSpec({ type: "object", "x-kubernetes-validations": rule, properties: { domain: { type: "string" } } }),
      paths: [`${S}.properties[domain]`],
    },
    {
      name: "the rule's own string node without maxLength is reported",
      schema: withSpec({ type: "string", "x-kubernetes-validations": rule }),
      paths: [S],
    },
    {
      name: "a list without maxItems and its unbounded items are reported",
      schema: withSpec({ type: "object", "x-kubernetes-validations": rule, properties: { names: { type: "array", items: { type: "string" } } } }),
      paths: [`${S}.properties[names]`, `${S}.properties[names].items`],
    },
    {
      name: "a map without maxProperties is reported",
      schema: withSpec({
        type: "object",
        "x-kubernetes-validations": rule,
        properties: { labels: { type: "object", additionalProperties: { type: "string", maxLength: 63 } } },
      }),
      paths: [`${S}.properties[labels]`],
    },
    {
      name: "a deeply nested string is reported",
      schema: withSpec({
        type: "object",
        "x-kubernetes-validations": rule,
        properties: { a: { type: "array", maxItems: 3, items: { type: "object", properties: { b: { type: "string" } } } } },
      }),
      paths: [`${S}.properties[a].items.properties[b]`],
    },
    {
      name: "an int-or-string without maxLength is reported",
      schema: withSpec({ type: "object", "x-kubernetes-validations": rule, properties: { port: { "x-kubernetes-int-or-string": true } } }),
      paths: [`${S}.properties[port]`],
    },
    {
      name: "an int-or-string is reported even with maxLength: Kubernetes 1.28 sizes it as the whole request",
      schema: withSpec({ type: "object", "x-kubernetes-validations": rule, properties: { port: { "x-kubernetes-int-or-string": true, maxLength: 5 } } }),
      paths: [`${S}.properties[port]`],
    },
    {
      name: "an enum string without maxLength is reported: Kubernetes 1.28 does not size it by its longest value",
      schema: withSpec({ type: "string", enum: ["a", "bb"], "x-kubernetes-validations": rule }),
      paths: [S],
    },
    {
      name: "a string with a format the estimator does not size is reported",
      schema: withSpec({ type: "string", format: "datetime", "x-kubernetes-validations": rule }),
      paths: [S],
    },
    {
      name: "a root rule over undeclared metadata is reported",
      schema: { type: "object", "x-kubernetes-validations": rule, properties: { spec: { type: "object" } } },
      paths: ["openAPIV3Schema"],
    },
  ];
  for (const c of failing) {
    it(c.name, () => {
      assert.deepEqual(
        celCostProblems(c.schema).map((p) => p.path),
        c.paths,
      );
    });
  }

  const passing: { name: string; schema: JSONSchemaProps }[] = [
    {
      name: "strings outside every rule's reach need no bound",
      schema: withSpec({ type: "object", properties: { a: { type: "string" }, b: { type: "string", maxLength: 3, "x-kubernetes-validations": rule } } }),
    },
    {
      name: "an enum string with maxLength is bounded",
      schema: withSpec({ type: "string", enum: ["a", "bb"], maxLength: 2, "x-kubernetes-validations": rule }),
    },
    { name: "a date-time string is a fixed-size timestamp", schema: withSpec({ type: "string", format: "date-time", "x-kubernetes-validations": rule }) },
    { name: "a duration string is a fixed-size duration", schema: withSpec({ type: "string", format: "duration", "x-kubernetes-validations": rule }) },
    {
      name: "a root rule is fine when apiVersion, kind, name and generateName are declared and bounded",
      schema: {
        type: "object",
        "x-kubernetes-validations": rule,
        properties: {
          apiVersion: { type: "string", maxLength: 253 },
          kind: { type: "string", maxLength: 63 },
          metadata: { type: "object", properties: { name: { type: "string", maxLength: 253 }, generateName: { type: "string", maxLength: 253 } } },
        },
      },
    },
  ];
  for (const c of passing) {
    it(c.name, () => {
      assert.deepEqual(celCostProblems(c.schema), []);
    });
  }

  it("names the unbounded node and the rule that reaches it", () => {
    const [problem] = celCostProblems(withSpec({ type: "object", "x-kubernetes-validations": rule, properties: { d: { type: "string" } } }));
    assert.equal(
      problem?.message,
      `${S}.properties[d]: string without maxLength, and the rule at ${S} can reach it; the API server's CEL cost estimate would treat it as unbounded`,
    );
  });
});
