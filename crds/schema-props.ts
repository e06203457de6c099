// The shape of a CRD's openAPIV3Schema (apiextensions.k8s.io/v1
// JSONSchemaProps), as plain data read from YAML. Keywords the API server
// forbids are listed too, so the checkers in this folder can name them.

export type FieldValueErrorReason = "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
export const VALIDATION_RULE_REASONS: readonly FieldValueErrorReason[] = [
  "FieldValueDuplicate",
  "FieldValueForbidden",
  "FieldValueInvalid",
  "FieldValueRequired",
];

/** One entry of `x-kubernetes-validations`. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: FieldValueErrorReason;
  /** Relative JSON path (`.a.b` or `['a']`) to report the failure at. */
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  title?: string;
  default?: unknown;
  nullable?: boolean;
  enum?: unknown[];
  example?: unknown;
  externalDocs?: { description?: string; url?: string };

  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;

  required?: string[];
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps | JSONSchemaProps[];

  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;

  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: string;
  "x-kubernetes-validations"?: ValidationRule[];

  // Not supported by the API server; typed so checkers can report them.
  $ref?: string;
  $schema?: string;
  id?: string;
  definitions?: Record<string, JSONSchemaProps>;
  dependencies?: Record<string, unknown>;
  patternProperties?: Record<string, JSONSchemaProps>;
  additionalItems?: JSONSchemaProps | boolean;
}

/** The single items schema of an array node, when it has one. */
export function itemsOf(node: JSONSchemaProps): JSONSchemaProps | undefined {
  const items = node.items;
  return items !== undefined && !Array.isArray(items) ? items : undefined;
}

/** The additionalProperties schema of a map node, when it has one. */
export function additionalPropertiesOf(node: JSONSchemaProps): JSONSchemaProps | undefined {
  const extra = node.additionalProperties;
  return typeof extra === "object" && extra !== null ? extra : undefined;
}

/** A node whose unknown fields the API server keeps, and which CEL cannot see into. */
export function preservesUnknownFields(node: JSONSchemaProps): boolean {
  return node["x-kubernetes-preserve-unknown-fields"] === true;
}
