// A precondition for the API server's CEL cost estimator. When a CRD is
// created, every x-kubernetes-validations rule gets an estimated worst-case
// cost, computed from the largest value its `self` can hold; a string, list
// or map without a bound is assumed to fill the whole request (about 3 MiB),
// which easily pushes a rule past the limit and gets the CRD rejected
// ("estimated rule cost exceeds budget ... try ... adding maxItems,
// maxProperties, and maxLength"). So everything a rule can reach must be
// bounded. We check that, rather than estimate the cost ourselves.
import type { JSONSchemaProps } from "./schema-props.ts";
import { additionalPropertiesOf, itemsOf, preservesUnknownFields } from "./schema-props.ts";

export interface CelCostProblem {
  /** Schema path of the unbounded node, e.g. `openAPIV3Schema.properties[spec].properties[domain]`. */
  path: string;
  /** Schema path of the node carrying the rule that reaches it. */
  rulePath: string;
  message: string;
}

// The oldest API server hostgate supports is Kubernetes 1.28. Its estimator
// (SchemaDeclType) types these string formats as fixed-size CEL values
// (timestamp, duration) whatever their maxLength. Two bounds that newer
// servers honour do not exist there, so they do not count here:
// - an enum string is sized by its longest value only from 1.29
//   (kubernetes/kubernetes#121085, fixing #119511); 1.28 treats it as a
//   string filling the whole request unless it has a maxLength;
// - an x-kubernetes-int-or-string value is always sized as the whole request,
//   its maxLength ignored (changed only by kubernetes/kubernetes#132837).
const BOUNDED_STRING_FORMATS = new Set(["date-time", "date", "duration"]);

export function celCostProblems(schema: JSONSchemaProps, rootPath = "openAPIV3Schema"): CelCostProblem[] {
  const out: CelCostProblem[] = [];
  findRules(schema, rootPath, true, out);
  return out;
}

function findRules(node: JSONSchemaProps, path: string, isRoot: boolean, out: CelCostProblem[]): void {
  if ((node["x-kubernetes-validations"] ?? []).length > 0) {
    if (isRoot) checkRootMeta(node, path, out);
    checkBounded(node, path, path, out);
  }
  for (const [name, child] of Object.entries(node.properties ?? {})) findRules(child, `${path}.properties[${name}]`, false, out);
  const items = itemsOf(node);
  if (items !== undefined) findRules(items, `${path}.items`, false, out);
  const values = additionalPropertiesOf(node);
  if (values !== undefined) findRules(values, `${path}.additionalProperties`, false, out);
}

function checkBounded(node: JSONSchemaProps, path: string, rulePath: string, out: CelCostProblem[]): void {
  const problem = (message: string): void => {
    out.push({
      path,
      rulePath,
      message: `${path}: ${message}, and the rule at ${rulePath} can reach it; the API server's CEL cost estimate would treat it as unbounded`,
    });
  };
  if (node["x-kubernetes-int-or-string"] === true) {
    problem("x-kubernetes-int-or-string value (Kubernetes 1.28 sizes it as the whole request, maxLength or not)");
  } else if (node.type === "string" && node.maxLength === undefined) {
    const formatBounded = node.format !== undefined && BOUNDED_STRING_FORMATS.has(node.format);
    if (!formatBounded)
      problem(
        node.enum !== undefined && node.enum.length > 0
          ? "enum string without maxLength (Kubernetes 1.28 ignores the enum when sizing it)"
          : "string without maxLength",
      );
  }
  if (node.type === "array" && node.maxItems === undefined) problem("list without maxItems");
  const isMap = node.type === "object" && node.additionalProperties !== undefined && node.additionalProperties !== false;
  if (isMap && node.maxProperties === undefined) problem("map without maxProperties");

  // Nothing CEL can see lies below a node that keeps unknown fields without a schema.
  if (preservesUnknownFields(node) && node.properties === undefined && node.items === undefined && node.additionalProperties === undefined) return;
  for (const [name, child] of Object.entries(node.properties ?? {})) checkBounded(child, `${path}.properties[${name}]`, rulePath, out);
  const items = itemsOf(node);
  if (items !== undefined) checkBounded(items, `${path}.items`, rulePath, out);
  const values = additionalPropertiesOf(node);
  if (values !== undefined) checkBounded(values, `${path}.additionalProperties`, rulePath, out);
}

/**
 * A rule at the root sees apiVersion, kind, metadata.name and
 * metadata.generateName. The API server uses the schema's own declarations
 * of these only when all four are declared as strings; otherwise it
 * substitutes its own, unbounded ones.
 */
function checkRootMeta(node: JSONSchemaProps, path: string, out: CelCostProblem[]): void {
  const props = node.properties ?? {};
  const meta = props.metadata?.properties ?? {};
  const declared =
    props.apiVersion?.type === "string" &&
    props.kind?.type === "string" &&
    props.metadata?.type === "object" &&
    meta.name?.type === "string" &&
    meta.generateName?.type === "string";
  if (!declared) {
    out.push({
      path,
      rulePath: path,
      message: `${path}: a rule at the root can reach apiVersion, kind, metadata.name and metadata.generateName; declare all four as strings with maxLength (metadata may restrict name and generateName), or the API server treats them as unbounded`,
    });
  }
}
