// The cost model: how many cost units a call charges, from the sizes of its
// inputs (and of the output those inputs can produce), before it runs. It
// follows the Kubernetes CEL cost model (cel-go interpreter/runtimecost.go and
// k8s.io/apiserver/pkg/cel/library/cost.go): traversing a string or bytes
// costs 0.1 unit per character (STRING_TRAVERSAL), a regular expression
// multiplies the text's cost by 0.25 per pattern character (REGEX_LENGTH),
// and a list costs one unit per element it walks. Where Kubernetes prices a
// call by its result (join, replace), the result's size is bounded from the
// inputs here, so the charge comes before the work: a call that would build a
// huge string fails without building it.
//
// Calls whose work does not depend on their inputs' size (arithmetic, `!`,
// type(), a map lookup, a list concatenation, which @bufbuild/cel builds
// lazily) cost nothing: their number is bounded by the expression's length
// times its loop iterations, which the iteration limit bounds.
//
// Both engines charge through these functions: the planner through the
// metered overloads (metered-functions.ts), the fast path in its native forms
// (compiled/costs.ts), so an expression costs the same on either.
import { isCelList, isCelMap } from "@bufbuild/cel";
import type { CelList, CelMap } from "@bufbuild/cel";
import { activeBudget } from "./budget.ts";

export const STRING_TRAVERSAL = 0.1;
export const REGEX_LENGTH = 0.25;
/**
 * What one list element or map entry weighs in a deep size, in characters:
 * walking it costs one unit, as walking a list does everywhere else. A list
 * CEL concatenates lazily can hold 2^40 elements at no cost, so its size is
 * what must be priced, never found by walking it.
 */
const ELEMENT = 1 / STRING_TRAVERSAL;

/** Units to traverse this many characters. */
export function traversal(characters: number): number {
  return characters <= 0 ? 0 : Math.ceil(characters * STRING_TRAVERSAL);
}

/** Length of a string or bytes value, else 0. */
function length(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (value instanceof Uint8Array) return value.length;
  return 0;
}

/** Elements of a list or entries of a map, else 0. */
function count(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  if (isCelList(value)) return value.size;
  if (isCelMap(value)) return value.size;
  return 0;
}

const deepSizes = new WeakMap<object, number>();

/**
 * Everything a deep walk of the value visits, in characters: characters of
 * strings and bytes, plus ELEMENT per list element and map entry, nested.
 * Scalars are 0.
 * Known sizes of lists and maps are kept (values are immutable), so a value
 * shared many times inside another (`[x, x]`) is measured once; the walk
 * stops once past `cap`, so measuring costs no more than the budget left.
 */
export function deepSize(value: unknown, cap: number): number {
  if (typeof value === "string") return value.length;
  if (typeof value !== "object" || value === null) return 0;
  if (value instanceof Uint8Array) return value.length;
  const list = isCelList(value);
  if (!list && !isCelMap(value)) return 0;
  const known = deepSizes.get(value);
  if (known !== undefined) return known;
  // Its elements alone may be past the cap: then it is, without a walk.
  const elements = (value as CelList | CelMap).size * ELEMENT;
  if (elements > cap) return elements;
  let total = 0;
  if (list) {
    const items = value as CelList;
    for (let i = 0; i < items.size; i++) {
      total += ELEMENT + deepSize(items.get(i), cap - total);
      if (total > cap) return total;
    }
  } else {
    for (const [key, item] of value as CelMap) {
      total += ELEMENT + deepSize(key, cap - total) + deepSize(item, cap - total);
      if (total > cap) return total;
    }
  }
  deepSizes.set(value, total);
  return total;
}

/** The units the active budget can still pay for. */
function remainingUnits(): number {
  return activeBudget()?.remainingCost() ?? Number.MAX_SAFE_INTEGER;
}

/** How far a size measurement (in characters) needs to look: just past what the active budget can still pay for. */
function measureCap(): number {
  return remainingUnits() / STRING_TRAVERSAL + 1;
}

function isSized(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value instanceof Uint8Array || isCelList(value) || isCelMap(value));
}

