import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { loadCrdCatalog } from "../../crds/catalog.ts";
import { pruneUnknownFields } from "./prune.ts";

const routeSchema = loadCrdCatalog().lookup("hostgate.dev/v1alpha1", "DomainRoute")!.schema;

const looseSchema: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      properties: {
        raw: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { known: { type: "object", properties: { a: { type: "string" } } } } },
        anything: { type: "object", additionalProperties: true },
      },
    },
  },
};

describe("pruneUnknownFields", () => {
  const cases: { name: string; schema: JSONSchemaProps; input: unknown; output: unknown; pruned: string[] }[] = [
    {
      name: "drops unknown spec fields and reports their paths",
      schema: routeSchema,
      input: {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        spec: { domain: "a.example.com", domian: "typo", backend: { service: { name: "s", port: 80, targetPort: 8080 } } },
      },
      output: { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", spec: { domain: "a.example.com", backend: { service: { name: "s", port: 80 } } } },
      pruned: ["spec.domian", "spec.backend.service.targetPort"],
    },
    {
      name: "reports fields inside list items with their index",
      schema: routeSchema,
      input: {
        spec: {
          protection: {
            provider: "sso",
            appId: "a",
            rules: [
              { action: "Allow", paths: ["/"] },
              { action: "Allow", paths: ["/x"], methods: ["GET"] },
            ],
          },
        },
      },
      output: {
        spec: {
          protection: {
            provider: "sso",
            appId: "a",
            rules: [
              { action: "Allow", paths: ["/"] },
              { action: "Allow", paths: ["/x"] },
            ],
          },
        },
      },
      pruned: ["spec.protection.rules[1].methods"],
    },
    {
      name: "drops unknown top-level fields but keeps apiVersion, kind and metadata",
      schema: routeSchema,
      input: { apiVersion: "x/v1", kind: "DomainRoute", metadata: { name: "web", labels: { a: "b" } }, spce: {} },
      output: { apiVersion: "x/v1", kind: "DomainRoute", metadata: { name: "web", labels: { a: "b" } } },
      pruned: ["spce"],
    },
    {
      name: "drops metadata fields ObjectMeta does not have",
      schema: routeSchema,
      input: { metadata: { name: "web", lables: { a: "b" } } },
      output: { metadata: { name: "web" } },
      pruned: ["metadata.lables"],
    },
    {
      name: "keeps unknown fields under x-kubernetes-preserve-unknown-fields but prunes inside known ones",
      schema: looseSchema,
      input: { spec: { raw: { free: { deep: 1 }, known: { a: "x", b: "y" } } } },
      output: { spec: { raw: { free: { deep: 1 }, known: { a: "x" } } } },
      pruned: ["spec.raw.known.b"],
    },
    {
      name: "keeps scalar map values of additionalProperties: true and empties objects in them",
      schema: looseSchema,
      input: { spec: { anything: { a: 1, b: { c: 2 } } } },
      output: { spec: { anything: { a: 1, b: {} } } },
      pruned: ["spec.anything.b.c"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = pruneUnknownFields(c.schema, c.input);
      assert.deepEqual(result.object, c.output);
      assert.deepEqual(result.pruned, c.pruned);
    });
  }

  it("does not change its input", () => {
    const input = { spec: { domian: "typo" } };
    pruneUnknownFields(routeSchema, input);
    assert.deepEqual(input, { spec: { domian: "typo" } });
  });
});
