// Printer columns point into the object with JSONPath; the API server only
// checks the syntax, so a typo shows up as an always-empty column in
// `kubectl get`. We check that each path leads to a field the schema declares.
import type { CrdVersion, PrinterColumn } from "./catalog.ts";
import type { JSONSchemaProps } from "./schema-props.ts";
import { additionalPropertiesOf, itemsOf } from "./schema-props.ts";

const COLUMN_TYPES = ["integer", "number", "string", "boolean", "date"];
const COLUMN_FORMATS = ["int32", "int64", "float", "double", "byte", "date", "date-time", "password"];
// metav1.ObjectMeta's fields, which every object has whatever its schema says.
const OBJECT_META = new Set([
  "name",
  "generateName",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
]);

export function printerColumnProblems(version: CrdVersion): string[] {
  const schema = version.schema?.openAPIV3Schema;
  const out: string[] = [];
  (version.additionalPrinterColumns ?? []).forEach((column, i) => {
    const where = `additionalPrinterColumns[${i}] (${column.name})`;
    for (const problem of columnProblems(column, schema)) out.push(`${where}: ${problem}`);
  });
  return out;
}

function columnProblems(column: PrinterColumn, schema: JSONSchemaProps | undefined): string[] {
  const out: string[] = [];
  if (!column.name) out.push("name is required");
  if (!COLUMN_TYPES.includes(column.type)) out.push(`type ${JSON.stringify(column.type)} must be one of ${COLUMN_TYPES.join(", ")}`);
  if (column.format !== undefined && !COLUMN_FORMATS.includes(column.format))
    out.push(`format ${JSON.stringify(column.format)} must be one of ${COLUMN_FORMATS.join(", ")}`);
  if (!column.jsonPath.startsWith(".")) {
    out.push(`jsonPath ${JSON.stringify(column.jsonPath)} must be a simple JSON path starting with .`);
    return out;
  }
  const steps = parseJsonPath(column.jsonPath);
  if (steps === undefined) {
    out.push(`jsonPath ${JSON.stringify(column.jsonPath)} uses JSONPath syntax this check does not understand; use .field, [n], [*] or [?(@.field=="value")]`);
    return out;
  }
  const missing = schema === undefined ? "the version has no schema" : resolve(schema, steps);
  if (missing !== undefined) out.push(`jsonPath ${JSON.stringify(column.jsonPath)} does not exist in the schema: ${missing}`);
  return out;
}

type Step = { field: string } | { items: true; filterField?: string };

/** `.a.b[0].c`, `.a[*].b`, `.a[?(@.type=="Ready")].status` → steps; undefined for other syntax. */
export function parseJsonPath(path: string): Step[] | undefined {
  const steps: Step[] = [];
  let rest = path;
  while (rest !== "") {
    let m = /^\.([A-Za-z_][A-Za-z0-9_-]*)/.exec(rest);
    if (m !== null) {
      steps.push({ field: m[1]! });
      rest = rest.slice(m[0].length);
      continue;
    }
    m = /^\[(\d+|\*)\]/.exec(rest);
    if (m !== null) {
      steps.push({ items: true });
      rest = rest.slice(m[0].length);
      continue;
    }
    m = /^\[\?\(@\.([A-Za-z_][A-Za-z0-9_-]*)\s*==\s*("[^"]*"|'[^']*')\)\]/.exec(rest);
    if (m !== null) {
      steps.push({ items: true, filterField: m[1]! });
      rest = rest.slice(m[0].length);
      continue;
    }
    return undefined;
  }
  return steps;
}

/** undefined when the steps lead through the schema; else what is missing. */
function resolve(schema: JSONSchemaProps, steps: readonly Step[]): string | undefined {
  const first = steps[0];
  if (first !== undefined && "field" in first && first.field === "metadata") {
    const second = steps[1];
    if (second === undefined || ("field" in second && OBJECT_META.has(second.field))) return undefined;
    return "metadata has no such field";
  }
  let node: JSONSchemaProps = schema;
  let at = "";
  for (const step of steps) {
    if ("field" in step) {
      const next: JSONSchemaProps | undefined = node.properties?.[step.field] ?? additionalPropertiesOf(node);
      if (next === undefined) return `${at === "" ? "the root" : at} has no field ${JSON.stringify(step.field)}`;
      node = next;
      at += `.${step.field}`;
    } else {
      const items = itemsOf(node);
      if (items === undefined) return `${at} is not a list`;
      if (step.filterField !== undefined && items.properties?.[step.filterField] === undefined) {
        return `items of ${at} have no field ${JSON.stringify(step.filterField)} to filter on`;
      }
      node = items;
      at += "[]";
    }
  }
  return undefined;
}
