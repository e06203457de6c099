// The one way hostgate compiles and runs CEL: policy modules, CRD
// x-kubernetes-validations in `hostgate check`, and tests all come through
// here, so they share functions, load-time checks and bounds.
//
// Two engines run the same parsed tree. Every expression the closure
// compiler (compiled/) fully supports runs as compiled JavaScript closures;
// any other runs on @bufbuild/cel's planner, which stays the reference: the
// compiled form gives the same values and the same errors (message and
// position), which differential tests check (see compiled/README.md).
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import type { CelEnv } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import type { Expr } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import { inspect, prepareForPlanning } from "./ast.ts";
import { DEFAULT_LIMITS, enterBudget, EvaluationBudget, leaveBudget } from "./budget.ts";
import { jsonToCel } from "./cel-values.ts";
import { compileClosures } from "./compiled/compiler.ts";
import { Bailout } from "./compiled/values.ts";
import { hostgateFunctions } from "./functions/index.ts";
import { meteredReplacements } from "./metered-functions.ts";
import { tickFunction } from "./tick.ts";

export interface CompileOptions {
  /** Top-level variable names the expression may read. */
  variables: readonly string[];
  /** Deepest allowed nesting of comprehensions (all/exists/map/filter...). */
  maxComprehensionDepth?: number;
  /** Longest allowed expression, in characters. */
  maxLength?: number;
  /**
   * Which engine runs the expression: "auto" (default) the compiled closures
   * when they support it, else the planner; "planner" always @bufbuild/cel's
   * planner (the reference the differential tests compare against).
   */
  engine?: "auto" | "planner";
  /**
   * The positions of the module's variables, by name (the module's
   * variableIndex): the compiled form reads `variables.<name>` by position
   * when the bindings' `variables` is the engine's view of that very table.
   */
  variableIndex?: ReadonlyMap<string, number>;
  /**
   * What each of the module's variables is, for sharing results (see
   * CompiledCel.shareKey): for a variable whose own result is shareable, a
   * text naming its position and its share key. An expression that reads
   * only such variables is shareable with the same source reading the same
   * variables.
   */
  variableKeys?: ReadonlyMap<string, string>;
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
  /** The engine that runs it: the compiled closures (the fast path) or @bufbuild/cel's planner. */
  readonly engine: "compiled" | "planner";
  /** Why the closure compiler declined the expression (engine "planner" under "auto"). */
  readonly fallbackReason?: string;
  /**
   * Set when the result depends on nothing but the shared bindings: the
   * expression runs no loop (so it charges no budget) and reads no
   * `variables`, or only variables that are themselves shareable (see
   * CompileOptions.variableKeys). Expressions with the same key give the same
   * result (value or error) on the same object, request, config and cluster,
   * so one evaluation may serve them all. Same source and same variables,
   * same key.
   */
  readonly shareKey?: number;
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

let sharedEnv: CelEnv | undefined;

/**
 * The CEL environment: the standard library, the strings extension and
 * hostgate's functions, every call whose work grows with its inputs metered
 * (metered-functions.ts, cost.ts).
 */
export function celEnvironment(): CelEnv {
  if (sharedEnv === undefined) {
    const funcs = [...strings, ...hostgateFunctions, tickFunction];
    sharedEnv = celEnv({ funcs: [...funcs, ...meteredReplacements(funcs)] });
  }
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
    return parseFailure(error);
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
  let planned: Program | undefined;
  // The planner's program, built when first needed: always under engine
  // "planner", else only if a compiled expression meets a value outside its
  // domain (see compiled/values.ts Bailout), which hostgate's bindings never are.
  const planner = (): Program => (planned ??= plan(env, parsed) as Program);
  const closures = options.engine === "planner" ? undefined : compileClosures(parsed.expr!, env, options.variableIndex);
  const shareKey = facts.comprehensionDepth === 0 ? shareKeyOf(source, facts.variablesRead, options.variableKeys) : undefined;
  // An expression the planner runs is planned now, at load, as it always was.
  const execute: Program = closures?.ok ? closures.program : planner();
  const roots = [...facts.rootsRead];

  return {
    ok: true,
    source,
    rootsRead: facts.rootsRead,
    variablesRead: facts.variablesRead,
    engine: closures?.ok ? "compiled" : "planner",
    ...(closures !== undefined && !closures.ok ? { fallbackReason: closures.reason } : {}),
    ...(shareKey !== undefined ? { shareKey } : {}),
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
      const previous = enterBudget(spend);
      // The cost limit is per expression: a variable evaluated inside this one counts for itself.
      const outerCost = spend.expressionCost;
      spend.expressionCost = 0;
      try {
        result = execute(bindings);
      } catch (error) {
        if (error instanceof Bailout) {
          result = planner()(bindings);
        } else {
          // Both engines report CEL errors as values; a throw is a bug in a
          // function implementation or the engine. Fail closed, with the message only.
          throw new CelEvaluationError(`internal error: ${error instanceof Error ? error.message : String(error)}`);
        }
      } finally {
        spend.expressionCost = outerCost;
        leaveBudget(previous);
      }
      if (spend.exhausted !== undefined) throw new CelEvaluationError(spend.exhausted, { budgetExhausted: true });
      if (typeof result === "object" && result !== null && isCelError(result)) {
        const where = result.exprId !== undefined ? positionOf(source, offsetOf(parsed, result.exprId)) : {};
        throw new CelEvaluationError(result.message, { column: where.column });
      }
      return result;
    },
  };
}

/** A compiled expression: the CEL value, or the CEL error, as a value. */
type Program = (bindings: Record<string, unknown>) => unknown;

const shareKeys = new Map<string, number>();

/** The share key of a source reading these variables, or undefined when one of them is not shareable. */
function shareKeyOf(source: string, variablesRead: ReadonlySet<string>, variableKeys: ReadonlyMap<string, string> | undefined): number | undefined {
  const parts = [source];
  for (const name of [...variablesRead].sort()) {
    const key = variableKeys?.get(name);
    if (key === undefined) return undefined;
    parts.push(`${name}=${key}`);
  }
  const identity = parts.join("\u0000");
  let key = shareKeys.get(identity);
  if (key === undefined) {
    key = shareKeys.size;
    shareKeys.set(identity, key);
  }
  return key;
}

function parseFailure(error: unknown): CelCompileFailure {
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
