import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { loadCrdCatalog } from "../../crds/catalog.ts";
import { applySchemaDefaults } from "./defaults.ts";

const catalog = loadCrdCatalog();
const routeSchema = catalog.lookup("hostgate.dev/v1alpha1", "DomainRoute")!.schema;
const grantSchema = catalog.lookup("hostgate.dev/v1alpha1", "HostnameGrant")!.schema;

const listSchema: JSONSchemaProps = {
  type: "object",
  properties: {
    items: {
      type: "array",
      items: {
        type: "object",
        default: { weight: 1 },
        properties: { weight: { type: "integer", default: 10 }, name: { type: "string" }, tags: { type: "array", nullable: true, items: { type: "string" } } },
      },
    },
    labels: { type: "object", additionalProperties: { type: "object", properties: { v: { type: "string", default: "x" } } } },
  },
};

describe("applySchemaDefaults", () => {
  const cases: { name: string; schema: JSONSchemaProps; input: unknown; output: unknown }[] = [
    {
      name: "fills spec.routing with its default and defaults the mode inside it",
      schema: routeSchema,
      input: { spec: { domain: "a.example.com", lb: "alb-in" } },
      output: { spec: { domain: "a.example.com", lb: "alb-in", routing: { mode: "Managed" } } },
    },
    {
      name: "keeps a mode the user set",
      schema: routeSchema,
      input: { spec: { routing: { mode: "External" } } },
      output: { spec: { routing: { mode: "External" } } },
    },
    {
      name: "defaults dns.ttl only when spec.dns exists",
      schema: routeSchema,
      input: { spec: { dns: {} } },
      output: { spec: { dns: { ttl: 300 }, routing: { mode: "Managed" } } },
    },
    {
      name: "leaves spec.dns out when the user left it out",
      schema: routeSchema,
      input: { spec: {} },
      output: { spec: { routing: { mode: "Managed" } } },
    },
    {
      name: "defaults an external backend's protocol to HTTP",
      schema: routeSchema,
      input: { spec: { backend: { external: { ip: "10.0.0.1", port: 80 } } } },
      output: { spec: { backend: { external: { ip: "10.0.0.1", port: 80, protocol: "HTTP" } }, routing: { mode: "Managed" } } },
    },
    {
      name: "applies no default where the parent object is missing",
      schema: routeSchema,
      input: {},
      output: {},
    },
    {
      name: "replaces a null with the field's default",
      schema: routeSchema,
      input: { spec: { routing: null, dns: { ttl: null } } },
      output: { spec: { routing: { mode: "Managed" }, dns: { ttl: 300 } } },
    },
    {
      name: "drops a null the schema neither allows nor defaults",
      schema: routeSchema,
      input: { spec: { domain: null, backend: { service: null } } },
      output: { spec: { backend: {}, routing: { mode: "Managed" } } },
    },
    {
      name: "defaults allowPublicWithoutProtection to false",
      schema: grantSchema,
      input: { spec: { namespaces: ["a"], hostnames: ["a.example.com"] } },
      output: { spec: { namespaces: ["a"], hostnames: ["a.example.com"], allowPublicWithoutProtection: false } },
    },
    {
      name: "gives list items their defaults and replaces null items with the items' default",
      schema: listSchema,
      input: { items: [{ name: "a" }, null, { weight: 3 }] },
      output: { items: [{ name: "a", weight: 10 }, { weight: 1 }, { weight: 3 }] },
    },
    {
      name: "keeps a null where the schema is nullable",
      schema: listSchema,
      input: { items: [{ weight: 2, tags: null }] },
      output: { items: [{ weight: 2, tags: null }] },
    },
    {
      name: "defaults inside map values",
      schema: listSchema,
      input: { labels: { a: {}, b: { v: "y" } } },
      output: { labels: { a: { v: "x" }, b: { v: "y" } } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(applySchemaDefaults(c.schema, c.input), c.output);
    });
  }

  it("does not change its input", () => {
    const input = { spec: { domain: "a.example.com" } };
    applySchemaDefaults(routeSchema, input);
    assert.deepEqual(input, { spec: { domain: "a.example.com" } });
  });

  it("gives each object its own copy of a default", () => {
    const input: unknown = { labels: { a: {}, b: {} } };
    const out = applySchemaDefaults(listSchema, input) as { labels: Record<string, { v: string }> };
    out.labels.a!.v = "changed";
    assert.equal(out.labels.b!.v, "x");
  });
});
