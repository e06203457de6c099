// Runs a compiled policy set against one admission request.
//
// Every matched module is evaluated on its own: one module's error, timeout
// or denial never stops or hides another's result. An error anywhere in a
// module (match condition, variable, validation, message, mutation) is a
// denial that says so: hostgate fails closed.
//
// The per-request work outside CEL is kept to what the verdict needs: the
// bindings are built once per phase (request-run.ts), a module's field
// labels once per module (module-run.ts), and strings for messages only when
// a message is produced.
import { celToJson } from "./cel-values.ts";
import { applyPatch, JsonPatchError, toPatchOperations } from "./json-patch.ts";
import { DEFAULT_ENGINE_LIMITS } from "./limits.ts";
import type { EvaluationContext } from "./limits.ts";
import type { CompiledModule, CompiledValidation, PolicySet, ResourceRule } from "./module-loader.ts";
import { describeCel, ModuleError } from "./module-run.ts";
import type { ModuleRun } from "./module-run.ts";
import { RequestRun } from "./request-run.ts";
import { RequestScope } from "./request-scope.ts";
import type { AdmissionInput, JsonPatchOperation, Violation } from "./types.ts";

export { DEFAULT_ENGINE_LIMITS } from "./limits.ts";
export type { EngineLimits, EvaluationContext } from "./limits.ts";
export { requestBinding } from "./request-run.ts";

/**
 * Fixes one deadline for a request, so its phases share the timeout instead
 * of each getting a fresh one, and one scope, so they share what they
 * computed on the same objects (see request-scope.ts).
 */
export function withRequestDeadline(ctx: EvaluationContext): EvaluationContext {
  if (ctx.deadline !== undefined) return ctx;
  const now = ctx.now ?? (() => performance.now());
  return { ...ctx, deadline: now() + (ctx.limits?.timeoutMs ?? DEFAULT_ENGINE_LIMITS.timeoutMs), scope: new RequestScope() };
}

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
  return hit(rule.apiGroups, input.kind.group) && hit(rule.apiVersions, input.kind.version) && hit(rule.kinds, input.kind.kind) && hit(rule.operations, input.operation);
}

function hit(values: readonly string[], value: string): boolean {
  for (const v of values) if (v === "*" || v === value) return true;
  return false;
}

/** Runs every matched module's mutations in order, each seeing the object as mutated so far. */
export function runMutations(set: PolicySet, input: AdmissionInput, ctx: EvaluationContext): MutationOutcome {
  const request = new RequestRun(input, ctx);
  let object = input.object;
  const patch: JsonPatchOperation[] = [];
  const violations: Violation[] = [];
  for (const module of set.modules) {
    if (module.mutations.length === 0 || !matchesRequest(module, input)) continue;
    const run = request.start(module, violations);
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
        run.rebind(request.replaceObject(object), request.results);
      }
    } catch (error) {
      violations.push(failure(module, error));
    }
  }
  return { object, patch, violations };
}

/** Runs every matched module's validations; returns all violations (every action). */
export function runValidations(set: PolicySet, input: AdmissionInput, ctx: EvaluationContext): Violation[] {
  const request = new RequestRun(input, ctx);
  const violations: Violation[] = [];
  for (const module of set.modules) {
    if (module.validations.length === 0 || !matchesRequest(module, input)) continue;
    const run = request.start(module, violations);
    if (run === undefined) continue;
    try {
      if (!run.conditionsHold()) continue;
    } catch (error) {
      violations.push(failure(module, error));
      continue;
    }
    for (const validation of module.validations) {
      try {
        const passed = run.evaluate(validation.program, "validation", validation.index);
        if (typeof passed !== "boolean") throw new ModuleError(run.label("validation", validation.index), `must produce a bool, produced ${describeCel(passed)}`);
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
  const detail = error instanceof ModuleError ? (error.field === "" ? error.message : `${error.field}: ${error.message}`) : error instanceof Error ? error.message : String(error);
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
