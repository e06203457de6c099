// Calling a function of the environment exactly as the planner's EvalCall
// does: the function group picks the overload by the arguments' run-time
// types, converts arguments and result, and turns an implementation's
// exception into a CEL error. Every function the fast path has no native
// form for (hostgate's own, the strings extension's, conversions...) runs
// through here, so it is the very same implementation either way.
import { celEnv } from "@bufbuild/cel";
import type { CelEnv, CelValue } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { meteredReplacements } from "../metered-functions.ts";
import { noMatchingOverload } from "./errors.ts";
import { ERROR_BRAND } from "./values.ts";

type FuncGroup = NonNullable<ReturnType<CelEnv["funcs"]["find"]>>;

export interface CallSite {
  /** The name errors show: the function, or its qualified name. */
  readonly name: string;
  readonly id: bigint;
  readonly group: FuncGroup;
}

export function callSite(name: string, id: bigint, group: FuncGroup): CallSite {
  return { name, id, group };
}

/** Runs the overload the arguments select; throws the CEL error a call without a matching overload is. */
export function dispatch(site: CallSite, target: unknown, args: unknown[]): unknown {
  const result = site.group.call(Number(site.id), target as CelValue | undefined, args as CelValue[]);
  if (result === undefined) throw noMatchingOverload(site.name, site.id, target, args);
  if (typeof result === "object" && result !== null && ERROR_BRAND in result) throw result;
  return result;
}

let reference: CelEnv | undefined;

/**
 * True when the environment's overloads of `name` are exactly the standard
 * library's plus the strings extension's, metered as cel.ts meters them (the
 * same function objects), so a native implementation of them in the fast
 * path, charging the same cost (costs.ts), means the same thing. An
 * environment that adds or replaces an overload gets plain dispatch instead.
 */
export function isStandard(env: CelEnv, name: string): boolean {
  reference ??= celEnv({ funcs: [...strings, ...meteredReplacements(strings)] });
  return sameOverloads(reference, env, name);
}

/** True when both environments have overloads of `name` and they are the same function objects, in the same order. */
export function sameOverloads(expected: CelEnv, actual: CelEnv, name: string): boolean {
  const a = expected.funcs.find(name);
  const b = actual.funcs.find(name);
  if (a === undefined || b === undefined) return false;
  const left = [...a];
  const right = [...b];
  return left.length === right.length && left.every((f, i) => f === right[i]);
}
