// Runs a compiled policy set against one admission request, in the two
// phases decide() (verdict.ts) calls: mutations, then validations. Both take
// the request's one RequestContext (request-context.ts), which holds its
// bounds, deadline, cost and the CEL bindings of the object as it is now.
//
// Every matched module is evaluated on its own (module-run.ts): one module's
// error, timeout or denial never stops or hides another's result. An error
// anywhere in a module (match condition, variable, validation, message,
// mutation) is a denial that says so: hostgate fails closed.
//
// The per-request work outside CEL is kept to what the verdict needs: the
// bindings are built once per request, a module's field labels only when
// something fails, and strings for messages only when a message is produced.
import { celToJson } from "./cel-values.ts";
import { applyPatch, JsonPatchError, toPatchOperations } from "./json-patch.ts";
import type { CompiledModule, CompiledValidation, PolicySet, ResourceRule } from "./module-loader.ts";
import { describeCel, ModuleError, ModuleRun } from "./module-run.ts";
import type { RequestContext } from "./request-context.ts";
import type { AdmissionInput, JsonPatchOperation, Violation } from "./types.ts";

export interface MutationOutcome {
  object: unknown;
  patch: JsonPatchOperation[];
  violations: Violation[];
}

export const INTERNAL_ERROR_REASON = "InternalError";

export function matchesRequest(module: CompiledModule, input: AdmissionInput): boolean {
  // decide() asks for every module more than once per request, about the same kind object (never modified).
  const last = module.lastMatch;
  if (last.kind === input.kind && last.operation === input.operation) return last.matches;
  let matches = false;
  for (const rule of module.match) {
    if (ruleMatches(rule, input)) {
      matches = true;
      break;
    }
  }
  last.kind = input.kind;
  last.operation = input.operation;
  last.matches = matches;
  return matches;
}

function ruleMatches(rule: ResourceRule, input: AdmissionInput): boolean {
  return (
    hit(rule.apiGroups, input.kind.group) &&
    hit(rule.apiVersions, input.kind.version) &&
    hit(rule.kinds, input.kind.kind) &&
    hit(rule.operations, input.operation)
  );
}

function hit(values: readonly string[], value: string): boolean {
  for (const v of values) if (v === "*" || v === value) return true;
  return false;
}

/**
 * Runs every matched module's mutations in order, each seeing the object as
 * mutated so far; the request goes on with the mutated object.
 */
export function runMutations(set: PolicySet, request: RequestContext): MutationOutcome {
  const input = request.input;
  let object = request.object;
  const patch: JsonPatchOperation[] = [];
  const violations: Violation[] = [];
  for (const module of set.modules) {
    if (module.mutations.length === 0 || !matchesRequest(module, input)) continue;
    const run = start(module, request, violations);
    if (run === undefined) continue;
    try {
      if (!run.conditionsHold()) continue;
      for (const mutation of module.mutations) {
        // A patch larger than an object may be cannot be applied anyway; the bound keeps a shared-parts list from expanding without end.
        const value = celToJson(run.evaluate(mutation.program, "mutation", mutation.index), "the mutation's result", request.limits.maxObjectBytes);
        const field = run.label("mutation", mutation.index);
        let operations: JsonPatchOperation[];
        try {
          operations = toPatchOperations(value);
        } catch (error) {
          throw new ModuleError(field, (error as Error).message);
        }
        if (operations.length === 0) continue;
        try {
          object = applyPatch(object, operations);
        } catch (error) {
          if (error instanceof JsonPatchError) throw new ModuleError(field, `its patch does not apply: ${error.message}`);
          throw error;
        }
        patch.push(...operations);
        // Later mutations of this module, later modules and the validation phase see the new object.
        request.useObject(object);
        run.rebind();
      }
    } catch (error) {
      violations.push(failure(module, error));
    }
  }
  return { object, patch, violations };
}

/** A matched module whose matchConditions excluded the request: none of its validations ran. */
export interface Exclusion {
  policy: string;
  /** The first matchCondition that was false. */
  condition: string;
}

/**
 * Runs every matched module's validations on the request's object as it is now; returns all violations (every action).
 * Each module a false matchCondition excludes is added to `excluded`, when given (an audit reports it as skipped, not passed).
 */
export function runValidations(set: PolicySet, request: RequestContext, excluded?: Exclusion[]): Violation[] {
  const input = request.input;
  const violations: Violation[] = [];
  for (const module of set.modules) {
    if (module.validations.length === 0 || !matchesRequest(module, input)) continue;
    const run = start(module, request, violations);
    if (run === undefined) continue;
    try {
      const condition = run.excludedBy();
      if (condition !== undefined) {
        excluded?.push({ policy: module.name, condition });
        continue;
      }
    } catch (error) {
      violations.push(failure(module, error));
      continue;
    }
    for (const validation of module.validations) {
      try {
        const passed = run.evaluate(validation.program, "validation", validation.index);
        if (typeof passed !== "boolean")
          throw new ModuleError(run.label("validation", validation.index), `must produce a bool, produced ${describeCel(passed)}`);
        if (passed) continue;
        violations.push({
          policy: module.name,
          message: message(run, validation, request.limits.maxMessageLength),
          ...(validation.fieldPath !== undefined ? { field: validation.fieldPath } : {}),
          reason: validation.reason,
          action: validation.action,
        });
      } catch (error) {
        // One broken variable fails every validation that reads it; say so once.
        const reported = failure(module, error);
        if (!violations.some((v) => v.policy === reported.policy && v.message === reported.message)) violations.push(reported);
      }
    }
  }
  return violations;
}

/** A run of the module, or undefined after recording why it cannot run (the object is too large). */
function start(module: CompiledModule, request: RequestContext, violations: Violation[]): ModuleRun | undefined {
  const tooLarge = request.tooLarge();
  if (tooLarge !== undefined) {
    violations.push({ ...tooLarge, policy: module.name });
    return undefined;
  }
  return new ModuleRun(module, request);
}

/** The violation's message: the messageExpression's, else the static one, else the failed expression. */
function message(run: ModuleRun, validation: CompiledValidation, max: number): string {
  if (validation.messageProgram !== undefined) {
    try {
      const value = run.evaluate(validation.messageProgram, "message", validation.index);
      if (typeof value === "string" && value.trim() !== "") return truncate(value, max);
    } catch {
      // A broken message must not hide the violation: fall back below.
    }
  }
  return truncate(validation.message ?? `failed expression: ${validation.program.source}`, max);
}

function failure(module: CompiledModule, error: unknown): Violation {
  const detail =
    error instanceof ModuleError
      ? error.field === ""
        ? error.message
        : `${error.field}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return {
    policy: module.name,
    message: `policy could not be evaluated (${detail}); the request is denied because policy errors fail closed`,
    reason: INTERNAL_ERROR_REASON,
    action: "Deny",
  };
}

function truncate(text: string, max: number): string {
  const oneLine = text.includes("\n") ? text.replace(/\s*\n\s*/g, " ") : text;
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
