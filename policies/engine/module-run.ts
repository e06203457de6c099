// One module's evaluation of one request: the request context's bindings
// (request-context.ts) plus the module's own `variables` (computed when first read, once), and one
// evaluation budget. An error anywhere becomes a ModuleError naming the
// field of the module that failed; evaluate.ts turns it into a denial.
import { celError } from "@bufbuild/cel";
import { EvaluationBudget } from "./budget.ts";
import { brandPrototype } from "./cel-values.ts";
import { IndexedVariables } from "./compiled/variables.ts";
import { CelEvaluationError } from "./cel.ts";
import type { RequestContext } from "./request-context.ts";
import type { CompiledCel } from "./cel.ts";
import type { CompiledModule } from "./module-loader.ts";
import { MAP_BRAND } from "./compiled/values.ts";

/**
 * The CEL bindings of an expression. One shape for every module, so reads of
 * them stay monomorphic: the request context holds the shared five (with
 * `variables` undefined), each module run a copy with its own `variables`.
 */
export interface Bindings {
  object: unknown;
  oldObject: unknown;
  request: unknown;
  config: unknown;
  cluster: unknown;
  variables: unknown;
}

export class ModuleError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/**
 * Which field of the module an expression is, named in messages only when
 * something fails (building the label per evaluation would cost more than
 * many expressions do).
 */
export type Field = "condition" | "validation" | "message" | "mutation";

function fieldLabel(module: CompiledModule, field: Field, index: number): string {
  switch (field) {
    case "condition":
      return `spec.matchConditions[${index}] ("${module.matchConditions[index]!.name}")`;
    case "validation":
      return `spec.validations[${index}].expression`;
    case "message":
      return `spec.validations[${index}].messageExpression`;
    case "mutation":
      return `spec.mutations[${index}]`;
  }
}

const VARIABLE_ERROR = /^spec\.variables\[\d+\] \("[^"]+"\): /;

export class ModuleRun {
  readonly #module: CompiledModule;
  readonly #request: RequestContext;
  readonly #bindings: Bindings;
  readonly #budget: EvaluationBudget;
  /** Memoized variable values (or CEL errors), by variable index; undefined until first read. */
  #values: unknown[];

  constructor(module: CompiledModule, request: RequestContext) {
    this.#module = module;
    this.#request = request;
    this.#budget = new EvaluationBudget(request.limits, request.now, request.deadline, request.cost);
    this.#values = new Array(module.variables.length);
    const shared = request.bindings();
    this.#bindings = {
      object: shared.object,
      oldObject: shared.oldObject,
      request: shared.request,
      config: shared.config,
      cluster: shared.cluster,
      variables: new VariablesView(this, module.variableIndex),
    };
  }

  /** After a mutation (request.useObject), expressions see the new object and recompute variables. */
  rebind(): void {
    this.#bindings.object = this.#request.bindings().object;
    this.#values = new Array(this.#module.variables.length);
  }

  conditionsHold(): boolean {
    return this.excludedBy() === undefined;
  }

  /**
   * The name of the first matchCondition that is false (the module does not
   * apply to the request), or undefined when all hold. As in
   * ValidatingAdmissionPolicy, a false condition excludes the request
   * whatever the others do, wherever it is listed; only when none is false
   * does a condition that errs (or is not a bool) count, and then it throws:
   * an error is not an exclusion, it fails closed.
   */
  excludedBy(): string | undefined {
    // One clock read per policy; loops read it again through their ticks.
    if (!this.#budget.checkDeadline()) throw new ModuleError("(not started)", this.#budget.exhausted!);
    const conditions = this.#module.matchConditions;
    let failure: unknown;
    for (let i = 0; i < conditions.length; i++) {
      let value: unknown;
      try {
        value = this.evaluate(conditions[i]!.program, "condition", i);
        if (typeof value !== "boolean") throw new ModuleError(`spec.matchConditions[${i}]`, `must produce a bool, produced ${describeCel(value)}`);
      } catch (error) {
        failure ??= error;
        continue;
      }
      if (!value) return conditions[i]!.name;
    }
    if (failure !== undefined) throw failure;
    return undefined;
  }

  /** The expression's value; a CEL error or a spent budget is thrown as a ModuleError naming the field. */
  evaluate(program: CompiledCel, field: Field, index: number): unknown {
    try {
      return this.#run(program);
    } catch (error) {
      throw moduleError(error, this.#module, field, index);
    }
  }

  /** Evaluates with this module's bindings and budget; a shareable expression at most once per request. */
  #run(program: CompiledCel): unknown {
    const bindings = this.#bindings as unknown as Record<string, unknown>;
    // A spent budget refuses the expression whether or not another module already evaluated it.
    if (program.shareKey === undefined || this.#budget.exhausted !== undefined) return program.evaluateCel(bindings, this.#budget);
    return this.#request.evaluateShared(program, program.shareKey, bindings, this.#budget);
  }

  /** The label of one of this module's fields, for messages. */
  label(field: Field, index: number): string {
    return fieldLabel(this.#module, field, index);
  }

  /**
   * A variable's value, computed when an expression first reads it. A failure
   * becomes a CEL error value, so CEL's own rules apply: `!has(x) ||
   * variables.readsX` short-circuits past it, and an unguarded read fails the
   * expression (and so denies) with the variable named.
   */
  variable(name: string): unknown {
    const index = this.#module.variableIndex.get(name);
    if (index === undefined) return undefined; // "no such key"; the loader rejects undeclared names
    return this.variableAt(index);
  }

  /** The variable at this position of the module, as variable(its name) answers (see compiled/variables.ts). */
  variableAt(index: number): unknown {
    let value = this.#values[index];
    if (value === undefined) {
      const variable = this.#module.variables[index]!;
      const name = variable.name;
      try {
        value = this.#run(variable.program);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        value = celError(`spec.variables[${index}] ("${name}"): ${message}`);
      }
      this.#values[index] = value;
    }
    return value;
  }
}

/** What a failed evaluation of a field becomes; a failed variable names itself instead. */
function moduleError(error: unknown, module: CompiledModule, field: Field, index: number): unknown {
  if (!(error instanceof CelEvaluationError)) return error;
  if (VARIABLE_ERROR.test(error.message)) return new ModuleError("", error.message);
  const at = error.column !== undefined ? ` at column ${error.column}` : "";
  return new ModuleError(fieldLabel(module, field, index), `${error.message}${at}`);
}

/** `variables` as CEL sees it: each read computes (once) the variable it names. */
class VariablesView extends IndexedVariables {
  readonly #run: ModuleRun;
  readonly names: ReadonlyMap<string, number>;
  constructor(run: ModuleRun, names: ReadonlyMap<string, number>) {
    super();
    this.#run = run;
    this.names = names;
  }
  at(index: number): unknown {
    return this.#run.variableAt(index);
  }
  get size(): number {
    return 0;
  }
  get(key: unknown): unknown {
    return typeof key === "string" ? this.#run.variable(key) : undefined;
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

brandPrototype(VariablesView.prototype, MAP_BRAND);

export function describeCel(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return `int ${value}`;
  if (typeof value === "number") return `double ${value}`;
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "a list or map";
  return typeof value;
}