/**
 * `a == b`, `a != b`: values of different kinds are unequal without looking
 * inside, scalars compare at once; two strings, bytes, lists or maps compare
 * at most the smaller one, deeply.
 */
export function equalityCost(a: unknown, b: unknown): number {
  if (typeof a === "string") return typeof b === "string" ? traversal(Math.min(a.length, b.length)) : 0;
  // Scalars first, without a call: most comparisons in policies are of ints, bools and nulls.
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return 0;
  if (!isSized(a) || !isSized(b)) return isTime(a) || isTime(b) ? TIME_OPERATION : 0;
  const cap = measureCap();
  const left = deepSize(a, cap);
  return traversal(Math.min(left, deepSize(b, Math.min(cap, left))));
}

/** `<`, `<=`, `>`, `>=` on strings or bytes: the common prefix, at most the shorter. */
export function orderingCost(a: unknown, b: unknown): number {
  if (isTime(a) || isTime(b)) return TIME_OPERATION;
  return traversal(Math.min(length(a), length(b)));
}

/** `x in list` (and list.indexOf(x)): one unit per element, plus comparing x with each, at most the whole list deeply. */
export function membershipCost(element: unknown, list: unknown): number {
  if (!isCelList(list)) return 0;
  const n = (list as CelList).size;
  if (typeof element !== "string" && !isSized(element)) return n;
  const cap = measureCap();
  const one = deepSize(element, cap);
  return n + traversal(Math.min(one * n, deepSize(list, Math.min(cap, one * n))));
}

/** `a + b`: strings and bytes are copied into the result; lists are concatenated lazily (free). */
export function concatenationCost(a: unknown, b: unknown): number {
  if (isTime(a) || isTime(b)) return TIME_OPERATION;
  return traversal(length(a) + length(b));
}

/**
 * Arithmetic and comparisons of timestamps and durations (protobuf messages,
 * compared and added through BigInt fields) take about 1.3 µs each and have
 * no size to price: 600 of them in a loop body ran 0.8 s before the loop's
 * 1,024th iteration read the clock. Priced like TIME_CALL, by their time.
 */
const TIME_OPERATION = 50;

/** A timestamp or duration (the only messages in hostgate's CEL environment): @bufbuild/cel keeps them as reflected messages. */
function isTime(value: unknown): boolean {
  return typeof value === "object" && value !== null && typeof (value as { desc?: { typeName?: unknown } }).desc?.typeName === "string";
}

/**
 * A string argument matched against a regular expression: (1 + text) x
 * pattern, as Kubernetes prices matches/find/findAll, plus compiling the
 * pattern (patternCompileCost), which happens per call on the planner.
 */
export function regexCost(text: unknown, pattern: unknown): number {
  return traversal(1 + length(text)) * Math.ceil(length(pattern) * REGEX_LENGTH) + patternCompileCost(pattern);
}

/** Patterns longer than this are refused before they are compiled (they cost more than any limit). */
export const MAX_PATTERN_LENGTH = 4096;
/** Units per character of a pattern's program past the free allowance: compiling is far slower per character than reading text. */
const COMPILE_UNIT = 4;
/** Program characters compiled free: every pattern of the library is well within it. */
const FREE_PROGRAM = 256;

/**
 * @bufbuild/re2 compiles in time superlinear in the pattern, and counted
 * repetition (`x{1000}`) copies its operand into the program: measured,
 * `''.matches(p)` with a pattern of 100,000 `(a)` from the object took 99 s,
 * 64 KB of literal text 8 s, `a{1000}` written 2,000 times 0.8 s, while the
 * text-based price was a few thousand units. Each character of the pattern's
 * program (programLength) past FREE_PROGRAM costs COMPILE_UNIT units, and a
 * pattern longer than MAX_PATTERN_LENGTH is refused outright (its compile
 * time grows faster than any per-character price).
 */
export function patternCompileCost(pattern: unknown): number {
  if (typeof pattern !== "string") return 0;
  if (pattern.length > MAX_PATTERN_LENGTH) return Number.MAX_SAFE_INTEGER;
  if (pattern.length <= FREE_PROGRAM && !pattern.includes("{")) return 0;
  return COMPILE_UNIT * Math.max(0, programLength(pattern) - FREE_PROGRAM);
}

