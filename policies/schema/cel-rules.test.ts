import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONSchemaProps, ValidationRule } from "../../crds/schema-props.ts";
import { resolveFieldPath, validateCelRules } from "./cel-rules.ts";

/** A root object whose spec carries `rules` and has a few fields to test them on. */
function specWith(rules: ValidationRule[], extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return {
    type: "object",
    properties: {
      metadata: { type: "object" },
      spec: {
        type: "object",
        "x-kubernetes-validations": rules,
        properties: {
          name: { type: "string", maxLength: 63 },
          size: { type: "integer" },
          backend: { type: "object", properties: { host: { type: "string", maxLength: 63 } } },
          labels: { type: "object", maxProperties: 8, additionalProperties: { type: "string", maxLength: 63 } },
        },
        ...extra,
      },
    },
  };
}

describe("validateCelRules", () => {
  const cases: { name: string; schema: JSONSchemaProps; object: unknown; oldObject?: unknown; messages: string[] }[] = [
    {
      name: "a passing rule reports nothing",
      schema: specWith([{ rule: "self.size > 0", message: "size must be positive" }]),
      object: { spec: { size: 1 } },
      messages: [],
    },
    {
      name: "a failing rule reports its message at its node, with the node type as the value",
      schema: specWith([{ rule: "self.size > 0", message: "size must be positive" }]),
      object: { spec: { size: 0 } },
      messages: ['spec: Invalid value: "object": size must be positive'],
    },
    {
      name: "a failing rule without a message quotes the rule",
      schema: specWith([{ rule: "self.size > 0" }]),
      object: { spec: { size: 0 } },
      messages: ['spec: Invalid value: "object": failed rule: self.size > 0'],
    },
    {
      name: "messageExpression builds the message from the object",
      schema: specWith([{ rule: "self.size > 0", message: "fallback", messageExpression: "'size is ' + string(self.size) + ', must be positive'" }]),
      object: { spec: { size: -2 } },
      messages: ['spec: Invalid value: "object": size is -2, must be positive'],
    },
    {
      name: "a messageExpression that fails falls back to the message",
      schema: specWith([{ rule: "self.size > 0", message: "fallback", messageExpression: "self.nope" }]),
      object: { spec: { size: 0 } },
      messages: ['spec: Invalid value: "object": fallback'],
    },
    {
      name: "an empty messageExpression result falls back to the message",
      schema: specWith([{ rule: "self.size > 0", message: "fallback", messageExpression: "'  '" }]),
      object: { spec: { size: 0 } },
      messages: ['spec: Invalid value: "object": fallback'],
    },
    {
      name: "fieldPath moves the report to a field, and reason Required words it as missing",
      schema: specWith([{ rule: "has(self.backend)", message: "set a backend", fieldPath: ".backend", reason: "FieldValueRequired" }]),
      object: { spec: {} },
      messages: ["spec.backend: Required value: set a backend"],
    },
    {
      name: "reason Forbidden words it as not allowed",
      schema: specWith([{ rule: "!has(self.backend)", message: "no backend here", fieldPath: ".backend", reason: "FieldValueForbidden" }]),
      object: { spec: { backend: {} } },
      messages: ["spec.backend: Forbidden: no backend here"],
    },
    {
      name: "fieldPath into a map names the key in brackets",
      schema: specWith([{ rule: "!('bad' in self.labels)", message: "no bad label", fieldPath: ".labels['bad']" }]),
      object: { spec: { labels: { bad: "x" } } },
      messages: ['spec.labels[bad]: Invalid value: "object": no bad label'],
    },
    {
      name: "a rule that fails at run time is a violation that says so",
      schema: specWith([{ rule: "self.backend.host == 'x'", message: "host must be x" }]),
      object: { spec: {} },
      messages: ['spec: Invalid value: "object": field not found: backend evaluating rule: host must be x'],
    },
    {
      name: "a rule that does not compile is a violation that says so",
      schema: specWith([{ rule: "self.size >", message: "broken" }]),
      object: { spec: { size: 1 } },
      messages: [/^spec: Invalid value: "object": rule compile error: syntax error: /.source],
    },
    {
      name: "a rule that does not return a bool fails",
      schema: specWith([{ rule: "self.size" }]),
      object: { spec: { size: 1 } },
      messages: ['spec: Invalid value: "object": rule compile error: rule must evaluate to a bool, but self.size evaluated to int 1'],
    },
    {
      name: "a transition rule is skipped without an old object",
      schema: specWith([{ rule: "self.name == oldSelf.name", message: "name is immutable" }]),
      object: { spec: { name: "b" } },
      messages: [],
    },
    {
      name: "a transition rule runs against the old object",
      schema: specWith([{ rule: "self.name == oldSelf.name", message: "name is immutable" }]),
      object: { spec: { name: "b" } },
      oldObject: { spec: { name: "a" } },
      messages: ['spec: Invalid value: "object": name is immutable'],
    },
    {
      name: "a transition rule is skipped where the old object lacks the node",
      schema: specWith([{ rule: "self.name == oldSelf.name", message: "name is immutable" }]),
      object: { spec: { name: "b" } },
      oldObject: { metadata: { name: "x" } },
      messages: [],
    },
    {
      name: "a rule on a node the object lacks does not run",
      schema: specWith([{ rule: "false", message: "never" }]),
      object: { metadata: { name: "x" } },
      messages: [],
    },
    {
      name: "a rule at the root sees metadata.name but no other metadata",
      schema: {
        type: "object",
        "x-kubernetes-validations": [{ rule: "self.metadata.name == 'a' && !has(self.metadata.labels)", message: "root rule" }],
        properties: { metadata: { type: "object" } },
      },
      object: { metadata: { name: "a", labels: { x: "y" } } },
      messages: [],
    },
    {
      name: "a failing root rule without fieldPath is reported on the object itself",
      schema: { type: "object", "x-kubernetes-validations": [{ rule: "false", message: "root rule" }] },
      object: {},
      messages: ['<nil>: Invalid value: "object": root rule'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const messages = validateCelRules(c.schema, c.object, c.oldObject === undefined ? {} : { oldObject: c.oldObject }).map((v) => v.message);
      if (c.messages.length === 1 && c.messages[0]!.startsWith("^")) {
        assert.equal(messages.length, 1);
        assert.match(messages[0]!, new RegExp(c.messages[0]!));
      } else {
        assert.deepEqual(messages, c.messages);
      }
    });
  }

  describe("pairing old and new values in lists", () => {
    const itemRule = [{ rule: "self.value == oldSelf.value", message: "value is immutable" }];
    const listSchema = (listType: "map" | "atomic"): JSONSchemaProps => ({
      type: "object",
      properties: {
        items: {
          type: "array",
          "x-kubernetes-list-type": listType,
          ...(listType === "map" ? { "x-kubernetes-list-map-keys": ["key"] } : {}),
          items: {
            type: "object",
            required: ["key"],
            "x-kubernetes-validations": itemRule,
            properties: { key: { type: "string" }, value: { type: "string" } },
          },
        },
      },
    });
    const object = {
      items: [
        { key: "b", value: "2" },
        { key: "a", value: "changed" },
      ],
    };
    const oldObject = {
      items: [
        { key: "a", value: "1" },
        { key: "b", value: "2" },
      ],
    };

    it("pairs map-list entries by key, whatever their order", () => {
      assert.deepEqual(
        validateCelRules(listSchema("map"), object, { oldObject }).map((v) => v.message),
        ['items[1]: Invalid value: "object": value is immutable'],
      );
    });

    it("does not pair items of other lists, so their transition rules do not run", () => {
      assert.deepEqual(validateCelRules(listSchema("atomic"), object, { oldObject }), []);
    });
  });
});

describe("resolveFieldPath", () => {
  const schema: JSONSchemaProps = {
    type: "object",
    properties: { a: { type: "object", properties: { "b.c": { type: "string" } } }, m: { type: "object", additionalProperties: { type: "string" } } },
  };
  const cases: [string, string, string | undefined][] = [
    [".a", "spec", "spec.a"],
    [".a['b.c']", "spec", "spec.a.b.c"],
    [".m['k']", "", "m[k]"],
    [".m.k", "", "m[k]"],
    [".nope", "spec", undefined],
    ["a", "spec", undefined],
  ];
  for (const [fieldPath, base, expected] of cases) {
    it(`resolves ${fieldPath} below ${base || "the root"} to ${expected ?? "nothing"}`, () => {
      assert.equal(resolveFieldPath(schema, base, fieldPath), expected);
    });
  }
});
