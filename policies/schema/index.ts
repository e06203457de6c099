// The CRD schema step of `hostgate check`: an emulation of what the API
// server does to a custom resource of ours (prune, default, validate, CEL).
export { applySchemaDefaults, pruneNonNullableNulls } from "./defaults.ts";
export { checkCustomResource, checkIfCustomResource } from "./check.ts";
export type { CheckOperation, CheckOptions, CheckResult } from "./check.ts";
export { validateCelRules } from "./cel-rules.ts";
export type { CelRuleOptions } from "./cel-rules.ts";
export { formatInvalid, isBlocking, ROOT_FIELD } from "./field-errors.ts";
export type { CauseType, SchemaViolation } from "./field-errors.ts";
export { validateListTypes } from "./list-types.ts";
export { validateObjectMeta } from "./metadata.ts";
export { validateOpenApi } from "./openapi-validate.ts";
export { pruneUnknownFields } from "./prune.ts";
export type { PruneOptions, PruneResult } from "./prune.ts";
export { validateAgainstSchema } from "./validate.ts";
export type { ValidateOptions } from "./validate.ts";
