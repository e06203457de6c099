// Native forms of the standard operators (std/logic.js, std/math.js).
//
// Each handles the operand types policies use in the hot path directly and
// hands every other combination to the standard overloads themselves (see
// dispatch.ts), so mixed int/double comparisons, uints, bytes, durations and
// "no matching overload" errors are exactly the library's.
import { celError, isCelUint } from "@bufbuild/cel";
import { concatenationCost, equalityCost, membershipCost, orderingCost, traversal } from "../cost.ts";
import { chargeAt } from "./costs.ts";
import { celEquals } from "./equality.ts";
import { dispatch } from "./dispatch.ts";
import type { CallSite } from "./dispatch.ts";
import { KIND_TESTS, isModelled } from "./type-names.ts";
import { isListObject, isMapObject } from "./values.ts";
import type { Compiled, Node } from "./types.ts";

const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;

type Native = (site: CallSite, operands: readonly Compiled[]) => Node | undefined;

/** int64 results out of range fail as std/math.js safeInt does: no position (the error passes through the call unchanged). */
function checkedInt(value: bigint, op: string): bigint {
  if (value < MIN_INT || value > MAX_INT) throw celError(`int overflow during ${op}`);
  return value;
}

function binary(operands: readonly Compiled[], make: (left: Node, right: Node) => Node): Node | undefined {
  if (operands.length !== 2) return undefined;
  return make(operands[0]!.run, operands[1]!.run);
}

/** `a == b`, with a constant string, bool or null side reduced to identity (CEL equality with those is identity). */
function equality(negate: boolean): Native {
  return (site, operands) => {
    if (operands.length !== 2) return undefined;
    const [left, right] = operands as [Compiled, Compiled];
    const typeTest = typeComparison(left, right);
    if (typeTest !== undefined) return negate ? (b, l) => !typeTest(b, l) : typeTest;
    const constant = [right, left].find((o) => o.constant !== undefined && isIdentityComparable(o.constant.value));
    if (constant !== undefined) {
      const value = constant.constant!.value;
      const other = (constant === right ? left : right).run;
      const first = constant === right;
      const id = site.id;
      if (typeof value === "string") {
        // Two strings compare at most the shorter (cost.ts equalityCost); anything else against a string costs nothing.
        const limit = value.length;
        return (b, l) => {
          const x = other(b, l);
          if (typeof x === "string") chargeAt(traversal(Math.min(x.length, limit)), id);
          return negate ? x !== value : x === value;
        };
      }
      // Both operands still run in order; only the comparison is simplified.
      return negate
        ? first
          ? (b, l) => other(b, l) !== value
          : (b, l) => value !== other(b, l)
        : first
          ? (b, l) => other(b, l) === value
          : (b, l) => value === other(b, l);
    }
    const a = left.run;
    const c = right.run;
    const id = site.id;
    return (b, l) => {
      const x = a(b, l);
      const y = c(b, l);
      chargeAt(equalityCost(x, y), id);
      return celEquals(x, y) !== negate;
    };
  };
}

/**
 * `type(x) == T` for a type name T: a test of x's kind instead of building
 * x's type and comparing types. Both operands still run, in order; when T is
 * bound to a variable, or x is not one of the fast path's values, the
 * comparison is the general one.
 */
function typeComparison(left: Compiled, right: Compiled): Node | undefined {
  const name = right.typeName;
  if (left.typeOf === undefined || name === undefined) return undefined;
  const test = KIND_TESTS.get(name);
  if (test === undefined) return undefined;
  const { operand, of } = left.typeOf;
  const nameNode = right.run;
  return (b, l) => {
    const x = operand(b, l);
    // type(x) is complete before the right operand runs: first, for a value whose type may fail.
    if (!isModelled(x)) {
      const type = of(x);
      return celEquals(type, nameNode(b, l));
    }
    const t = nameNode(b, l);
    return t === name ? test(x) : celEquals(of(x), t);
  };
}

function isIdentityComparable(value: unknown): boolean {
  return typeof value === "string" || typeof value === "boolean" || value === null;
}

type Order = (l: never, r: never) => boolean;

