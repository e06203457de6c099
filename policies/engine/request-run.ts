// What one phase (mutation or validation) of one request shares across its
// modules: limits, clock, deadline, the size verdict and the CEL bindings,
// whose lazy views keep their conversion caches across modules. The bindings
// are built for the first module that runs, never for a request no module
// matches; a phase on the object the previous phase of the same request ended
// on starts from that phase's state (see request-scope.ts).
import { RequestCost } from "./budget.ts";
import { jsonToCel } from "./cel-values.ts";
import { sharedCelView } from "./shared-views.ts";
import { ModuleRun, SharedResults } from "./module-run.ts";
import type { CompiledModule } from "./module-loader.ts";
import { MAX_NESTING_DEPTH, serializedSizeOver } from "./object-size.ts";
import type { PhaseState } from "./request-scope.ts";
import type { AdmissionInput, Violation } from "./types.ts";
import { DEFAULT_ENGINE_LIMITS } from "./limits.ts";
import type { EngineLimits, EvaluationContext } from "./limits.ts";

export class RequestRun {
  readonly limits: EngineLimits;
  readonly #input: AdmissionInput;
  readonly #ctx: EvaluationContext;
  readonly #now: () => number;
  readonly #deadline: number;
  /** The request's cost so far: its scope's (shared with the other phase), else this phase's own. */
  readonly #cost: RequestCost;
  /** The CEL bindings, the shareable results on them and the size verdict, for the current object. */
  #state: PhaseState;

  constructor(input: AdmissionInput, ctx: EvaluationContext) {
    this.limits = ctx.limits === undefined ? DEFAULT_ENGINE_LIMITS : { ...DEFAULT_ENGINE_LIMITS, ...ctx.limits };
    this.#input = input;
    this.#ctx = ctx;
    this.#now = ctx.now ?? defaultNow;
    this.#deadline = ctx.deadline ?? this.#now() + this.limits.timeoutMs;
    this.#cost = ctx.scope?.cost ?? new RequestCost();
    this.#state = ctx.scope?.stateFor(input) ?? { input, object: input.object, bindings: undefined, results: new SharedResults(), measured: undefined };
    ctx.scope?.record(this.#state);
  }

  /** A run for the module, or undefined after recording why it cannot run (the object is too large). */
  start(module: CompiledModule, violations: Violation[]): ModuleRun | undefined {
    const state = this.#state;
    // Every module sees the same object until a mutation replaces it: measure it once.
    let measured = state.measured;
    if (measured === undefined || measured.object !== state.object) {
      measured = { object: state.object, tooLarge: checkSize(state.object, this.limits) };
      state.measured = measured;
    }
    if (measured.tooLarge !== undefined) {
      violations.push({ ...measured.tooLarge, policy: module.name });
      return undefined;
    }
    state.bindings ??= {
      object: jsonToCel(state.object ?? null),
      oldObject: jsonToCel(this.#input.oldObject ?? null),
      request: jsonToCel(requestBinding(this.#input)),
      config: sharedCelView(this.#ctx.config),
      cluster: sharedCelView(this.#ctx.cluster),
    };
    return new ModuleRun(module, state.bindings, state.results, this.limits, this.#now, this.#deadline, this.#cost);
  }

  /** Results of shareable expressions on the current bindings. */
  get results(): SharedResults {
    return this.#state.results;
  }

  /** After a mutation: later modules (and a later phase on the patched object) see the new object. Returns its CEL view. */
  replaceObject(object: unknown): unknown {
    const previous = this.#state;
    const view = jsonToCel(object ?? null);
    // Results on the old object do not hold for the new one.
    this.#state = {
      input: previous.input,
      object,
      bindings: previous.bindings === undefined ? undefined : { ...previous.bindings, object: view },
      results: new SharedResults(),
      measured: previous.measured,
    };
    this.#ctx.scope?.record(this.#state);
    return view;
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

/** The denial an over-sized object earns (its policy is filled in per module), or undefined. */
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