/**
 * An upper bound of the pattern's length once every counted repetition is
 * written out (`(ab){3}` counts the group's 4 characters three times), found
 * by one scan that keeps each open group's length so far. Whatever follows a
 * `\` counts as part of its escape; a class `[...]` counts as written.
 */
function programLength(pattern: string): number {
  const groups: number[] = [0];
  let last = 0; // the length of the atom a repetition would apply to
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      last = 2;
      i++;
    } else if (c === "[") {
      const start = i;
      for (i++; i < pattern.length && pattern[i] !== "]"; i++) if (pattern[i] === "\\") i++;
      last = i - start + 1;
    } else if (c === "(") {
      groups.push(0);
      continue;
    } else if (c === ")" && groups.length > 1) {
      last = groups.pop()! + 2;
    } else if (c === "{") {
      const repeat = /^\{(\d{1,4})(?:,(\d{0,4}))?\}/.exec(pattern.slice(i, i + 12));
      if (repeat !== null) {
        const times = Math.max(Number(repeat[1]), repeat[2] ? Number(repeat[2]) : 0);
        // The atom is already counted once; its copies are added.
        groups[groups.length - 1] = Math.min(Number.MAX_SAFE_INTEGER, groups[groups.length - 1]! + last * Math.max(0, times - 1) + repeat[0].length);
        i += repeat[0].length - 1;
        last = 0;
        continue;
      }
      last = 1;
    } else {
      last = 1;
    }
    groups[groups.length - 1]! += last;
  }
  return groups.reduce((total, group) => total + group, 0);
}

/**
 * `s.replace(old, with, n)`, as @bufbuild/cel's strings extension runs it:
 * each replacement rebuilds the whole result, so the work is the number of
 * replacements times the result's length. The number is counted exactly (one
 * scan of the text, non-overlapping, as the implementation finds them); an
 * empty `old` is "found" n times (default: the text's length).
 */
function replaceCost(text: unknown, old: unknown, replacement: unknown, limit: unknown): number {
  if (typeof text !== "string" || typeof old !== "string" || typeof replacement !== "string") return 0;
  const most = limit === undefined ? text.length : typeof limit === "bigint" ? Number(limit) : 0;
  let found = 0;
  if (old === "") {
    found = Math.max(0, most);
  } else {
    for (let at = text.indexOf(old); at !== -1 && found < most; at = text.indexOf(old, at + old.length)) found++;
  }
  const output = text.length + found * (replacement.length - old.length);
  return traversal(text.length) + found * traversal(Math.max(output, text.length));
}

/** At most how many parts `s.split(separator, n)` produces: one per character for an empty separator. */
function splitParts(s: number, separator: number, limit: bigint | undefined): number {
  let parts = separator === 0 ? s : Math.floor(s / separator) + 1;
  if (limit !== undefined && limit >= 0n && BigInt(parts) > limit) parts = Number(limit);
  return parts;
}

/**
 * The exact length `list.join(separator)` produces (0 for a list it will
 * refuse), found by a walk that stops once past `cap`: what is past it cannot
 * be paid for anyway.
 */
function joinOutput(list: unknown, separator: unknown, cap: number): number {
  if (!isCelList(list)) return 0;
  const items = list as CelList;
  let total = items.size > 1 ? (items.size - 1) * length(separator) : 0;
  for (let i = 0; i < items.size && total <= cap; i++) total += length(items.get(i));
  return total;
}

/** Sum of the lengths of every string argument (receiver included). */
function stringArguments(target: unknown, a: unknown, b: unknown, c: unknown): number {
  return length(target) + length(a) + length(b) + length(c);
}

/**
 * The characters of a list's string and bytes elements, counted until past
 * what the budget can still pay for. Shallow: the functions priced with it
 * (the list library, apexOf) refuse or stop at an element that is itself a
 * list or map, so its contents are never walked.
 */
