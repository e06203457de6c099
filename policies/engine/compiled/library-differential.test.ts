// Differential test of the fast path against @bufbuild/cel's planner on the
// built-in library: every expression of every module, evaluated on every
// input of every case of the library's test suites (the case's object, and
// the object as the mutation policies patch it), must give the same value
// (with its CEL types) or the same error (message and column), and charge
// the same number of loop iterations. Variables read through `variables`
// are computed once by the planner and shared by both engines, so each
// expression is compared on identical inputs.
//
// The config and cluster state are built the way `hostgate test` builds
// them (core/config, core/state): test fixtures only, the engine does not
// depend on them.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { celError } from "@bufbuild/cel";
import { configToCel, loadPlatformConfig, mergeConfigOverrides } from "../../../core/config/index.ts";
import type { PlatformConfig } from "../../../core/config/index.ts";
import { ClusterStateIndex } from "../../../core/state/index.ts";
import { caseInput, findSuiteFiles, readSuites } from "../../testing/run-suites.ts";
import { decide } from "../../verdict.ts";
import { EvaluationBudget } from "../budget.ts";
import { compileCel } from "../cel.ts";
import type { CompiledCel } from "../cel.ts";
import { jsonToCel } from "../cel-values.ts";
import { requestBinding } from "../request-context.ts";
import { loadPolicySet, ROOT_VARIABLES } from "../module-loader.ts";
import type { CompiledModule } from "../module-loader.ts";
import { sharedCelView } from "../shared-views.ts";
import { GENEROUS, observe } from "./testing.ts";

const LIBRARY = fileURLToPath(new URL("../../library", import.meta.url));
const BASE_CONFIG = fileURLToPath(new URL("../../../examples/platform-config.yaml", import.meta.url));

const library = loadPolicySet([LIBRARY]);
const baseConfig = loadPlatformConfig(BASE_CONFIG);

interface Pair {
  where: string;
  fast: CompiledCel;
  reference: CompiledCel;
}

/** Every expression of a module with its planner twin. */
function pairsOf(module: CompiledModule): Pair[] {
  const twin = (program: CompiledCel): CompiledCel => {
    const result = compileCel(program.source, { variables: ROOT_VARIABLES, engine: "planner" });
    if (!result.ok) throw new Error(`${module.name}: ${result.message}`);
    return result;
  };
  const pairs: Pair[] = [];
  const add = (where: string, program: CompiledCel | undefined) => {
    if (program !== undefined) pairs.push({ where: `${module.name} ${where}`, fast: program, reference: twin(program) });
  };
  for (const [i, c] of module.matchConditions.entries()) add(`matchConditions[${i}]`, c.program);
  for (const [i, v] of module.variables.entries()) add(`variables[${i}] (${v.name})`, v.program);
  module.validations.forEach((v, i) => {
    add(`validations[${i}].expression`, v.program);
    add(`validations[${i}].messageExpression`, v.messageProgram);
  });
  for (const [i, m] of module.mutations.entries()) add(`mutations[${i}]`, m.program);
  return pairs;
}

const modules = library.modules.map((module) => ({ module, pairs: pairsOf(module) }));

/** `variables` for one module and one input, each computed by the planner when first read, as the engine does. */
function referenceVariables(module: CompiledModule, pairs: readonly Pair[], shared: Record<string, unknown>): unknown {
  const values = new Map<string, unknown>();
  const bindings: Record<string, unknown> = { ...shared };
  const view = {
    [Symbol.for("@bufbuild/cel/map")]: true,
    size: 0,
    get(name: unknown): unknown {
      if (typeof name !== "string") return undefined;
      const index = module.variableIndex.get(name);
      if (index === undefined) return undefined;
      if (!values.has(name)) {
        const program = pairs.find((p) => p.fast === module.variables[index]!.program)!.reference;
        try {
          values.set(name, program.evaluateCel(bindings, new EvaluationBudget(GENEROUS)));
        } catch (error) {
          values.set(name, celError(`spec.variables[${index}] ("${name}"): ${(error as Error).message}`));
        }
      }
      return values.get(name);
    },
    has(name: unknown): boolean {
      return this.get(name) !== undefined;
    },
    *keys() {},
    *values() {},
    *entries() {},
    forEach() {},
    [Symbol.iterator]() {
      return this.entries();
    },
  };
  bindings.variables = view;
  return bindings;
}

let compared = 0;
let cases = 0;

describe("the fast path agrees with the planner on the built-in library", () => {
  test("every expression of the library runs on the fast path", () => {
    const declined = modules.flatMap(({ pairs }) => pairs.filter((p) => p.fast.engine !== "compiled").map((p) => `${p.where}: ${p.fast.fallbackReason}`));
    assert.deepEqual(declined, []);
  });

  for (const { file, suite } of readSuites(findSuiteFiles([LIBRARY]))) {
    for (const testCase of suite.spec.cases) {
      cases++;
      test(`${suite.metadata.name}: ${testCase.name}: every expression gives the same result on both engines`, () => {
        const overrides = [suite.spec.config, testCase.config].filter((o): o is Record<string, unknown> => o !== undefined);
        const config = configToCel(overrides.reduce<PlatformConfig>((c, o) => mergeConfigOverrides(c, o), baseConfig));
        const cluster = ClusterStateIndex.fromObjects([...(suite.spec.state ?? []), ...(testCase.state ?? [])]).celValue();
        const input = caseInput(testCase);
        // The object as it arrives, and as the mutation policies leave it for validation.
        const mutated = decide(input, { policies: library, config, cluster }, { schema: false, mutate: true, validate: false }).object;
        const objects = mutated === input.object ? [input.object] : [input.object, mutated];
        for (const object of objects) {
          const shared = {
            object: jsonToCel(object ?? null),
            oldObject: jsonToCel(input.oldObject ?? null),
            request: jsonToCel(requestBinding(input)),
            config: sharedCelView(config),
            cluster: sharedCelView(cluster),
          };
          for (const { module, pairs } of modules) {
            const bindings = referenceVariables(module, pairs, shared) as Record<string, unknown>;
            for (const pair of pairs) {
              const reference = observe(pair.reference, bindings);
              const fast = observe(pair.fast, bindings);
              assert.deepEqual(fast, reference, `${pair.where} in ${file}`);
              compared++;
            }
          }
        }
      });
    }
  }

  test("the comparison covered every expression on every case input", (t) => {
    const expressions = modules.reduce((n, m) => n + m.pairs.length, 0);
    t.diagnostic(`${expressions} expressions x ${cases} cases (plus mutated objects): ${compared} evaluations compared`);
    assert.ok(cases > 0 && compared >= expressions * cases, `compared ${compared} evaluations`);
  });
});
