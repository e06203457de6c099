// Native forms of standard and strings-extension functions the policies call
// on every request: size, type, dyn, startsWith, endsWith, contains,
// matches, lowerAscii, and hostgate's loop tick. Each handles its usual
// argument types and passes any other call to the overloads themselves (see
// dispatch.ts), so types and errors stay the library's.
import { celType } from "@bufbuild/cel";
import type { CelValue } from "@bufbuild/cel";
import { chargeTick } from "../budget.ts";
import { COST_RULES, traversal } from "../cost.ts";
import type { CostRule } from "../cost.ts";
import { chargeAt } from "./costs.ts";
import { dispatch } from "./dispatch.ts";
import type { CallSite } from "./dispatch.ts";
import { fromImplementation } from "./errors.ts";
import { re2Matches } from "./regex.ts";
import { codePointCount, isListObject, isMapObject } from "./values.ts";
import type { Compiled, Node } from "./types.ts";

/** A native builds the call's node from its compiled receiver and arguments, or declines (undefined) for an arity it does not handle. */
type Native = (site: CallSite, target: Compiled | undefined, args: readonly Compiled[]) => Node | undefined;

function sizeOf(value: unknown): bigint | undefined {
  if (typeof value === "string") return BigInt(codePointCount(value));
  if (typeof value === "object" && value !== null) {
    if (isListObject(value)) return BigInt(value.size);
    if (isMapObject(value)) return BigInt(value.size);
    if (value instanceof Uint8Array) return BigInt(value.length);
  }
  return undefined;
}

/** size(x) and x.size(); counting a string's code points walks it (cost.ts). */
const size: Native = (site, target, args) => {
  const id = site.id;
  if (target === undefined && args.length === 1) {
    const operand = args[0]!.run;
    return (b, l) => {
      const value = operand(b, l);
      if (typeof value === "string") chargeAt(traversal(value.length), id);
      return sizeOf(value) ?? dispatch(site, undefined, [value]);
    };
  }
  if (target !== undefined && args.length === 0) {
    const receiver = target.run;
    return (b, l) => {
      const value = receiver(b, l);
      if (typeof value === "string") chargeAt(traversal(value.length), id);
      return sizeOf(value) ?? dispatch(site, value, []);
    };
  }
  return undefined;
};

/** type(value) at a call site: the value's CEL type, as std/cast.js toType answers for CEL values. */
export function typeOf(site: CallSite): (value: unknown) => unknown {
  return (value) => {
    try {
      return celType(value as CelValue);
    } catch (error) {
      throw fromImplementation(error, site.id);
    }
  };
}

const type: Native = (site, target, args) => {
  if (target !== undefined || args.length !== 1) return undefined;
  const operand = args[0]!.run;
  const of = typeOf(site);
  return (b, l) => of(operand(b, l));
};

/** dyn(x) is the identity at run time. */
const dyn: Native = (_site, target, args) => (target === undefined && args.length === 1 ? args[0]!.run : undefined);

/** The cost rule of a function with a native form. */
function ruleOf(name: string): CostRule {
  const rule = COST_RULES.get(name);
  if (rule === undefined) throw new Error(`internal: no cost rule for ${name}`);
  return rule;
}

/** A string method taking one string: native when both are strings, charging what the metered overload charges. */
function stringMethod(name: string, apply: (receiver: string, arg: string) => boolean): Native {
  const rule = ruleOf(name);
  return (site, target, args) => {
    if (target === undefined || args.length !== 1) return undefined;
    const receiver = target.run;
    const argument = args[0]!.run;
    const id = site.id;
    return (b, l) => {
      const self = receiver(b, l);
      const arg = argument(b, l);
      if (typeof self !== "string" || typeof arg !== "string") return dispatch(site, self, [arg]);
      chargeAt(rule(self, arg, undefined, undefined), id);
      try {
        return apply(self, arg);
      } catch (error) {
        throw fromImplementation(error, site.id);
      }
    };
  };
}

/** strings extension lowerAscii(): only A-Z change. */
const lowerAscii: Native = (site, target, args) => {
  if (target === undefined || args.length !== 0) return undefined;
  const receiver = target.run;
  const id = site.id;
  return (b, l) => {
    const self = receiver(b, l);
    if (typeof self !== "string") return dispatch(site, self, []);
    // Priced as the strings extension's loop (cost.ts), though this form is faster.
    chargeAt(self.length, id);
    return toLowerAscii(self);
  };
};

function toLowerAscii(text: string): string {
  let i = 0;
  while (i < text.length) {
    const unit = text.charCodeAt(i);
    if (unit >= 65 && unit <= 90) break;
    i++;
  }
  if (i === text.length) return text;
  let result = text.slice(0, i);
  for (; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    result += unit >= 65 && unit <= 90 ? String.fromCharCode(unit + 32) : text[i];
  }
  return result;
}

/** `__hg_tick(condition)`: charges the active budget (see budget.ts chargeTick). */
const tick: Native = (site, target, args) => {
  if (target !== undefined || args.length !== 1) return undefined;
  const condition = args[0]!.run;
  return (b, l) => {
    const value = condition(b, l);
    return typeof value === "boolean" ? chargeTick(value) : dispatch(site, undefined, [value]);
  };
};

/** Standard and strings-extension functions with a native form (used only where the environment's overloads are the standard ones). */
export const STANDARD_FUNCTIONS: ReadonlyMap<string, Native> = new Map<string, Native>([
  ["size", size],
  ["type", type],
  ["dyn", dyn],
  ["startsWith", stringMethod("startsWith", (s, prefix) => s.startsWith(prefix))],
  ["endsWith", stringMethod("endsWith", (s, suffix) => s.endsWith(suffix))],
  ["contains", stringMethod("contains", (s, part) => s.includes(part))],
  ["matches", stringMethod("matches", re2Matches)],
  ["lowerAscii", lowerAscii],
]);

/** hostgate's loop tick, native when the environment's is tick.ts's. */
export const TICK_NATIVE: Native = tick;
