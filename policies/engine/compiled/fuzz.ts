// Differential fuzzing of the compiled fast path against @bufbuild/cel's
// planner, the reference (see README.md "How it relates to the planner"),
// with fast-check: the cases are arbitraries, so a divergence shrinks to a
// small counterexample, and a run is fixed by its seed. Each case compares
// everything observable, kind for kind:
//
// - expression: a generated expression on a hostile object, both engines,
//   the value with its CEL types or the error with its message and column,
//   the iterations and the cost charged (once with generous limits, once
//   with a small iteration budget);
// - module: a generated policy module (variables reading earlier variables,
//   validations with message expressions) loaded twice into one set, run
//   with variables read by position and results shared across modules,
//   against each module run alone on the planner;
// - library: hostgate's own policies, mutations then validations, on a
//   valid route with a few fields made hostile, compiled against planner.
//
// The critical divergence is the fast path admitting what the planner
// denies; any divergence fails. fast-check's report names the seed and the
// path of the shrunk counterexample; `--seed S --path P` replays it.
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { configToCel, loadPlatformConfig } from "../../../core/config/index.ts";
import { BUILTIN_POLICIES, DEFAULT_CONFIG } from "../../../core/cli/paths.ts";
import { ClusterStateIndex } from "../../../core/state/index.ts";
import { compileCel } from "../cel.ts";
import { jsonToCel } from "../cel-values.ts";
import { runMutations, runValidations } from "../evaluate.ts";
import { RequestContext, requestBinding } from "../request-context.ts";
import type { EngineEnvironment } from "../request-context.ts";
import { compileModule, loadPolicySet, makePolicySet } from "../module-loader.ts";
import type { CompiledModule, PolicySet } from "../module-loader.ts";
import { ROOT_VARIABLES } from "../module-loader.ts";
import { sharedCelView } from "../shared-views.ts";
import type { AdmissionInput } from "../types.ts";
import { expressionArbitrary } from "./fuzz-expressions.ts";
import { admissionObject, jsonValue } from "./fuzz-inputs.ts";
import { GENEROUS, observe } from "./testing.ts";

export type CaseKind = "expression" | "module" | "library";

export interface GeneratedModule {
  variables: Array<{ name: string; expression: string }>;
  validations: Array<{ expression: string; messageExpression: string; message: string }>;
}

/** One generated case: what it runs, on what input. fast-check shrinks and prints it. */
export type FuzzCase =
  | { kind: "expression"; expression: string; input: AdmissionInput }
  | { kind: "module"; module: GeneratedModule; input: AdmissionInput }
  | { kind: "library"; input: AdmissionInput };

export interface Divergence {
  kind: CaseKind;
  /** The expression, or the module's expressions. */
  expressions: string[];
  input: AdmissionInput;
  compiled: unknown;
  planner: unknown;
}

export interface FuzzReport {
  /** Cases run (shrinking a divergence runs more). */
  cases: number;
  /** Cases whose expressions compiled (the rest failed to compile on both engines alike). */
  compared: number;
  /** Expressions the fast path ran (the others fell back to the planner, so they compare trivially). */
  onFastPath: number;
}

/** Thrown by the property, so fast-check's report carries both outcomes. */
export class DivergenceError extends Error {
  readonly divergence: Divergence;
  constructor(divergence: Divergence) {
    super(describeDivergence(divergence));
    this.name = "DivergenceError";
    this.divergence = divergence;
    // Where the property threw says nothing about a divergence; the report prints the message alone.
    this.stack = `${this.name}: ${this.message}`;
  }
}

// Small enough that many cases run out, so running out is compared too: which call, which message, what was charged.
const SMALL = { maxIterations: 5, timeoutMs: 60_000, maxExpressionCost: 20 };
const CLUSTER_VARIABLES = { config: undefined as unknown, cluster: undefined as unknown };

interface Environment {
  library: PolicySet;
  libraryPlanner: PolicySet;
  ctx: EngineEnvironment;
}

let environment: Environment | undefined;

function loadEnvironment(): Environment {
  if (environment !== undefined) return environment;
  const config = configToCel(loadPlatformConfig(DEFAULT_CONFIG));
  const cluster = new ClusterStateIndex().celValue();
  CLUSTER_VARIABLES.config = sharedCelView(config);
  CLUSTER_VARIABLES.cluster = sharedCelView(cluster);
  environment = {
    library: loadPolicySet([BUILTIN_POLICIES]),
    libraryPlanner: loadPolicySet([BUILTIN_POLICIES], { engine: "planner" }),
    // Outcomes must not depend on the machine's speed: a deadline far away.
    ctx: { config, cluster, limits: { timeoutMs: 60_000 } },
  };
  return environment;
}

