// Collects every x-kubernetes-validations rule of a schema with the place it
// applies to, so callers can list, compile or explain rules without walking
// the schema themselves.
import type { JSONSchemaProps, ValidationRule } from "./schema-props.ts";
import { additionalPropertiesOf, itemsOf } from "./schema-props.ts";

/** A rule from x-kubernetes-validations, with where it sits. */
export interface CollectedRule extends ValidationRule {
  /** Keys from openAPIV3Schema to the node carrying the rule, e.g. ["properties", "spec"]. */
  schemaPath: readonly string[];
  /**
   * Where `self` is bound in an object: a field path with `[*]` for every
   * list item or map value, e.g. `spec.domain`, `spec.protection.rules[*]`;
   * `""` for the object root.
   */
  dataPath: string;
  /** Position of the rule in its node's x-kubernetes-validations list. */
  index: number;
  /**
   * The rule reads `oldSelf`, so the API server runs it only on UPDATE and
   * only where an old value exists. A syntactic test (the word `oldSelf`
   * outside string literals); the evaluator decides with the compiled rule.
   */
  transition: boolean;
}

export function collectValidationRules(schema: JSONSchemaProps): CollectedRule[] {
  const out: CollectedRule[] = [];
  visit(schema, [], "", out);
  return out;
}

function visit(node: JSONSchemaProps, schemaPath: string[], dataPath: string, out: CollectedRule[]): void {
  const rules = node["x-kubernetes-validations"] ?? [];
  rules.forEach((rule, index) => {
    out.push({
      schemaPath,
      dataPath,
      index,
      rule: rule.rule,
      ...(rule.message !== undefined ? { message: rule.message } : {}),
      ...(rule.messageExpression !== undefined ? { messageExpression: rule.messageExpression } : {}),
      ...(rule.reason !== undefined ? { reason: rule.reason } : {}),
      ...(rule.fieldPath !== undefined ? { fieldPath: rule.fieldPath } : {}),
      ...(rule.optionalOldSelf !== undefined ? { optionalOldSelf: rule.optionalOldSelf } : {}),
      transition: readsOldSelf(rule.rule),
    });
  });
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    visit(child, [...schemaPath, "properties", name], dataPath === "" ? name : `${dataPath}.${name}`, out);
  }
  const items = itemsOf(node);
  if (items !== undefined) visit(items, [...schemaPath, "items"], `${dataPath}[*]`, out);
  const values = additionalPropertiesOf(node);
  if (values !== undefined) visit(values, [...schemaPath, "additionalProperties"], `${dataPath}[*]`, out);
}

/** True when `oldSelf` appears as an identifier, not inside a string literal. */
export function readsOldSelf(source: string): boolean {
  const withoutStrings = source.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  return /(^|[^A-Za-z0-9_.])oldSelf(?![A-Za-z0-9_])/.test(withoutStrings);
}
