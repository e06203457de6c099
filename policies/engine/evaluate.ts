// Runs a compiled policy set against one admission request.
//
// Every matched module is evaluated on its own: one module's error, timeout
// or denial never stops or hides another's result. An error anywhere in a
// module (match condition, variable, validation, message, mutation) is a
// denial that says so: hostgate fails closed.
import { celError } from "@bufbuild/cel";
import { CelEvaluationError } from "./cel.ts";
import type { CompiledCel } from "./cel.ts";
import { DEFAULT_LIMITS, EvaluationBudget } from "./budget.ts";
import type { EvaluationLimits } from "./budget.ts";
import { celToJson, jsonToCel } from "./cel-values.ts";
import { applyPatch, JsonPatchError, toPatchOperations } from "./json-patch.ts";
import type { CompiledModule, PolicySet, ResourceRule } from "./module-loader.ts";
import type { AdmissionInput, JsonPatchOperation, Violation } from "./types.ts";

export interface EngineLimits extends EvaluationLimits {
  /** Largest object (serialized JSON bytes) policies evaluate; larger ones are denied. */
  maxObjectBytes: number;
  /** Longest message kept from a messageExpression. */
  maxMessageLength: number;
}

export const DEFAULT_ENGINE_LIMITS: EngineLimits = { ...DEFAULT_LIMITS, maxObjectBytes: 1_048_576, maxMessageLength: 1024 };

export interface EvaluationContext {
  /** The platform config as a CEL value (maps, lists, bigints). */
  config: unknown;
  /** The indexed cluster state as a CEL value. */
  cluster: unknown;
  limits?: Partial<EngineLimits>;
  /** Monotonic clock in milliseconds (injectable for tests). */
  now?: () => number;
  /**
   * The request's deadline on `now`'s clock, shared by every phase (mutation
   * and validation) of one request; see withRequestDeadline.
   */
  deadline?: number;
}

/** Fixes one deadline for a request, so its phases share the timeout instead of each getting a fresh one. */
export function withRequestDeadline(ctx: EvaluationContext): EvaluationContext {
  if (ctx.deadline !== undefined) return ctx;
  const now = ctx.now ?? performance.now.bind(performance);
  return { ...ctx, deadline: now() + (ctx.limits?.timeoutMs ?? DEFAULT_ENGINE_LIMITS.timeoutMs) };
}

export interface MutationOutcome {
  object: unknown;
  patch: JsonPatchOperation[];
  violations: Violation[];
}

export const INTERNAL_ERROR_REASON = "InternalError";

export function matchesRequest(module: CompiledModule, input: AdmissionInput): boolean {
  return module.match.some((rule) => ruleMatches(rule, input));
}

function ruleMatches(rule: ResourceRule, input: AdmissionInput): boolean {
  const hit = (values: readonly string[], value: string) => values.includes("*") || values.includes(value);
  return hit(rule.apiGroups, input.kind.group) && hit(rule.apiVersions, input.kind.version) && hit(rule.kinds, input.kind.kind) && hit(rule.operations, input.operation);
}

