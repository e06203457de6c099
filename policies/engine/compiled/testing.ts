// Test helpers for the differential tests: run one expression on one engine
// and describe everything observable about the run (the value with its CEL
// types, or the error with its message and position, and the iterations it
// charged), so two engines can be compared with one deepEqual.
import { isCelError, isCelList, isCelMap, isCelType, isCelUint } from "@bufbuild/cel";
import type { CelError } from "@bufbuild/cel";
import { EvaluationBudget, runWithBudget } from "../budget.ts";
import type { EvaluationLimits } from "../budget.ts";
import { CelEvaluationError } from "../cel.ts";
import type { CompiledCel } from "../cel.ts";

/** A CEL value as plain data that keeps its CEL type: 1 (int), 1.0 (double) and 1u (uint) stay apart. */
export function render(value: unknown): unknown {
  switch (typeof value) {
    case "bigint":
      return { int: value.toString() };
    case "number":
      return { double: Number.isNaN(value) ? "NaN" : value };
    case "string":
    case "boolean":
      return value;
    case "undefined":
      return { undefined: true };
    case "object":
      if (value === null) return null;
      if (isCelUint(value)) return { uint: value.value.toString() };
      if (value instanceof Uint8Array) return { bytes: Array.from(value) };
      if (isCelList(value)) return { list: Array.from(value, render) };
      if (isCelMap(value)) return { map: Array.from(value.entries(), ([k, v]) => [render(k), render(v)]) };
      if (isCelType(value)) return { type: value.name };
      return { other: Object.prototype.toString.call(value) };
    default:
      return { other: typeof value };
  }
}

export interface Observed {
  outcome: { value: unknown } | { error: string; column: number | undefined; budgetExhausted: boolean };
  iterations: number;
  /** Cost units charged (cost.ts): both engines charge the same. */
  cost: number;
}

export const GENEROUS: EvaluationLimits = { maxIterations: 1_000_000, timeoutMs: 60_000 };

/** Evaluates a compiled expression with a fresh budget and reports what an observer of evaluateCel sees. */
export function observe(program: CompiledCel, bindings: Record<string, unknown>, limits: EvaluationLimits = GENEROUS): Observed {
  const budget = new EvaluationBudget(limits);
  try {
    const value = program.evaluateCel(bindings, budget);
    return { outcome: { value: render(value) }, iterations: budget.iterations, cost: budget.cost };
  } catch (error) {
    if (!(error instanceof CelEvaluationError)) throw error;
    return {
      outcome: { error: error.message, column: error.column, budgetExhausted: error.budgetExhausted },
      iterations: budget.iterations,
      cost: budget.cost,
    };
  }
}

/** A raw program's result (value or CelError) under a fresh budget, as plain data including the error's expression id. */
export function observeRaw(run: () => unknown, limits: EvaluationLimits = GENEROUS): { result: unknown; iterations: number } {
  const budget = new EvaluationBudget(limits);
  const result = runWithBudget(budget, run);
  if (isCelError(result))
    return { result: { error: (result as CelError).message, exprId: (result as CelError).exprId?.toString() }, iterations: budget.iterations };
  return { result: { value: render(result) }, iterations: budget.iterations };
}
