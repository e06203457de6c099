// One admission request's evaluation: created once by decide() (verdict.ts)
// and passed to both phases (evaluate.ts runMutations, then runValidations)
// and to every module run (module-run.ts). It holds what the request's
// modules share:
//   - the bounds: the resolved limits, one deadline fixed at creation, and
//     one cost account every module of every phase charges (budget.ts);
//   - the object as it is now (the input's, decoded, or patched), with its
//     size verdict, measured once per object;
//   - the CEL bindings (object, oldObject, request, config, cluster), built
//     for the first module that runs, never for a request no module matches;
//     their lazy views keep their conversion caches across modules and phases;
//   - the results of shareable expressions (CompiledCel.shareKey) on the
//     current object: the same source text in several modules is evaluated
//     once per request. Each entry is the value, or the CelEvaluationError it
//     threw. A new object starts them afresh.
// The request's input is never modified; a patch makes a new object.
import { RequestCost } from "./budget.ts";
import type { EvaluationBudget } from "./budget.ts";
import { CelEvaluationError } from "./cel.ts";
import type { CompiledCel } from "./cel.ts";
import { jsonToCel } from "./cel-values.ts";
import { DEFAULT_ENGINE_LIMITS } from "./limits.ts";
import type { EngineLimits } from "./limits.ts";
import type { Bindings } from "./module-run.ts";
import { MAX_NESTING_DEPTH, serializedSizeOver } from "./object-size.ts";
import { sharedCelView } from "./shared-views.ts";
import type { AdmissionInput, Violation } from "./types.ts";

/** What the engine reads besides the request (verdict.ts VerdictEnvironment adds the policies). */
export interface EngineEnvironment {
  /** The platform config as a CEL value (maps, lists, bigints). */
  config: unknown;
  /** The indexed cluster state as a CEL value. */
  cluster: unknown;
  limits?: Partial<EngineLimits>;
  /** Monotonic clock in milliseconds (injectable for tests). */
  now?: () => number;
}

/** Marks a size verdict not yet taken (undefined is a real object value: DELETE has none). */
const NOT_MEASURED: unique symbol = Symbol("not measured");

export class RequestContext {
  readonly input: AdmissionInput;
  readonly limits: EngineLimits;
  readonly now: () => number;
  /** The request's deadline on `now`'s clock: mutation and validation share it. */
  readonly deadline: number;
  /** The cost units every policy of every phase of the request has spent (budget.ts maxRequestCost). */
  readonly cost = new RequestCost();
  readonly #env: EngineEnvironment;
  #object: unknown;
  /** Built for the first module that runs; `variables` stays undefined here (each module run has its own). */
  #bindings: Bindings | undefined;
  /** The object changed since `#bindings.object` was converted. */
  #objectStale = false;
  #measuredObject: unknown = NOT_MEASURED;
  #tooLarge: Violation | undefined;
  #values: unknown[] = [];
  #errors: unknown[] = [];

  constructor(input: AdmissionInput, env: EngineEnvironment) {
    this.input = input;
    this.#env = env;
    this.#object = input.object;
    this.limits = env.limits === undefined ? DEFAULT_ENGINE_LIMITS : { ...DEFAULT_ENGINE_LIMITS, ...env.limits };
    this.now = env.now ?? defaultNow;
    this.deadline = this.now() + this.limits.timeoutMs;
  }

  /** The object as it is now: the input's, or the last one given by useObject or a mutation. */
  get object(): unknown {
    return this.#object;
  }

  /**
   * Evaluation goes on with this object (schema defaults applied, a mutation's
   * patch). The same object keeps its bindings, results and size verdict.
   */
  useObject(object: unknown): void {
    if (object === this.#object) return;
    this.#object = object;
    // Results on the old object do not hold for the new one.
    this.#values = [];
    this.#errors = [];
    if (this.#bindings !== undefined) this.#objectStale = true;
  }

  /** The denial an over-sized object earns (its policy is filled in per module), or undefined. Measured once per object. */
  tooLarge(): Violation | undefined {
    if (this.#measuredObject !== this.#object) {
      this.#measuredObject = this.#object;
      this.#tooLarge = checkSize(this.#object, this.limits);
    }
    return this.#tooLarge;
  }

  /** The bindings every module shares (module runs copy them and add their own `variables`). */
  bindings(): Bindings {
    let bindings = this.#bindings;
    if (bindings === undefined) {
      const env = this.#env;
      bindings = {
        object: jsonToCel(this.#object ?? null),
        oldObject: jsonToCel(this.input.oldObject ?? null),
        request: jsonToCel(requestBinding(this.input)),
        config: sharedCelView(env.config),
        cluster: sharedCelView(env.cluster),
        variables: undefined,
      };
      this.#bindings = bindings;
    } else if (this.#objectStale) {
      bindings.object = jsonToCel(this.#object ?? null);
      this.#objectStale = false;
    }
    return bindings;
  }

  /** A shareable expression's value on the current object: evaluated by the first module that asks, remembered for the rest. */
  evaluateShared(program: CompiledCel, key: number, bindings: Record<string, unknown>, budget: EvaluationBudget): unknown {
    const value = this.#values[key];
    if (value !== undefined) return value;
    const error = this.#errors[key];
    if (error !== undefined) throw error;
    try {
      const result = program.evaluateCel(bindings, budget);
      this.#values[key] = result;
      return result;
    } catch (failure) {
      // Only CEL's own failures are results; a spent budget is the module's own state, not the expression's.
      if (failure instanceof CelEvaluationError && !failure.budgetExhausted) this.#errors[key] = failure;
      throw failure;
    }
  }
}

function defaultNow(): number {
  return performance.now();
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

function checkSize(object: unknown, limits: EngineLimits): Violation | undefined {
  if (typeof object !== "object" || object === null) return undefined;
  const bytes = serializedSizeOver(object, limits.maxObjectBytes);
  if (bytes <= limits.maxObjectBytes) return undefined;
  if (bytes === Infinity) {
    return {
      policy: "",
      message: `the object nests lists and maps more than ${MAX_NESTING_DEPTH} levels deep; policies evaluate objects nested at most that deep, so it is denied unevaluated`,
      reason: "RequestEntityTooLarge",
      action: "Deny",
    };
  }
  return {
    policy: "",
    message: `the object is ${bytes} bytes; policies evaluate objects of at most ${limits.maxObjectBytes} bytes, so it is denied unevaluated`,
    reason: "RequestEntityTooLarge",
    action: "Deny",
  };
}
