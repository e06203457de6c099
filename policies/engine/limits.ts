// The bounds and context of one request's policy evaluation.
import { DEFAULT_LIMITS } from "./budget.ts";
import type { EvaluationLimits } from "./budget.ts";
import type { RequestScope } from "./request-scope.ts";

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
  /** What the phases of one request share (see request-scope.ts); set by withRequestDeadline. */
  scope?: RequestScope;
}
