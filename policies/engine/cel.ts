// The one way hostgate compiles and runs CEL: policy modules, CRD
// x-kubernetes-validations in `hostgate check`, and tests all come through
// here, so they share functions, load-time checks and bounds.
import { celEnv, celFunc, CelScalar, isCelError, parse, plan } from "@bufbuild/cel";
import type { CelEnv } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import type { Expr } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import { inspect, prepareForPlanning, TICK_FUNCTION } from "./ast.ts";
import { activeBudget, DEFAULT_LIMITS, EvaluationBudget, runWithBudget } from "./budget.ts";
import { jsonToCel } from "./cel-values.ts";
import { hostgateFunctions } from "./functions/index.ts";

export interface CompileOptions {
  /** Top-level variable names the expression may read. */
  variables: readonly string[];
  /** Deepest allowed nesting of comprehensions (all/exists/map/filter...). */
  maxComprehensionDepth?: number;
  /** Longest allowed expression, in characters. */
  maxLength?: number;
}

export const DEFAULT_MAX_COMPREHENSION_DEPTH = 3;
export const DEFAULT_MAX_EXPRESSION_LENGTH = 8192;

export interface CelCompileFailure {
  ok: false;
  message: string;
  /** 1-based position of the first problem, when known. */
  line?: number;
  column?: number;
}

export interface CompiledCel {
  ok: true;
  source: string;
  /** Top-level variables the expression reads (for lazy binding). */
  readonly rootsRead: ReadonlySet<string>;
  /** `variables.<name>` the expression reads. */
  readonly variablesRead: ReadonlySet<string>;
  /**
   * Evaluates with JSON (or CEL) bindings, converted lazily. Returns the CEL
   * value (boolean, string, bigint, number, null, CelList, CelMap; use
   * celToJson for structured results). Throws CelEvaluationError on a runtime
   * error or when the budget is spent.
   */
  evaluate(bindings: Record<string, unknown>, budget?: EvaluationBudget): unknown;
  /** Like evaluate, with bindings that are already CEL values (see jsonToCel): nothing is converted or copied. */
  evaluateCel(bindings: Record<string, unknown>, budget?: EvaluationBudget): unknown;
}

export class CelEvaluationError extends Error {
  /** True when the failure is the budget (iterations or deadline), not the expression. */
  readonly budgetExhausted: boolean;
  readonly column: number | undefined;
  constructor(message: string, options: { budgetExhausted?: boolean; column?: number } = {}) {
    super(message);
    this.name = "CelEvaluationError";
    this.budgetExhausted = options.budgetExhausted ?? false;
    this.column = options.column;
  }
}

const tick = celFunc(TICK_FUNCTION, [CelScalar.BOOL], CelScalar.BOOL, (condition: boolean) => {
  const budget = activeBudget();
  if (budget === undefined) return condition;
  return budget.tick() && condition;
});

let sharedEnv: CelEnv | undefined;

/** The CEL environment: the standard library, the strings extension and hostgate's functions. */
export function celEnvironment(): CelEnv {
  sharedEnv ??= celEnv({ funcs: [...strings, ...hostgateFunctions, tick] });
  return sharedEnv;
}

export function compileCel(source: string, options: CompileOptions): CompiledCel | CelCompileFailure {
  const maxLength = options.maxLength ?? DEFAULT_MAX_EXPRESSION_LENGTH;
  if (typeof source !== "string" || source.trim() === "") {
    return { ok: false, message: "expression is empty" };
  }
  if (source.length > maxLength) {
    return { ok: false, message: `expression is ${source.length} characters long; the limit is ${maxLength}` };
  }

  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    return parseFailure(source, error);
  }

  const env = celEnvironment();
  const declared = new Set(options.variables);
  const facts = inspect(parsed.expr, declared, env.funcs);
  if (facts.problems.length > 0) {
    const first = facts.problems[0]!;
    const where = positionOf(source, offsetOf(parsed, first.exprId));
    return { ok: false, message: facts.problems.map((p) => p.message).join("; "), ...where };
  }
  const maxDepth = options.maxComprehensionDepth ?? DEFAULT_MAX_COMPREHENSION_DEPTH;
  if (facts.comprehensionDepth > maxDepth) {
    return {
      ok: false,
      message: `comprehensions (all/exists/exists_one/map/filter) are nested ${facts.comprehensionDepth} deep; the limit is ${maxDepth}, so that evaluation cost stays bounded. Precompute an inner part as a variable`,
    };
  }

  prepareForPlanning(parsed.expr);
  const program = plan(env, parsed) as (bindings: Record<string, unknown>) => unknown;
  const roots = [...facts.rootsRead];

  return {
    ok: true,
    source,
    rootsRead: facts.rootsRead,
    variablesRead: facts.variablesRead,
    evaluate(bindings, budget) {
      const input: Record<string, unknown> = {};
      for (const name of roots) input[name] = jsonToCel(bindings[name]);
      return this.evaluateCel(input, budget);
    },
    evaluateCel(bindings, budget) {
      const spend = budget ?? new EvaluationBudget(DEFAULT_LIMITS);
      // The clock is read by the caller between policies and by ticks inside
      // loops; a read per expression would cost more than most expressions.
      if (spend.exhausted !== undefined) throw new CelEvaluationError(spend.exhausted, { budgetExhausted: true });
      let result: unknown;
      try {
        result = runWithBudget(spend, () => program(bindings));
      } catch (error) {
        // @bufbuild/cel reports errors as values; a throw is a bug in a
        // function implementation. Fail closed, with the message only.
        throw new CelEvaluationError(`internal error: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (spend.exhausted !== undefined) throw new CelEvaluationError(spend.exhausted, { budgetExhausted: true });
      if (isCelError(result)) {
        const where = result.exprId !== undefined ? positionOf(source, offsetOf(parsed, result.exprId)) : {};
        throw new CelEvaluationError(result.message, { column: where.column });
      }
      return result;
    },
  };
}

function parseFailure(source: string, error: unknown): CelCompileFailure {
  const raw = error instanceof Error ? error.message : String(error);
  // "<input>:1:22: found & but expecting end of input"
  const match = /^<input>:(\d+):(\d+):\s*(.*)$/s.exec(raw);
  if (match) return { ok: false, message: `syntax error: ${match[3]}`, line: Number(match[1]), column: Number(match[2]) };
  return { ok: false, message: `syntax error: ${raw.replace(/^<input>:\s*/, "")}` };
}

function offsetOf(parsed: { sourceInfo?: { positions: { [id: string]: number } } }, exprId: bigint): number | undefined {
  const positions = parsed.sourceInfo?.positions;
  if (positions === undefined) return undefined;
  const offset = positions[exprId.toString()];
  return typeof offset === "number" ? offset : undefined;
}

function positionOf(source: string, offset: number | undefined): { line?: number; column?: number } {
  if (offset === undefined) return {};
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export type { Expr };
