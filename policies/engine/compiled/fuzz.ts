// Seeded differential fuzzing of the compiled fast path against
// @bufbuild/cel's planner, the reference (see README.md "How it relates to
// the planner"). Each case compares everything observable, kind for kind:
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
// denies; any divergence fails. Case i of seed s uses its own generator, so
// `--seed s --case i` replays one case.
import { isDeepStrictEqual } from "node:util";
import { configToCel, loadPlatformConfig } from "../../../core/config/index.ts";
import { BUILTIN_POLICIES, DEFAULT_CONFIG } from "../../../core/cli/paths.ts";
import { ClusterStateIndex } from "../../../core/state/index.ts";
import { compileCel } from "../cel.ts";
import { jsonToCel } from "../cel-values.ts";
import { runMutations, runValidations, withRequestDeadline, requestBinding } from "../evaluate.ts";
import type { EvaluationContext } from "../evaluate.ts";
import { compileModule, loadPolicySet, makePolicySet } from "../module-loader.ts";
import type { CompiledModule, PolicySet } from "../module-loader.ts";
import { ROOT_VARIABLES } from "../module-loader.ts";
import { sharedCelView } from "../shared-views.ts";
import type { AdmissionInput } from "../types.ts";
import { ExpressionGenerator } from "./fuzz-expressions.ts";
import { admissionObject, jsonValue } from "./fuzz-inputs.ts";
import { Random } from "./fuzz-random.ts";
import { GENEROUS, observe } from "./testing.ts";

export type CaseKind = "expression" | "module" | "library";

export interface Divergence {
  seed: number;
  case: number;
  kind: CaseKind;
  /** The expression, or the module's expressions. */
  expressions: string[];
  input: AdmissionInput;
  compiled: unknown;
  planner: unknown;
}

export interface FuzzReport {
  cases: number;
  /** Cases whose expressions compiled (the rest failed to compile on both engines alike). */
  compared: number;
  /** Expressions the fast path ran (the others fell back to the planner, so they compare trivially). */
  onFastPath: number;
  divergences: Divergence[];
}

