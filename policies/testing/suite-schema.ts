// The shape of a policy test suite file (`*.test.yaml`).

export const POLICY_TEST_KIND = "PolicyTest";

const objectList = { type: "array", items: { type: "object", required: ["apiVersion", "kind"] } };
const overrides = { type: "object" };

export const policyTestSchema = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: "hostgate.dev/v1alpha1" },
    kind: { const: POLICY_TEST_KIND },
    metadata: {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: { name: { type: "string", minLength: 1 }, labels: { type: "object" }, annotations: { type: "object" } },
    },
    spec: {
      type: "object",
      required: ["cases"],
      additionalProperties: false,
      properties: {
        policies: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
        config: overrides,
        state: objectList,
        cases: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            required: ["name", "object", "expect"],
            additionalProperties: false,
            properties: {
              name: { type: "string", minLength: 1 },
              operation: { enum: ["CREATE", "UPDATE", "DELETE"] },
              namespace: { type: "string" },
              object: { type: "object", required: ["apiVersion", "kind"] },
              oldObject: { type: "object", required: ["apiVersion", "kind"] },
              user: {
                type: "object",
                additionalProperties: false,
                properties: { username: { type: "string" }, groups: { type: "array", items: { type: "string" } } },
              },
              state: objectList,
              config: overrides,
              expect: {
                type: "object",
                required: ["allowed"],
                additionalProperties: false,
                properties: {
                  allowed: { type: "boolean" },
                  messages: { type: "array", items: { type: "string", minLength: 1 } },
                  policies: { type: "array", items: { type: "string", minLength: 1 } },
                  warnings: { type: "array", items: { type: "string", minLength: 1 } },
                  patch: { type: "array", items: { type: "object", required: ["op", "path"] } },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

export interface PolicyTestCase {
  name: string;
  operation?: "CREATE" | "UPDATE" | "DELETE";
  namespace?: string;
  object: Record<string, unknown>;
  oldObject?: Record<string, unknown>;
  user?: { username?: string; groups?: string[] };
  state?: Record<string, unknown>[];
  config?: Record<string, unknown>;
  expect: {
    allowed: boolean;
    /** Each must be a substring of some denial message. */
    messages?: string[];
    /** Names of policies that must be among those that denied. */
    policies?: string[];
    /** Each must be a substring of some warning; an empty list means no warnings at all. */
    warnings?: string[];
    /** The exact mutation patch; an empty list means no patch. */
    patch?: Record<string, unknown>[];
  };
}

export interface PolicyTestSuite {
  apiVersion: string;
  kind: typeof POLICY_TEST_KIND;
  metadata: { name: string };
  spec: {
    policies?: string[];
    config?: Record<string, unknown>;
    state?: Record<string, unknown>[];
    cases: PolicyTestCase[];
  };
}
