// Which of a policy set's expressions the closure compiler declined, so they
// run on @bufbuild/cel's planner (see compiled/README.md), and why. The
// webhook logs each one at start and exports their count as a metric: a
// planner expression is correct but slower, and a policy author should know.
import type { Logger } from "../../core/logger.ts";
import type { CompiledCel } from "./cel.ts";
import type { PolicySet } from "./module-loader.ts";

export interface PlannerFallback {
  policy: string;
  /** The module field, e.g. `spec.validations[2].expression`. */
  field: string;
  /** The compiler's reason, as it said it. */
  reason: string;
  /** The reason as a bounded metric label: its kind, without the details after a colon. */
  reasonLabel: string;
  expression: string;
}

const MAX_LABEL = 80;

export function reasonLabel(reason: string): string {
  const kind = reason.split(":")[0]!.trim();
  return kind.length > MAX_LABEL ? `${kind.slice(0, MAX_LABEL - 1)}…` : kind;
}

/** Every expression of the set that runs on the planner, in module and field order. */
export function plannerFallbacks(set: PolicySet): PlannerFallback[] {
  const out: PlannerFallback[] = [];
  for (const module of set.modules) {
    const add = (program: CompiledCel | undefined, field: string): void => {
      if (program === undefined || program.engine !== "planner") return;
      const reason = program.fallbackReason ?? "the planner was chosen";
      out.push({ policy: module.name, field, reason, reasonLabel: reasonLabel(reason), expression: program.source });
    };
    for (const [i, c] of module.matchConditions.entries()) add(c.program, `spec.matchConditions[${i}].expression`);
    for (const [i, v] of module.variables.entries()) add(v.program, `spec.variables[${i}].expression`);
    for (const v of module.validations) {
      add(v.program, `spec.validations[${v.index}].expression`);
      add(v.messageProgram, `spec.validations[${v.index}].messageExpression`);
    }
    for (const m of module.mutations) add(m.program, `spec.mutations[${m.index}].expression`);
  }
  return out;
}

/** The count of planner expressions by policy and reason label, for the metric. */
export function fallbackCounts(fallbacks: readonly PlannerFallback[]): Map<string, { policy: string; reason: string; count: number }> {
  const counts = new Map<string, { policy: string; reason: string; count: number }>();
  for (const f of fallbacks) {
    const key = `${f.policy}\u0000${f.reasonLabel}`;
    const entry = counts.get(key) ?? { policy: f.policy, reason: f.reasonLabel, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return counts;
}

/** Logs each planner expression once, with what a policy author needs to find and change it. */
export function logPlannerFallbacks(fallbacks: readonly PlannerFallback[], logger: Logger): void {
  for (const f of fallbacks) {
    logger.warn(
      { policy: f.policy, field: f.field, reason: f.reason, expression: f.expression },
      "policy expression runs on the CEL planner, not the compiled fast path",
    );
  }
}