/** `<`, `<=`, `>`, `>=` on two ints, two doubles or two strings; anything else through the overloads. */
function ordering(compare: Order): Native {
  return (site, operands) =>
    binary(operands, (left, right) => (b, l) => {
      const x = left(b, l);
      const y = right(b, l);
      const t = typeof x;
      if (t === typeof y && (t === "bigint" || t === "number" || t === "string")) {
        if (t === "string") chargeAt(orderingCost(x, y), site.id);
        return compare(x as never, y as never);
      }
      return dispatch(site, undefined, [x, y]);
    });
}

const add: Native = (site, operands) =>
  binary(operands, (left, right) => (b, l) => {
    const x = left(b, l);
    const y = right(b, l);
    if (typeof x === "string" && typeof y === "string") {
      // Charged before the copy: doubling a string again and again stops at the limit, not after.
      chargeAt(concatenationCost(x, y), site.id);
      return x + y;
    }
    if (typeof x === "bigint" && typeof y === "bigint") return checkedInt(x + y, "_+_");
    if (typeof x === "number" && typeof y === "number") return x + y;
    return dispatch(site, undefined, [x, y]);
  });

const subtract: Native = (site, operands) =>
  binary(operands, (left, right) => (b, l) => {
    const x = left(b, l);
    const y = right(b, l);
    if (typeof x === "bigint" && typeof y === "bigint") return checkedInt(x - y, "_-_");
    if (typeof x === "number" && typeof y === "number") return x - y;
    return dispatch(site, undefined, [x, y]);
  });

const not: Native = (site, operands) => {
  if (operands.length !== 1) return undefined;
  const operand = operands[0]!.run;
  return (b, l) => {
    const value = operand(b, l);
    return typeof value === "boolean" ? !value : dispatch(site, undefined, [value]);
  };
};

/**
 * `x in list` compares with CEL equality; `key in map` asks the map (for a
 * bool, int, uint, double or string key). A constant list of strings becomes
 * a set: only an identical string equals a string.
 */
const membership: Native = (site, operands) => {
  if (operands.length !== 2) return undefined;
  const [element, container] = operands as [Compiled, Compiled];
  const item = element.run;
  const constantList = container.constant?.value;
  const id = site.id;
  if (constantList !== undefined && isStringList(constantList)) {
    const members = new Set<string>(constantList as Iterable<string>);
    return (b, l) => {
      const value = item(b, l);
      // Priced as the planner's `in` over the list, though the set answers at once.
      chargeAt(membershipCost(value, constantList), id);
      return typeof value === "string" && members.has(value);
    };
  }
  const collection = container.run;
  return (b, l) => {
    const value = item(b, l);
    const target = collection(b, l);
    if (typeof target === "object" && target !== null) {
      if (isListObject(target)) {
        chargeAt(membershipCost(value, target), id);
        // By position: what the list's iterator yields, without a generator per test.
        for (let i = 0; i < target.size; i++) if (celEquals(target.get(i), value)) return true;
        return false;
      }
      if (isMapObject(target) && isMapKeyType(value)) return target.has(value as string);
    }
    return dispatch(site, undefined, [value, target]);
  };
};

function isStringList(value: unknown): boolean {
  if (typeof value !== "object" || value === null || !isListObject(value)) return false;
  for (let i = 0; i < value.size; i++) if (typeof value.get(i) !== "string") return false;
  return true;
}

function isMapKeyType(value: unknown): boolean {
  const t = typeof value;
  return t === "string" || t === "bigint" || t === "number" || t === "boolean" || isCelUint(value);
}

/** Operators with a native form, by the function name the parser gives them. */
export const OPERATORS: ReadonlyMap<string, Native> = new Map<string, Native>([
  ["_==_", equality(false)],
  ["_!=_", equality(true)],
  ["_<_", ordering((l, r) => l < r)],
  ["_<=_", ordering((l, r) => l <= r)],
  ["_>_", ordering((l, r) => l > r)],
  ["_>=_", ordering((l, r) => l >= r)],
  ["_+_", add],
  ["_-_", subtract],
  ["!_", not],
  ["@in", membership],
]);
