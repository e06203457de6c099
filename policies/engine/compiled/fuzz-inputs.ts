// Hostile admission objects for the differential fuzzing (fuzz.ts): fields
// missing, null or of the wrong type, huge and negative numbers, unicode,
// prototype-named keys and deep nesting. Every object is JSON, as a webhook
// receives it (built through JSON.parse, so `__proto__` is an own key).
import type { Random } from "./fuzz-random.ts";

/** The keys expressions read (fuzz-expressions.ts uses the same), prototype names included. */
export const FIELD_NAMES = ["name", "s", "n", "items", "labels", "map", "list", "host", "__proto__", "constructor", "toString", "hasOwnProperty", "ünï", "a.b"] as const;

const STRINGS = [
  "",
  "a",
  "A.Example.COM",
  "www.example.com",
  "*.example.com",
  "10.0.0.1",
  "::1",
  "10.0.0.0/8",
  "a,b,,c",
  " padded ",
  "ünïcödé",
  "😀🎉",
  "\u0000nul",
  "line\nbreak",
  "__proto__",
  "constructor",
  "9223372036854775807",
  "-1",
  "1.5",
  "true",
  "x".repeat(300),
];

const NUMBERS = [0, 1, -1, 2, 42, -42, 1.5, -0.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 9007199254740991, 4294967296, 1e-300, 123456789012];

function scalar(random: Random): unknown {
  switch (random.below(5)) {
    case 0:
      return random.pick(STRINGS);
    case 1:
      return random.pick(NUMBERS);
    case 2:
      return random.chance(0.5);
    case 3:
      return null;
    default:
      return random.pick(STRINGS) + String(random.below(10));
  }
}

/** A JSON value: mostly scalars near the top of the budget, nesting up to `depth`. */
export function jsonValue(random: Random, depth: number): unknown {
  if (depth <= 0 || random.chance(0.45)) return scalar(random);
  if (random.chance(0.5)) {
    const length = random.below(5);
    return Array.from({ length }, () => jsonValue(random, depth - 1));
  }
  return jsonObject(random, depth - 1, random.below(5));
}

function jsonObject(random: Random, depth: number, fields: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < fields; i++) {
    // defineProperty: a plain assignment to `__proto__` would set the prototype instead of a key.
    Object.defineProperty(out, random.pick(FIELD_NAMES), { value: jsonValue(random, depth), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A deeply nested value: lists and maps 30 to 60 levels down. */
function deep(random: Random): unknown {
  let value: unknown = scalar(random);
  const levels = 30 + random.below(30);
  for (let i = 0; i < levels; i++) value = random.chance(0.5) ? [value] : { items: value };
  return value;
}

/** A DomainRoute-shaped object whose spec is whatever the generator chose, through JSON text. */
export function admissionObject(random: Random): unknown {
  const spec = jsonObject(random, 3, random.below(7));
  if (random.chance(0.15)) Object.defineProperty(spec, random.pick(FIELD_NAMES), { value: deep(random), enumerable: true, writable: true, configurable: true });
  const metadata: Record<string, unknown> = { name: random.pick(STRINGS), namespace: random.chance(0.8) ? "team-a" : random.pick(STRINGS) };
  if (random.chance(0.5)) metadata.labels = jsonObject(random, 1, random.below(4));
  const object = random.chance(0.05) ? scalar(random) : { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata, spec };
  return JSON.parse(JSON.stringify(object));
}
