// Calls of hostgate's pure functions whose receiver and arguments are all
// constant (`cidr('240.0.0.0/4')`, `isIP('10.0.0.1')`) are evaluated once, at
// compile time, instead of on every evaluation. They stay calls in every way
// an evaluation can see:
//
// - cost: the call charges the units the metered overload would (../cost.ts
//   rule of its name, on the same constant arguments, so a fixed number), at
//   the call, failing as the planner's metered overload does (costs.ts);
// - errors: a call that fails (`cidr('10.0.0.0/33')`) is not folded; it runs,
//   and fails, on every evaluation through dispatch.ts, with the planner's message and id.
//
// Only the IP, CIDR and hostname functions are folded, on string constants:
// their answers depend on their arguments alone. And only when the
// environment's overloads of the name are exactly hostgate's, metered (the
// same function objects), so an environment that replaces one is called normally.
import { celEnv } from "@bufbuild/cel";
import type { CelEnv } from "@bufbuild/cel";
import { activeBudget, leaveBudget } from "../budget.ts";
import { COST_RULES } from "../cost.ts";
import { cidrFunctions, hostnameFunctions, ipFunctions } from "../functions/index.ts";
import { meteredReplacements } from "../metered-functions.ts";
import { chargeAt } from "./costs.ts";
import { dispatch, sameOverloads } from "./dispatch.ts";
import type { CallSite } from "./dispatch.ts";
import type { Compiled } from "./types.ts";

const PURE_FUNCTIONS = [...ipFunctions, ...cidrFunctions, ...hostnameFunctions];
const PURE_NAMES: ReadonlySet<string> = new Set(PURE_FUNCTIONS.map((f) => f.name));

let reference: CelEnv | undefined;

/** The folded call, or undefined when it is not a pure call on constants or its evaluation fails. */
export function foldPureCall(env: CelEnv, site: CallSite, target: Compiled | undefined, args: readonly Compiled[]): Compiled | undefined {
  if (!PURE_NAMES.has(site.name)) return undefined;
  // Strings only: a string's cost rule is a fixed number, where a list's (apexOf) may depend on what the budget has left.
  if (target !== undefined && typeof target.constant?.value !== "string") return undefined;
  if (!args.every((arg) => typeof arg.constant?.value === "string")) return undefined;
  reference ??= celEnv({ funcs: [...PURE_FUNCTIONS, ...meteredReplacements(PURE_FUNCTIONS)] });
  if (!sameOverloads(reference, env, site.name)) return undefined;
  const self = target?.constant?.value;
  const values = args.map((arg) => arg.constant!.value);
  const value = evaluateUnmetered(site, self, values);
  if (value === FAILED) return undefined;
  const rule = COST_RULES.get(site.name);
  const units = rule === undefined ? 0 : rule(self, values[0], values[1], values[2]);
  const id = site.id;
  // Not marked constant: the call's charge must stay where it is, so an enclosing node cannot fold it away.
  return {
    run: () => {
      chargeAt(units, id);
      return value;
    },
    bare: false,
  };
}

const FAILED = Symbol("failed");

/** The call's value with no budget active (the charge is made at each evaluation instead), or FAILED. */
function evaluateUnmetered(site: CallSite, self: unknown, values: unknown[]): unknown {
  const previous = activeBudget();
  leaveBudget(undefined);
  try {
    return dispatch(site, self, values);
  } catch {
    return FAILED;
  } finally {
    leaveBudget(previous);
  }
}