/** The generator of case `index` of run `seed`. */
export function caseRandom(seed: number, index: number): Random {
  return new Random((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
}

// Small enough that many cases run out, so running out is compared too: which call, which message, what was charged.
const SMALL = { maxIterations: 5, timeoutMs: 60_000, maxExpressionCost: 20 };
const CLUSTER_VARIABLES = { config: undefined as unknown, cluster: undefined as unknown };

interface Environment {
  library: PolicySet;
  libraryPlanner: PolicySet;
  ctx: Omit<EvaluationContext, "deadline" | "scope">;
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

function admissionInput(random: Random, object: unknown): AdmissionInput {
  const update = random.chance(0.4);
  return {
    operation: update ? "UPDATE" : "CREATE",
    kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
    namespace: "team-a",
    name: "web",
    object,
    oldObject: update ? admissionObject(random) : null,
    userInfo: { username: random.pick(["alice", "system:serviceaccount:hostgate:hostgate", ""]), groups: ["team-a"] },
  };
}

/** Runs one case; returns its divergence, or undefined when both engines agree. */
export function runCase(seed: number, index: number, report: FuzzReport): Divergence | undefined {
  const env = loadEnvironment();
  const random = caseRandom(seed, index);
  const kind: CaseKind = index % 4 === 3 ? "library" : index % 4 === 2 ? "module" : "expression";
  report.cases++;
  if (kind === "expression") return expressionCase(random, seed, index, report);
  if (kind === "module") return moduleCase(random, seed, index, report);
  return libraryCase(env, random, seed, index, report);
}

function expressionCase(random: Random, seed: number, index: number, report: FuzzReport): Divergence | undefined {
  const source = new ExpressionGenerator(random).expression(1 + random.below(4));
  const input = admissionInput(random, admissionObject(random));
  const variables = ROOT_VARIABLES.filter((name) => name !== "variables");
  const fast = compileCel(source, { variables });
  const planner = compileCel(source, { variables, engine: "planner" });
  if (!fast.ok || !planner.ok) {
    if (fast.ok !== planner.ok) return { seed, case: index, kind: "expression", expressions: [source], input, compiled: fast, planner };
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
  return { seed, case: index, kind: "expression", expressions: [source], input, compiled, planner: reference };
}

function generatedModule(random: Random): { name: string; spec: Record<string, unknown>; expressions: string[] } {
  const variables: Array<{ name: string; expression: string }> = [];
  const count = 1 + random.below(3);
  for (let i = 0; i < count; i++) {
    variables.push({ name: `v${i}`, expression: new ExpressionGenerator(random, variables.map((v) => v.name)).expression(1 + random.below(3)) });
  }
  const names = variables.map((v) => v.name);
  const validations = Array.from({ length: 1 + random.below(2) }, () => {
    const generator = new ExpressionGenerator(random, names);
    return { expression: generator.expression(1 + random.below(3)), messageExpression: generator.expression(1 + random.below(2)), message: "static message" };
  });
  const expressions = [...variables.map((v) => v.expression), ...validations.flatMap((v) => [v.expression, v.messageExpression])];
  return { name: "generated", spec: { variables, validations }, expressions };
}

function compileGenerated(name: string, spec: Record<string, unknown>, engine: "auto" | "planner"): CompiledModule | undefined {
  const result = compileModule(
    {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name },
      spec: { description: "generated by the differential fuzzing", match: [{ apiGroups: ["*"], kinds: ["*"], operations: ["*"] }], ...spec },
    },
    `${name}.yaml`,
    { engine },
  );
  return "module" in result ? result.module : undefined;
}

function moduleCase(random: Random, seed: number, index: number, report: FuzzReport): Divergence | undefined {
  const env = loadEnvironment();
  const generated = generatedModule(random);
  const input = admissionInput(random, admissionObject(random));
  // Two modules with the same expressions: the second reads the first's shared results.
  const fast = ["first", "second"].map((name) => compileGenerated(name, generated.spec, "auto"));
  const planner = ["first", "second"].map((name) => compileGenerated(name, generated.spec, "planner"));
  if (fast.some((m) => m === undefined) || planner.some((m) => m === undefined)) return undefined;
  report.compared++;
  for (const module of fast) for (const v of module!.variables) if (v.program.engine === "compiled") report.onFastPath++;
  const compiled = runValidations(makePolicySet(fast as CompiledModule[]), input, withRequestDeadline(env.ctx));
  // The reference: each module alone, nothing shared.
  const reference = planner.flatMap((m) => runValidations(makePolicySet([m!]), input, withRequestDeadline(env.ctx)));
  if (isDeepStrictEqual(compiled, reference)) return undefined;
  return { seed, case: index, kind: "module", expressions: generated.expressions, input, compiled, planner: reference };
}

/** A valid route, then a few of its fields removed or made hostile. */
function hostileRoute(random: Random): unknown {
  const route: Record<string, any> = {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "web", namespace: "team-a", labels: { app: "web" } },
    spec: {
      domain: "web.team-a.example.com",
      lb: "alb-out",
      routing: { mode: "Managed" },
      backend: { service: { name: "web", port: 8080 } },
      protection: { provider: "sso", appId: "web", rules: [{ action: "Allow", paths: ["/healthz"] }, { action: "Authenticate", paths: ["/*"] }] },
    },
  };
  const edits = 1 + random.below(3);
  for (let i = 0; i < edits; i++) {
    let parent: any = route;
    const path: string[] = [];
    while (typeof parent === "object" && parent !== null && !Array.isArray(parent) && random.chance(0.75)) {
      const keys = Object.keys(parent);
      if (keys.length === 0) break;
      const key = random.pick(keys);
      if (typeof parent[key] !== "object" || parent[key] === null) break;
      path.push(key);
      parent = parent[key];
    }
    if (typeof parent !== "object" || parent === null || Array.isArray(parent)) continue;
    const keys = Object.keys(parent);
    const key = keys.length > 0 && random.chance(0.7) ? random.pick(keys) : random.pick(["__proto__", "constructor", "extra"]);
    if (random.chance(0.3)) delete parent[key];
    else Object.defineProperty(parent, key, { value: jsonValue(random, 3), enumerable: true, writable: true, configurable: true });
  }
  return JSON.parse(JSON.stringify(route));
}

function libraryCase(env: Environment, random: Random, seed: number, index: number, report: FuzzReport): Divergence | undefined {
  const input = admissionInput(random, random.chance(0.8) ? hostileRoute(random) : admissionObject(random));
  report.compared++;
  const run = (set: PolicySet): unknown => {
    const ctx = withRequestDeadline(env.ctx);
    const mutated = runMutations(set, input, ctx);
    const validated = runValidations(set, { ...input, object: mutated.object }, ctx);
    return { patch: mutated.patch, mutationViolations: mutated.violations, violations: validated };
  };
  const compiled = run(env.library);
  const reference = run(env.libraryPlanner);
  if (isDeepStrictEqual(compiled, reference)) return undefined;
  return { seed, case: index, kind: "library", expressions: ["(the policy library)"], input, compiled, planner: reference };
}

/** Runs `count` cases of `seed` (or only case `only`); stops at the first `stopAfter` divergences. */
export function fuzz(options: { seed: number; count: number; only?: number; stopAfter?: number }): FuzzReport {
  const report: FuzzReport = { cases: 0, compared: 0, onFastPath: 0, divergences: [] };
  const first = options.only ?? 0;
  const end = options.only !== undefined ? options.only + 1 : options.count;
  for (let i = first; i < end; i++) {
    const divergence = runCase(options.seed, i, report);
    if (divergence !== undefined) {
      report.divergences.push(divergence);
      if (report.divergences.length >= (options.stopAfter ?? 1)) break;
    }
  }
  return report;
}

/** A divergence as text a person can act on: how to replay it, what ran, on what, and both outcomes. */
export function describeDivergence(d: Divergence): string {
  const json = (value: unknown): string =>
    JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? `${v}n` : v), 2);
  return [
    `divergence in ${d.kind} case ${d.case} of seed ${d.seed} (replay: npm run fuzz:cel -- --seed ${d.seed} --case ${d.case})`,
    `expressions:\n${d.expressions.map((e) => `  ${e}`).join("\n")}`,
    `input: ${json(d.input)}`,
    `compiled: ${json(d.compiled)}`,
    `planner:  ${json(d.planner)}`,
  ].join("\n");
}
