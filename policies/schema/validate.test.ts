// Each message style the API server uses for schema violations, on our own
// CRDs where they have the keyword and on small schemas where they do not.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { loadCrdCatalog } from "../../crds/catalog.ts";
import { applySchemaDefaults } from "./defaults.ts";
import { validateAgainstSchema } from "./validate.ts";

const catalog = loadCrdCatalog();
const routeSchema = catalog.lookup("hostgate.dev/v1alpha1", "DomainRoute")!.schema;
const grantSchema = catalog.lookup("hostgate.dev/v1alpha1", "HostnameGrant")!.schema;

const DOMAIN_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$";
const SKIPPED =
  '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

function route(spec: Record<string, unknown>): unknown {
  return applySchemaDefaults(routeSchema, {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "web", namespace: "shop" },
    spec: { domain: "shop.example.com", lb: "alb-in", backend: { service: { name: "web", port: 80 } }, ...spec },
  });
}

function withoutSpecField(name: string): unknown {
  const object = route({}) as { spec: Record<string, unknown> };
  delete object.spec[name];
  return object;
}

const smallSchema: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      maxProperties: 3,
      properties: {
        when: { type: "string", format: "date-time" },
        ratio: { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1 },
        step: { type: "integer", multipleOf: 5 },
        name: { type: "string", minLength: 2 },
        maybe: { type: "string", nullable: true },
        level: { type: "integer", enum: [1, 2] },
        either: { "x-kubernetes-int-or-string": true },
      },
    },
  },
};