function elementCharacters(list: CelList): number {
  // One unit per element is charged besides: a list too long for the budget is refused unwalked.
  if (list.size > remainingUnits()) return 0;
  const cap = measureCap();
  let total = 0;
  for (let i = 0; i < list.size && total <= cap; i++) total += length(list.get(i));
  return total;
}

/** A list walked once, each element compared (by CEL `<` or `+`) with a neighbour: one unit each, plus their characters. */
function listWalk(list: unknown): number {
  if (!isCelList(list)) return 0;
  return (list as CelList).size + traversal(elementCharacters(list as CelList));
}

/** apexOf(name, apexes): the name against each apex. */
function apexOfCost(name: unknown, apexes: unknown): number {
  if (!isCelList(apexes)) return 0;
  const list = apexes as CelList;
  return list.size + traversal(length(name) * list.size + elementCharacters(list));
}

/** Digits past which an integer cannot be in range (unless zero-padded): 64 bits are at most 20 decimal digits, 64 binary. */
const INTEGER_DIGITS = 64;
/** Units per character past INTEGER_DIGITS: the standard library parses the whole string into a BigInt before its range check, about 75 ns a digit. */
const BIGINT_DIGIT = 4;

/**
 * int(s), uint(s): the string is read, and a string longer than any integer
 * in range is also parsed whole (1,000,000 digits took 75 ms, 8,000,000 built
 * through variables about 0.9 s, at 100,000 and 800,000 units of traversal):
 * each character past INTEGER_DIGITS costs BIGINT_DIGIT units. Other arguments (doubles, timestamps) cost nothing.
 */
function integerParseCost(value: unknown): number {
  if (typeof value !== "string") return 0;
  return traversal(value.length) + BIGINT_DIGIT * Math.max(0, value.length - INTEGER_DIGITS);
}

/**
 * Timestamps and durations are protobuf messages built and read through
 * Intl and Date: about 10 µs a call, 37 µs with a time zone argument, and
 * with no input size to price they cost nothing, so an expression repeating
 * them 220 times ran 8.4 s inside one loop before its 1,024th iteration read
 * the clock. A fixed price per call keeps their cost in step with their time
 * (about 25 ns a unit, as reading text is), so the clock is read as they run.
 */
const TIME_CALL = 400;
const TIME_ZONE_CALL = 1500;
const TIME_ACCESSORS = [
  "getDate",
  "getDayOfMonth",
  "getDayOfWeek",
  "getDayOfYear",
  "getFullYear",
  "getHours",
  "getMilliseconds",
  "getMinutes",
  "getMonth",
  "getSeconds",
];

/** What a call of `name` costs, from its receiver and arguments (by position; missing ones undefined). No call has more than three. */
export type CostRule = (target: unknown, a: unknown, b: unknown, c: unknown) => number;

const linearInStrings: CostRule = (target, a, b, c) => traversal(stringArguments(target, a, b, c));

/**
 * Rules by function name; a function without a rule costs nothing. A rule
 * applies to every overload of its name, so it must answer for any argument
 * types (an overload that will refuse them costs what its sizes say, harmlessly).
 */
