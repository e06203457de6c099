// The bounds of one request's policy evaluation (request-context.ts applies them).
import { DEFAULT_LIMITS } from "./budget.ts";
import type { EvaluationLimits } from "./budget.ts";

export interface EngineLimits extends EvaluationLimits {
  /** Largest object (serialized JSON bytes) policies evaluate; larger ones are denied. */
  maxObjectBytes: number;
  /** Longest message kept from a messageExpression. */
  maxMessageLength: number;
}

export const DEFAULT_ENGINE_LIMITS: EngineLimits = { ...DEFAULT_LIMITS, maxObjectBytes: 1_048_576, maxMessageLength: 1024 };