describe("validateAgainstSchema", () => {
  const cases: { name: string; schema: JSONSchemaProps; object: unknown; messages: string[] }[] = [
    { name: "a valid DomainRoute has no violations", schema: routeSchema, object: route({}), messages: [] },
    {
      name: "a missing required field is a Required value, and the rules are skipped",
      schema: routeSchema,
      object: withoutSpecField("lb"),
      messages: ["spec.lb: Required value", SKIPPED],
    },
    {
      name: "a value outside an enum is an Unsupported value listing the supported ones",
      schema: routeSchema,
      object: route({ lb: "alb-x" }),
      messages: ['spec.lb: Unsupported value: "alb-x": supported values: "alb-out", "alb-in"', SKIPPED],
    },
    {
      name: "a pattern mismatch quotes the value and the pattern, and does not stop the rules",
      schema: routeSchema,
      object: route({ domain: "Foo" }),
      messages: [`spec.domain: Invalid value: "Foo": spec.domain in body should match '${DOMAIN_PATTERN}'`],
    },
    {
      name: "a number below the minimum names the bound",
      schema: routeSchema,
      object: route({ dns: { ttl: 5 } }),
      messages: ["spec.dns.ttl: Invalid value: 5: spec.dns.ttl in body should be greater than or equal to 60"],
    },
    {
      name: "a number above the maximum names the bound",
      schema: routeSchema,
      object: route({ backend: { service: { name: "web", port: 70000 } } }),
      messages: ["spec.backend.service.port: Invalid value: 70000: spec.backend.service.port in body should be less than or equal to 65535"],
    },
    {
      name: "a string that is too long says the limit without the value",
      schema: routeSchema,
      object: route({ domain: Array.from({ length: 5 }, () => "a".repeat(60)).join(".") }),
      messages: ["spec.domain: Too long: may not be longer than 253", SKIPPED],
    },
    {
      name: "a wrong JSON type names the expected and the actual type",
      schema: routeSchema,
      object: route({ backend: { service: { name: "web", port: "80" } } }),
      messages: ['spec.backend.service.port: Invalid value: "string": spec.backend.service.port in body must be of type integer: "string"', SKIPPED],
    },
    {
      name: "a fraction where an integer belongs is of type number",
      schema: routeSchema,
      object: route({ dns: { ttl: 300.5 } }),
      messages: ['spec.dns.ttl: Invalid value: "number": spec.dns.ttl in body must be of type integer: "number"', SKIPPED],
    },
    {
      name: "an IPv4 address with a leading zero fails the pattern",
      schema: routeSchema,
      object: route({ backend: { external: { ip: "10.020.30.40", port: 80, protocol: "HTTP" } } }),
      messages: [
        `spec.backend.external.ip: Invalid value: "10.020.30.40": spec.backend.external.ip in body should match '${routeSchema.properties!.spec!.properties!.backend!.properties!.external!.properties!.ip!.pattern}'`,
      ],
    },
    {
      name: "an index appears in the path of a list item",
      schema: routeSchema,
      object: route({ protection: { provider: "sso", appId: "shop", rules: [{ action: "Allow", paths: ["/ok", "no-slash"] }] } }),
      messages: [`spec.protection.rules[0].paths[1]: Invalid value: "no-slash": spec.protection.rules[0].paths[1] in body should match '^/[^\\s?#]*$'`],
    },
    {
      name: "too few items names the count",
      schema: routeSchema,
      object: route({ protection: { provider: "sso", appId: "shop", rules: [{ action: "Allow", paths: [] }] } }),
      messages: ["spec.protection.rules[0].paths: Invalid value: 0: spec.protection.rules[0].paths in body should have at least 1 items"],
    },
    {
      name: "too many items names the count and the limit",
      schema: grantSchema,
      object: { spec: { namespaces: Array.from({ length: 257 }, (_, i) => `ns${i}`), hostnames: ["a.example.com"] } },
      messages: ["spec.namespaces: Too many: 257: must have at most 256 items", SKIPPED],
    },
    {
      name: "a repeated item of a set is a Duplicate value",
      schema: grantSchema,
      object: { spec: { namespaces: ["a", "b", "a", "a"], hostnames: ["*.example.com"] } },
      messages: ['spec.namespaces[2]: Duplicate value: "a"'],
    },
    {
      name: "a bad date-time is a type error naming the format",
      schema: smallSchema,
      object: { spec: { when: "yesterday" } },
      messages: ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"', SKIPPED],
    },
    {
      name: "an exclusive minimum says greater than",
      schema: smallSchema,
      object: { spec: { ratio: 0 } },
      messages: ["spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0"],
    },
    {
      name: "multipleOf names the factor",
      schema: smallSchema,
      object: { spec: { step: 7 } },
      messages: ["spec.step: Invalid value: 7: spec.step in body should be a multiple of 5"],
    },
    {
      name: "a string that is too short quotes it",
      schema: smallSchema,
      object: { spec: { name: "a" } },
      messages: ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long'],
    },
    {
      name: "null is fine where the schema is nullable",
      schema: smallSchema,
      object: { spec: { maybe: null } },
      messages: [],
    },
    {
      name: 'null where it is not nullable is a type error on "null"',
      schema: smallSchema,
      object: { spec: { name: null } },
      messages: ['spec.name: Invalid value: "null": spec.name in body must be of type string: "null"', SKIPPED],
    },
    {
      name: "a number outside an enum of numbers is listed as JSON",
      schema: smallSchema,
      object: { spec: { level: 3 } },
      messages: ['spec.level: Unsupported value: 3: supported values: "1", "2"', SKIPPED],
    },
    {
      name: "int-or-string accepts both and names both when neither",
      schema: smallSchema,
      object: { spec: { either: true } },
      messages: ['spec.either: Invalid value: "boolean": spec.either in body must be of type integer,string: "boolean"', SKIPPED],
    },
    {
      name: "too many properties skips the object's other checks, as kube-openapi does",
      schema: smallSchema,
      object: { spec: { name: "a", step: 7, ratio: 0, when: "x" } },
      messages: ["spec: Too many: 4: must have at most 3 items", SKIPPED],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        validateAgainstSchema(c.schema, c.object).map((v) => v.message),
        c.messages,
      );
    });
  }

  it("reports fields below a base path, with messages relative to it", () => {
    const violations = validateAgainstSchema({ type: "integer", minimum: 60 }, 5, { isResourceRoot: false, path: "x.default" });
    assert.deepEqual(
      violations.map((v) => [v.field, v.message]),
      [["x.default", "x.default: Invalid value: 5:  in body should be greater than or equal to 60"]],
    );
  });
});