export const COST_RULES: ReadonlyMap<string, CostRule> = new Map<string, CostRule>([
  ["_==_", (_t, a, b) => equalityCost(a, b)],
  ["_!=_", (_t, a, b) => equalityCost(a, b)],
  ["_<_", (_t, a, b) => orderingCost(a, b)],
  ["_<=_", (_t, a, b) => orderingCost(a, b)],
  ["_>_", (_t, a, b) => orderingCost(a, b)],
  ["_>=_", (_t, a, b) => orderingCost(a, b)],
  ["_+_", (_t, a, b) => concatenationCost(a, b)],
  ["_-_", (_t, a, b) => (isTime(a) || isTime(b) ? TIME_OPERATION : 0)],
  ["@in", (_t, element, container) => membershipCost(element, container)],
  // Counting code points walks the string; lists and maps know their size.
  [
    "size",
    (target, a) => {
      const value = target ?? a;
      return typeof value === "string" ? traversal(value.length) : 0;
    },
  ],
  ["contains", (target, part) => traversal(length(target)) * traversal(length(part))],
  // At most the prefix (suffix) is compared.
  ["startsWith", (target, prefix) => traversal(Math.min(length(target), length(prefix)))],
  ["endsWith", (target, suffix) => traversal(Math.min(length(target), length(suffix)))],
  ["matches", (target, pattern) => regexCost(target, pattern)],
  ["find", (target, pattern) => regexCost(target, pattern)],
  ["findAll", (target, pattern) => regexCost(target, pattern)],
  // The strings extension builds these a character at a time: a unit per character.
  ["lowerAscii", (target) => length(target)],
  ["upperAscii", (target) => length(target)],
  ["trim", linearInStrings],
  ["substring", linearInStrings],
  ["charAt", linearInStrings],
  ["indexOf", (target, a, b, c) => (isCelList(target) ? membershipCost(a, target) : linearInStrings(target, a, b, c))],
  ["lastIndexOf", (target, a, b, c) => (isCelList(target) ? membershipCost(a, target) : linearInStrings(target, a, b, c))],
  // Priced from the text before a character of the result is built.
  ["replace", (target, old, replacement, limit) => replaceCost(target, old, replacement, limit)],
  // The text is read and copied into parts, and every part is a new string.
  ["split", (target, separator, limit) => traversal(2 * length(target)) + splitParts(length(target), length(separator), limit as bigint | undefined)],
  [
    "join",
    (target, separator) => {
      // The elements first: a list too long for the budget is refused before a walk of it.
      const elements = count(target);
      return elements > remainingUnits() ? elements : traversal(2 * joinOutput(target, separator, measureCap())) + elements;
    },
  ],
  ["format", (target, values) => traversal(length(target) + deepSize(values, measureCap()))],
  ["strings.quote", (_t, text) => 2 * length(text)],
  // Timestamps and durations: a fixed price per call, plus the string parsed (see TIME_CALL).
  ["timestamp", (target, a) => TIME_CALL + linearInStrings(target, a, undefined, undefined)],
  ["duration", (target, a) => TIME_CALL + linearInStrings(target, a, undefined, undefined)],
  ...TIME_ACCESSORS.map((name): [string, CostRule] => [name, (_t, zone) => (zone === undefined ? TIME_CALL : TIME_ZONE_CALL + traversal(length(zone)))]),
  // Conversions parse or copy a string or bytes.
  ["string", linearInStrings],
  ["bytes", linearInStrings],
  ["int", (target, a) => integerParseCost(a ?? target)],
  ["uint", (target, a) => integerParseCost(a ?? target)],
  ["double", linearInStrings],
  ["bool", linearInStrings],
  // The Kubernetes list library: one walk of the list.
  ["isSorted", (target) => listWalk(target)],
  ["sum", (target) => listWalk(target)],
  ["min", (target) => listWalk(target)],
  ["max", (target) => listWalk(target)],
  // hostgate's hostname, IP and CIDR functions parse their string arguments.
  ["isHostname", linearInStrings],
  ["isWildcardHostname", linearInStrings],
  ["grantCovers", linearInStrings],
  ["hostnameUnder", linearInStrings],
  ["labelsBelow", linearInStrings],
  ["hostnameWithoutPort", linearInStrings],
  ["apexOf", (_t, name, apexes) => apexOfCost(name, apexes)],
  ["isIP", linearInStrings],
  ["ip", linearInStrings],
  ["family", linearInStrings],
  ["isLoopback", linearInStrings],
  ["isUnspecified", linearInStrings],
  ["isLinkLocalUnicast", linearInStrings],
  ["isLinkLocalMulticast", linearInStrings],
  ["isMulticast", linearInStrings],
  ["isGlobalUnicast", linearInStrings],
  ["isBroadcast", linearInStrings],
  ["isPrivate", linearInStrings],
  ["isCIDR", linearInStrings],
  ["cidr", linearInStrings],
  ["containsIP", linearInStrings],
  ["containsCIDR", linearInStrings],
  ["prefixLength", linearInStrings],
  ["masked", linearInStrings],
]);