/** A request for `object`: an UPDATE (with a hostile old object) in about 40% of requests. */
function admissionInput(object: fc.Arbitrary<unknown>): fc.Arbitrary<AdmissionInput> {
  return fc
    .record({
      object,
      // undefined: a CREATE (admissionObject is JSON, never undefined).
      oldObject: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: admissionObject }),
      username: fc.constantFrom("alice", "system:serviceaccount:hostgate:hostgate", ""),
    })
    .map(({ object, oldObject, username }) => ({
      operation: oldObject === undefined ? "CREATE" : "UPDATE",
      kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
      namespace: "team-a",
      name: "web",
      object,
      oldObject: oldObject ?? null,
      userInfo: { username, groups: ["team-a"] },
    }));
}

/** Variables v0.. each reading the earlier ones, then validations reading any of them. */
const generatedModule: fc.Arbitrary<GeneratedModule> = fc.integer({ min: 1, max: 3 }).chain((count) => {
  const names = Array.from({ length: count }, (_, i) => `v${i}`);
  return fc.record({
    variables: fc.tuple(...names.map((name, i) => expressionArbitrary(3, names.slice(0, i)).map((expression) => ({ name, expression })))),
    validations: fc.array(
      fc.record({ expression: expressionArbitrary(3, names), messageExpression: expressionArbitrary(2, names), message: fc.constant("static message") }),
      { minLength: 1, maxLength: 2 },
    ),
  });
});

/** An edit of the valid route: descend by `steps` (indexes into the keys), then set or (undefined) delete one key. */
const routeEdit = fc.record({
  steps: fc.array(fc.nat(), { maxLength: 4 }),
  key: fc.oneof({ weight: 7, arbitrary: fc.nat() }, { weight: 3, arbitrary: fc.constantFrom("__proto__", "constructor", "extra") }),
  value: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 7, arbitrary: jsonValue(3) }),
});

/** A valid route, then one to three of its fields removed or made hostile. */
const hostileRoute: fc.Arbitrary<unknown> = fc.array(routeEdit, { minLength: 1, maxLength: 3 }).map((edits) => {
  const route: Record<string, unknown> = {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "web", namespace: "team-a", labels: { app: "web" } },
    spec: {
      domain: "web.team-a.example.com",
      lb: "alb-out",
      routing: { mode: "Managed" },
      backend: { service: { name: "web", port: 8080 } },
      protection: {
        provider: "sso",
        appId: "web",
        rules: [
          { action: "Allow", paths: ["/healthz"] },
          { action: "Authenticate", paths: ["/*"] },
        ],
      },
    },
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  for (const edit of edits) {
    let parent: Record<string, unknown> | unknown[] = route;
    for (const step of edit.steps) {
      if (Array.isArray(parent)) break;
      const keys = Object.keys(parent);
      if (keys.length === 0) break;
      const child: unknown = parent[keys[step % keys.length]!];
      if (!isObject(child)) break;
      parent = child;
    }
    if (Array.isArray(parent)) continue;
    const keys = Object.keys(parent);
    const key = typeof edit.key === "string" ? edit.key : keys.length > 0 ? keys[edit.key % keys.length]! : "extra";
    if (edit.value === undefined) delete parent[key];
    // defineProperty: a plain assignment to `__proto__` would set the prototype instead of a key.
    else Object.defineProperty(parent, key, { value: edit.value, enumerable: true, writable: true, configurable: true });
  }
  return JSON.parse(JSON.stringify(route));
});

/** Expression cases half the time, modules and the library a quarter each. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("expression" as const), expression: expressionArbitrary(4), input: admissionInput(admissionObject) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("module" as const), module: generatedModule, input: admissionInput(admissionObject) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("library" as const),
      input: admissionInput(fc.oneof({ weight: 4, arbitrary: hostileRoute }, { weight: 1, arbitrary: admissionObject })),
    }),
  },
);

/** Runs one case on both engines; returns its divergence, or undefined when they agree. */
export function runCase(fuzzCase: FuzzCase, report: FuzzReport): Divergence | undefined {
  const env = loadEnvironment();
  report.cases++;
  if (fuzzCase.kind === "expression") return expressionCase(fuzzCase.expression, fuzzCase.input, report);
  if (fuzzCase.kind === "module") return moduleCase(env, fuzzCase.module, fuzzCase.input, report);
  return libraryCase(env, fuzzCase.input, report);
}

function expressionCase(source: string, input: AdmissionInput, report: FuzzReport): Divergence | undefined {
  const variables = ROOT_VARIABLES.filter((name) => name !== "variables");
  const fast = compileCel(source, { variables });
  const planner = compileCel(source, { variables, engine: "planner" });
  if (!fast.ok || !planner.ok) {
    if (fast.ok !== planner.ok) return { kind: "expression", expressions: [source], input, compiled: fast, planner };
    return undefined;
  }
  report.compared++;
  if (fast.engine === "compiled") report.onFastPath++;
  const bindings = {
    object: jsonToCel(input.object),
    oldObject: jsonToCel(input.oldObject ?? null),
    request: jsonToCel(requestBinding(input)),
    config: CLUSTER_VARIABLES.config,
    cluster: CLUSTER_VARIABLES.cluster,
  };
  const compiled = [observe(fast, bindings, GENEROUS), observe(fast, bindings, SMALL)];
  const reference = [observe(planner, bindings, GENEROUS), observe(planner, bindings, SMALL)];
  if (isDeepStrictEqual(compiled, reference)) return undefined;
  return { kind: "expression", expressions: [source], input, compiled, planner: reference };
}

