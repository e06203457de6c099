// A policy module file and a PolicyModule object are interchangeable: the
// loader's schema (policies/engine/module-schema.ts) and the CRD's
// openAPIV3Schema must accept the same documents. Held here two ways: the
// two schemas agree node for node (fields, required, types, enums, patterns
// and every bound), and every module of the built-in library is an object
// the CRD accepts, its CEL rules included, with nothing pruned.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { findModuleFiles } from "../policies/engine/module-loader.ts";
import { policyModuleSchema } from "../policies/engine/module-schema.ts";
import { checkCustomResource } from "../policies/schema/check.ts";
import { loadCrdCatalog } from "./catalog.ts";
import type { JSONSchemaProps } from "./schema-props.ts";

const LIBRARY = join(import.meta.dirname, "..", "policies", "library");
const entry = loadCrdCatalog().lookup("hostgate.dev/v1alpha1", "PolicyModule");

/** The constraints of one schema node that decide what it accepts, in one form for ajv's schema and the CRD's. */
interface Shape {
  type: string | undefined;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  required?: string[];
  properties?: Record<string, Shape>;
  items?: Shape;
}

function shape(node: Record<string, unknown>): Shape {
  const values = node.const !== undefined ? [node.const] : (node.enum as unknown[] | undefined);
  const out: Shape = { type: (node.type as string | undefined) ?? (values !== undefined ? "string" : undefined) };
  if (values !== undefined) out.enum = [...values];
  for (const key of ["pattern", "minLength", "maxItems", "minItems"] as const) if (node[key] !== undefined) out[key] = node[key] as never;
  // An enum bounds its strings itself; the CRD writes that bound out because the API server asks for one.
  if (node.maxLength !== undefined && values === undefined) out.maxLength = node.maxLength as number;
  if (Array.isArray(node.required)) out.required = [...(node.required as string[])].sort();
  if (node.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties as Record<string, Record<string, unknown>>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shape(v)]),
    );
  }
  if (node.items !== undefined) out.items = shape(node.items as Record<string, unknown>);
  return out;
}

/** spec and metadata.name: the parts a file writes and the CRD declares (ObjectMeta, apiVersion and kind are the API server's). */
function comparable(root: Shape): Shape {
  return {
    type: root.type,
    properties: { metadata: { type: "object", properties: { name: root.properties!.metadata!.properties!.name! } }, spec: root.properties!.spec! },
  };
}

describe("the PolicyModule CRD", () => {
  it("is in the catalog, cluster-scoped", () => {
    assert.ok(entry, "no PolicyModule CRD in crds/");
    assert.equal(entry.scope, "Cluster");
  });

  it("has the shape of a policy module file, bound for bound", () => {
    const crd = comparable(shape(entry!.schema as Record<string, unknown>));
    const file = comparable(shape(policyModuleSchema as unknown as Record<string, unknown>));
    assert.deepEqual(crd, file);
  });

  it("requires spec, as a file does, and leaves apiVersion, kind and metadata to the API server", () => {
    assert.deepEqual((entry!.schema as JSONSchemaProps).required, ["spec"]);
    assert.deepEqual([...policyModuleSchema.required].sort(), ["apiVersion", "kind", "metadata", "spec"]);
  });

  const files = findModuleFiles([LIBRARY]);
  it("finds the library's modules, so the checks below check something", () => {
    assert.ok(files.length >= 10, `only ${files.length} module files under ${LIBRARY}`);
  });
  for (const file of files) {
    const name = file.slice(LIBRARY.length + 1);
    it(`accepts the library's ${name} as an object, unchanged`, () => {
      for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
        const object = doc.toJS() as unknown;
        const result = checkCustomResource(entry!, object, { operation: "CREATE" });
        assert.deepEqual(result.violations, []);
        assert.deepEqual(result.prunedFields, []);
        assert.deepEqual(result.object, object, "the API server would change it: a default or a pruned field");
      }
    });
  }

  const refused: Array<{ name: string; spec: Record<string, unknown>; message: RegExp }> = [
    { name: "a policy that neither checks nor changes anything", spec: {}, message: /neither validations nor mutations/ },
    { name: "a check without a message", spec: { validations: [{ expression: "true" }] }, message: /needs a message or a messageExpression/ },
    {
      name: "an enforcement that is not a stage",
      spec: { enforcement: "Enforce", validations: [{ expression: "true", message: "m" }] },
      message: /Deny|Warn|Audit/,
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}, saying why`, () => {
      const object = {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "PolicyModule",
        metadata: { name: "p" },
        spec: { description: "d", match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE"] }], ...c.spec },
      };
      const messages = checkCustomResource(entry!, object, { operation: "CREATE" }).violations.map((v) => v.message);
      assert.ok(
        messages.some((m) => c.message.test(m)),
        JSON.stringify(messages),
      );
    });
  }
});
