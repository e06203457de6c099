// `kubectl explain` is the documentation app teams read, so every field of
// our CRDs must say what it is for.
import type { JSONSchemaProps } from "./schema-props.ts";
import { additionalPropertiesOf, itemsOf } from "./schema-props.ts";

/**
 * Schema paths of nodes without a description. The root's `metadata` is
 * exempt: the API server forbids anything there but name and generateName
 * restrictions, and documents it as ObjectMeta itself.
 */
export function fieldsWithoutDescription(schema: JSONSchemaProps, rootPath = "openAPIV3Schema"): string[] {
  const out: string[] = [];
  visit(schema, rootPath, true, out);
  return out;
}

function visit(node: JSONSchemaProps, path: string, isRoot: boolean, out: string[]): void {
  if (typeof node.description !== "string" || node.description.trim() === "") out.push(path);
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const childPath = `${path}.properties[${name}]`;
    if (isRoot && name === "metadata") {
      for (const [metaName, metaChild] of Object.entries(child.properties ?? {})) visit(metaChild, `${childPath}.properties[${metaName}]`, false, out);
      continue;
    }
    visit(child, childPath, false, out);
  }
  const items = itemsOf(node);
  if (items !== undefined) visit(items, `${path}.items`, false, out);
  const values = additionalPropertiesOf(node);
  if (values !== undefined) visit(values, `${path}.additionalProperties`, false, out);
}