/** The `request` variable: what the API server tells a webhook about the request. */
export function requestBinding(input: AdmissionInput): Record<string, unknown> {
  return {
    operation: input.operation,
    namespace: input.namespace ?? "",
    name: input.name ?? "",
    kind: { group: input.kind.group, version: input.kind.version, kind: input.kind.kind },
    subResource: input.subResource ?? "",
    userInfo: { username: input.userInfo?.username ?? "", uid: input.userInfo?.uid ?? "", groups: input.userInfo?.groups ?? [] },
    dryRun: input.dryRun ?? false,
  };
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
        const field = `spec.mutations[${mutation.index}]`;
        const value = celToJson(run.evaluate(mutation.program, field), "the mutation's result");
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
        run.rebind(request.replaceObject(object));
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
      const field = `spec.validations[${validation.index}]`;
      try {
        const passed = run.evaluate(validation.program, `${field}.expression`);
        if (typeof passed !== "boolean") throw new ModuleError(`${field}.expression`, `must produce a bool, produced ${describeCel(passed)}`);
        if (passed) continue;
        violations.push({
          policy: module.name,
          message: run.message(validation.message, validation.messageProgram, `${field}.messageExpression`, validation.program.source, request.limits.maxMessageLength),
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

/**
 * What one phase of one request shares across its modules: limits, clock,
 * deadline, the size verdict and the CEL bindings (lazy views keep their
 * conversion caches across modules). Built on the first matching module only.
 */
class RequestRun {
  readonly limits: EngineLimits;
  readonly #input: AdmissionInput;
  readonly #ctx: EvaluationContext;
  readonly #now: () => number;
  readonly #deadline: number;
  #bindings: RequestBindings | undefined;
  #object: unknown;

  constructor(input: AdmissionInput, ctx: EvaluationContext) {
    this.limits = { ...DEFAULT_ENGINE_LIMITS, ...ctx.limits };
    this.#input = input;
    this.#ctx = ctx;
    this.#now = ctx.now ?? performance.now.bind(performance);
    this.#deadline = ctx.deadline ?? this.#now() + this.limits.timeoutMs;
    this.#object = input.object;
  }

  /** A run for the module, or undefined after recording why it cannot run (the object is too large). */
  start(module: CompiledModule, violations: Violation[]): ModuleRun | undefined {
    const tooLarge = checkSize(module, this.#object, this.limits);
    if (tooLarge) {
      violations.push(tooLarge);
      return undefined;
    }
    this.#bindings ??= {
      object: jsonToCel(this.#object ?? null),
      oldObject: jsonToCel(this.#input.oldObject ?? null),
      request: jsonToCel(requestBinding(this.#input)),
      config: this.#ctx.config,
      cluster: this.#ctx.cluster,
    };
    return new ModuleRun(module, this.#bindings, this.limits, this.#now, this.#deadline);
  }

  /** After a mutation: later modules see the new object. Returns its CEL view. */
  replaceObject(object: unknown): unknown {
    this.#object = object;
    const view = jsonToCel(object ?? null);
    if (this.#bindings !== undefined) this.#bindings = { ...this.#bindings, object: view };
    return view;
  }
}

/** The bindings every module of one request shares; lazy views keep their conversion caches across modules. */
interface RequestBindings {
  object: unknown;
  oldObject: unknown;
  request: unknown;
  config: unknown;
  cluster: unknown;
}

class ModuleError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** One module's evaluation of one request: shared bindings, lazily memoized variables, one budget. */
class ModuleRun {
  readonly #module: CompiledModule;
  readonly #bindings: Record<string, unknown>;
  readonly #budget: EvaluationBudget;
  /** Memoized variable values (or CEL errors), by variable index; undefined until first read. */
  #values: unknown[] = [];

  constructor(module: CompiledModule, shared: RequestBindings, limits: EngineLimits, now: () => number, deadline: number) {
    this.#module = module;
    this.#budget = new EvaluationBudget(limits, now, deadline);
    this.#bindings = { ...shared, variables: new VariablesView((name) => this.#variable(name)) };
  }

  /** After a mutation, expressions see the new object and recompute variables. */
  rebind(objectView: unknown): void {
    this.#bindings.object = objectView;
    this.#values = [];
  }

  conditionsHold(): boolean {
    // One clock read per policy; loops read it again through their ticks.
    if (!this.#budget.checkDeadline()) throw new ModuleError("(not started)", this.#budget.exhausted!);
    for (const [i, condition] of this.#module.matchConditions.entries()) {
      const value = this.evaluate(condition.program, `spec.matchConditions[${i}] ("${condition.name}")`);
      if (typeof value !== "boolean") throw new ModuleError(`spec.matchConditions[${i}]`, `must produce a bool, produced ${describeCel(value)}`);
      if (!value) return false;
    }
    return true;
  }

  evaluate(program: CompiledCel, field: string): unknown {
    try {
      return program.evaluateCel(this.#bindings, this.#budget);
    } catch (error) {
      if (error instanceof CelEvaluationError) {
        // A failed variable names itself: every expression reading it reports the same cause.
        if (VARIABLE_ERROR.test(error.message)) throw new ModuleError("", error.message);
        const at = error.column !== undefined ? ` at column ${error.column}` : "";
        throw new ModuleError(field, `${error.message}${at}`);
      }
      throw error;
    }
  }

  message(staticMessage: string | undefined, program: CompiledCel | undefined, field: string, expression: string, max: number): string {
    if (program !== undefined) {
      try {
        const value = this.evaluate(program, field);
        if (typeof value === "string" && value.trim() !== "") return truncate(value, max);
      } catch {
        // A broken message must not hide the violation: fall back below.
      }
    }
    return truncate(staticMessage ?? `failed expression: ${expression}`, max);
  }

  /**
   * A variable's value, computed when an expression first reads it. A failure
   * becomes a CEL error value, so CEL's own rules apply: `!has(x) ||
   * variables.readsX` short-circuits past it, and an unguarded read fails the
   * expression (and so denies) with the variable named.
   */
  #variable(name: string): unknown {
    const index = this.#module.variableIndex.get(name);
    if (index === undefined) return undefined; // "no such key"; the loader rejects undeclared names
    if (this.#values[index] === undefined) {
      const variable = this.#module.variables[index]!;
      try {
        this.#values[index] = variable.program.evaluateCel(this.#bindings, this.#budget);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.#values[index] = celError(`spec.variables[${index}] ("${name}"): ${message}`);
      }
    }
    return this.#values[index];
  }
}

const MAP_BRAND = Symbol.for("@bufbuild/cel/map");
const VARIABLE_ERROR = /^spec\.variables\[\d+\] \("[^"]+"\): /;

/** `variables` as CEL sees it: each read computes (once) the variable it names. */
class VariablesView {
  readonly [MAP_BRAND] = {};
  readonly #lookup: (name: string) => unknown;
  constructor(lookup: (name: string) => unknown) {
    this.#lookup = lookup;
  }
  get size(): number {
    return 0;
  }
  get(key: unknown): unknown {
    return typeof key === "string" ? this.#lookup(key) : undefined;
  }
  has(key: unknown): boolean {
    return this.get(key) !== undefined;
  }
  *keys(): IterableIterator<string> {}
  *values(): IterableIterator<unknown> {}
  *entries(): IterableIterator<[string, unknown]> {}
  forEach(): void {}
  [Symbol.iterator](): IterableIterator<[string, unknown]> {
    return this.entries();
  }
}

/** Serialized size of an object, computed once per object (a request's object, or a mutated copy). */
const sizes = new WeakMap<object, number>();

function checkSize(module: CompiledModule, object: unknown, limits: EngineLimits): Violation | undefined {
  if (typeof object !== "object" || object === null) return undefined;
  let bytes = sizes.get(object);
  if (bytes === undefined) {
    bytes = Buffer.byteLength(JSON.stringify(object));
    sizes.set(object, bytes);
  }
  if (bytes <= limits.maxObjectBytes) return undefined;
  return {
    policy: module.name,
    message: `the object is ${bytes} bytes; policies evaluate objects of at most ${limits.maxObjectBytes} bytes, so it is denied unevaluated`,
    reason: "RequestEntityTooLarge",
    action: "Deny",
  };
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
  const oneLine = text.replace(/\s*\n\s*/g, " ");
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

function describeCel(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return `int ${value}`;
  if (typeof value === "number") return `double ${value}`;
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "a list or map";
  return typeof value;
}