function compileGenerated(name: string, module: GeneratedModule, engine: "auto" | "planner"): CompiledModule | undefined {
  const result = compileModule(
    {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name },
      spec: { description: "generated by the differential fuzzing", match: [{ apiGroups: ["*"], kinds: ["*"], operations: ["*"] }], ...module },
    },
    `${name}.yaml`,
    { engine },
  );
  return "module" in result ? result.module : undefined;
}

function moduleCase(env: Environment, generated: GeneratedModule, input: AdmissionInput, report: FuzzReport): Divergence | undefined {
  // Two modules with the same expressions: the second reads the first's shared results.
  const fast = ["first", "second"].map((name) => compileGenerated(name, generated, "auto"));
  const planner = ["first", "second"].map((name) => compileGenerated(name, generated, "planner"));
  if (fast.some((m) => m === undefined) || planner.some((m) => m === undefined)) return undefined;
  report.compared++;
  for (const module of fast) for (const v of module!.variables) if (v.program.engine === "compiled") report.onFastPath++;
  const compiled = runValidations(makePolicySet(fast as CompiledModule[]), new RequestContext(input, env.ctx));
  // The reference: each module alone, nothing shared.
  const reference = planner.flatMap((m) => runValidations(makePolicySet([m!]), new RequestContext(input, env.ctx)));
  if (isDeepStrictEqual(compiled, reference)) return undefined;
  const expressions = [...generated.variables.map((v) => v.expression), ...generated.validations.flatMap((v) => [v.expression, v.messageExpression])];
  return { kind: "module", expressions, input, compiled, planner: reference };
}

function libraryCase(env: Environment, input: AdmissionInput, report: FuzzReport): Divergence | undefined {
  report.compared++;
  const run = (set: PolicySet): unknown => {
    // As decide() does: one context for both phases; validation sees the mutated object.
    const request = new RequestContext(input, env.ctx);
    const mutated = runMutations(set, request);
    const validated = runValidations(set, request);
    return { patch: mutated.patch, mutationViolations: mutated.violations, violations: validated };
  };
  const compiled = run(env.library);
  const reference = run(env.libraryPlanner);
  if (isDeepStrictEqual(compiled, reference)) return undefined;
  return { kind: "library", expressions: ["(the policy library)"], input, compiled, planner: reference };
}

export interface FuzzRun {
  report: FuzzReport;
  /** fast-check's run: failed, seed, counterexamplePath, counterexample... */
  details: fc.RunDetails<[FuzzCase]>;
  /** The shrunk counterexample's divergence, when the run failed on one. */
  divergence: Divergence | undefined;
}

/** Runs `count` cases of `seed` with fast-check, stopping at the first divergence and shrinking it; given `path`, replays only the case it names. */
export function fuzz(options: { seed: number; count: number; path?: string }): FuzzRun {
  const report: FuzzReport = { cases: 0, compared: 0, onFastPath: 0 };
  const property = fc.property(fuzzCase, (c) => {
    const divergence = runCase(c, report);
    if (divergence !== undefined) throw new DivergenceError(divergence);
  });
  // A replay runs the one case the path names, as reported (endOnFailure: no further shrinking).
  const replay = options.path !== undefined ? { path: options.path, numRuns: 1, endOnFailure: true } : { numRuns: options.count };
  // includeErrorInReport: the report then carries the divergence (expressions, input, both outcomes), not only the case.
  const details = fc.check(property, { seed: options.seed, includeErrorInReport: true, ...replay });
  const error = details.errorInstance;
  return { report, details, divergence: error instanceof DivergenceError ? error.divergence : undefined };
}

/** A failed run as text a person can act on: how to replay it, then fast-check's report (the shrunk case, both outcomes). */
export function describeFailure(run: FuzzRun): string {
  const { seed, counterexamplePath } = run.details;
  return [
    `divergence with seed ${seed} at path ${counterexamplePath} (replay: npm run fuzz:cel -- --seed ${seed} --path ${counterexamplePath})`,
    fc.defaultReportMessage(run.details) ?? "",
  ].join("\n");
}

/** A divergence: what ran, on what, and both outcomes. */
export function describeDivergence(d: Divergence): string {
  const json = (value: unknown): string => JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? `${v}n` : v), 2);
  return [
    `divergence (${d.kind} case)`,
    `expressions:\n${d.expressions.map((e) => `  ${e}`).join("\n")}`,
    `input: ${json(d.input)}`,
    `compiled: ${json(d.compiled)}`,
    `planner:  ${json(d.planner)}`,
  ].join("\n");
}
