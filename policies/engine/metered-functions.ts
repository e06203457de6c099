// The CEL environment's functions, metered: every overload of a function
// with a cost rule (cost.ts) is replaced by one with the same signature (so
// the same overload id, which makes @bufbuild/cel's resolver drop the
// original) that charges the rule's units to the active budget and only then
// runs the original implementation. This is how the planner pays for calls;
// the fast path calls the very same overloads (compiled/dispatch.ts) or
// charges the same rule in its native forms (compiled/costs.ts).
//
// Whole groups are replaced, in their order, so overload resolution (the
// first overload whose parameter types match) is unchanged.
import { celEnv, celFunc, celMethod } from "@bufbuild/cel";
import type { CelFunc } from "@bufbuild/cel";
import { chargeCost } from "./budget.ts";
import { COST_RULES } from "./cost.ts";
import type { CostRule } from "./cost.ts";
import { concatLists } from "./list-concat.ts";
import { re2Matches } from "./compiled/regex.ts";

type Implementation = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Overloads whose implementation hostgate replaces, with the same answers and
 * bounded work: lists stay shallow (list-concat.ts), and `matches` keeps its
 * compiled patterns as the fast path does (compiled/regex.ts) instead of
 * compiling the pattern again on every call (a 252-character pattern took
 * 1 ms to compile, so a loop ran about 250 calls past the deadline between two reads of the clock).
 */
const REPLACED_IMPLEMENTATIONS: ReadonlyMap<string, Implementation> = new Map([
  ["_+_(list,list)", concatLists as Implementation],
  [
    "string.matches(string)",
    function (this: unknown, pattern: unknown) {
      return re2Matches(this as string, pattern as string);
    },
  ],
]);

const metered = new WeakMap<CelFunc, CelFunc>();

/**
 * The implementation a @bufbuild/cel function was created with. The library
 * keeps it in a field it does not document; the version is pinned (the fast
 * path mirrors it), and a missing field fails here, at load, not silently.
 */
function implementationOf(func: CelFunc): Implementation {
  const impl = (func as unknown as { _impl?: unknown })._impl;
  if (typeof impl !== "function")
    throw new Error(`@bufbuild/cel function ${func.id} has no implementation where 0.6.1 keeps it (_impl); the cost metering needs updating`);
  return impl as Implementation;
}

/** The metered form of one overload (one object per overload, so environments built twice share them). */
export function meteredOverload(func: CelFunc, rule: CostRule): CelFunc {
  let wrapped = metered.get(func);
  if (wrapped !== undefined) return wrapped;
  const impl = REPLACED_IMPLEMENTATIONS.get(func.id) ?? implementationOf(func);
  // Before the work: a call the budget cannot pay for never runs. One form per arity, without an arguments array.
  const run = (
    func.arguments.length === 0
      ? function (this: unknown): unknown {
          chargeCost(rule(this, undefined, undefined, undefined));
          return impl.call(this);
        }
      : func.arguments.length === 1
        ? function (this: unknown, a: unknown): unknown {
            chargeCost(rule(this, a, undefined, undefined));
            return impl.call(this, a);
          }
        : func.arguments.length === 2
          ? function (this: unknown, a: unknown, b: unknown): unknown {
              chargeCost(rule(this, a, b, undefined));
              return impl.call(this, a, b);
            }
          : function (this: unknown, a: unknown, b: unknown, c: unknown): unknown {
              chargeCost(rule(this, a, b, c));
              return impl.call(this, a, b, c);
            }
  ) as never;
  if (func.arguments.length > 3) throw new Error(`internal: ${func.id} has more than three parameters; the cost metering handles up to three`);
  wrapped =
    func.target === undefined ? celFunc(func.name, func.arguments, func.result, run) : celMethod(func.name, func.target, func.arguments, func.result, run);
  metered.set(func, wrapped);
  return wrapped;
}

/**
 * Metered replacements for every overload, in an environment with these
 * functions besides the standard library, of every function that has a cost
 * rule. Pass them after `funcs` in the environment's function list.
 */
export function meteredReplacements(funcs: readonly CelFunc[]): CelFunc[] {
  const base = celEnv({ funcs: [...funcs] }).funcs;
  const replacements: CelFunc[] = [];
  for (const [name, rule] of COST_RULES) {
    const group = base.find(name);
    if (group === undefined) continue;
    for (const func of group) replacements.push(meteredOverload(func, rule));
  }
  return replacements;
}
