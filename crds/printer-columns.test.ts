import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CrdVersion, PrinterColumn } from "./catalog.ts";
import { printerColumnProblems } from "./printer-columns.ts";

const version = (columns: PrinterColumn[]): CrdVersion => ({
  name: "v1",
  served: true,
  storage: true,
  additionalPrinterColumns: columns,
  schema: {
    openAPIV3Schema: {
      type: "object",
      properties: {
        spec: { type: "object", properties: { domain: { type: "string" } } },
        status: {
          type: "object",
          properties: { conditions: { type: "array", items: { type: "object", properties: { type: { type: "string" }, status: { type: "string" } } } } },
        },
      },
    },
  },
});

describe("printerColumnProblems", () => {
  const cases: { name: string; column: PrinterColumn; problems: string[] }[] = [
    { name: "a declared field is fine", column: { name: "Domain", type: "string", jsonPath: ".spec.domain" }, problems: [] },
    { name: "an ObjectMeta field is fine without a schema", column: { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }, problems: [] },
    {
      name: "a filter on a declared item field is fine",
      column: { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      problems: [],
    },
    {
      name: "a misspelt field is reported",
      column: { name: "Domain", type: "string", jsonPath: ".spec.domian" },
      problems: ['additionalPrinterColumns[0] (Domain): jsonPath ".spec.domian" does not exist in the schema: .spec has no field "domian"'],
    },
    {
      name: "a filter on an undeclared item field is reported",
      column: { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.kind=="Ready")].status' },
      problems: [
        'additionalPrinterColumns[0] (Ready): jsonPath ".status.conditions[?(@.kind==\\"Ready\\")].status" does not exist in the schema: items of .status.conditions have no field "kind" to filter on',
      ],
    },
    {
      name: "an unknown metadata field is reported",
      column: { name: "X", type: "string", jsonPath: ".metadata.colour" },
      problems: ['additionalPrinterColumns[0] (X): jsonPath ".metadata.colour" does not exist in the schema: metadata has no such field'],
    },
    {
      name: "an unknown column type is reported",
      column: { name: "X", type: "text", jsonPath: ".spec.domain" },
      problems: ['additionalPrinterColumns[0] (X): type "text" must be one of integer, number, string, boolean, date'],
    },
    {
      name: "a path not starting with a dot is reported",
      column: { name: "X", type: "string", jsonPath: "spec.domain" },
      problems: ['additionalPrinterColumns[0] (X): jsonPath "spec.domain" must be a simple JSON path starting with .'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(printerColumnProblems(version([c.column])), c.problems);
    });
  }
});
