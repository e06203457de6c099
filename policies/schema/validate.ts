// The API server's validation of a (pruned, defaulted) custom resource
// against its schema, in the API server's order: OpenAPI schema, list
// uniqueness, then the x-kubernetes-validations rules, which are skipped when
// an earlier error means the object lacks the shape they were written for.
import type { JSONSchemaProps } from "../../crds/schema-props.ts";
import { validateCelRules } from "./cel-rules.ts";
import type { SchemaViolation } from "./field-errors.ts";
import { isBlocking, rulesNotChecked } from "./field-errors.ts";
import { validateListTypes } from "./list-types.ts";
import { validateOpenApi } from "./openapi-validate.ts";

export interface ValidateOptions {
  /** The stored object, on UPDATE: transition rules (those reading oldSelf) run only with it. */
  oldObject?: unknown;
  /** The value is a whole object (metadata handling at the root). Default true. */
  isResourceRoot?: boolean;
  /** Field path of `object` when it is not a whole object (e.g. a schema default); reported fields start with it. */
  path?: string;
  /** Violations found before the schema step (object metadata); they can block the rules too. */
  preceding?: readonly SchemaViolation[];
}

export function validateAgainstSchema(schema: JSONSchemaProps, object: unknown, options: ValidateOptions = {}): SchemaViolation[] {
  const path = options.path ?? "";
  const found = [...(options.preceding ?? []), ...validateOpenApi(schema, object, path), ...validateListTypes(schema, object, path)];
  const ruleOptions = {
    isResourceRoot: options.isResourceRoot ?? true,
    path,
    ...(options.oldObject !== undefined ? { oldObject: options.oldObject } : {}),
  };
  const rules = found.some(isBlocking) ? [rulesNotChecked()] : validateCelRules(schema, object, ruleOptions);
  return [...found, ...rules];
}
