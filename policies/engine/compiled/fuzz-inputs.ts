// Hostile admission objects for the differential fuzzing (fuzz.ts), as
// fast-check arbitraries so a failing input shrinks: fields missing, null or
// of the wrong type, huge and negative numbers, unicode, prototype-named keys
// and deep nesting. Every object is JSON, as a webhook receives it (built
// through JSON.parse, so `__proto__` is an own key).
import fc from "fast-check";

/** The keys expressions read (fuzz-expressions.ts uses the same), prototype names included. */
export const FIELD_NAMES = [
  "name",
  "s",
  "n",
  "items",
  "labels",
  "map",
  "list",
  "host",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "ünï",
  "a.b",
] as const;

export const STRINGS = [
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

/** `true` with probability `p` (in hundredths); shrinks towards `false`. */
export function chance(p: number): fc.Arbitrary<boolean> {
  return fc.integer({ min: 0, max: 99 }).map((n) => n >= 100 - Math.round(p * 100));
}

/** A JSON scalar: a hostile string (or one with a digit appended), a number at an edge, a boolean or null. */
export const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(...NUMBERS),
  fc.boolean(),
  fc.constant(null),
  fc.tuple(fc.constantFrom(...STRINGS), fc.integer({ min: 0, max: 9 })).map(([s, n]) => s + String(n)),
);

/** An object keyed by the field names expressions read (fc.dictionary defines `__proto__` as an own key). */
function objectOf(value: fc.Arbitrary<unknown>, maxKeys: number): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.constantFrom(...FIELD_NAMES), value, { maxKeys, noNullPrototype: true });
}

/** A JSON value nested up to `depth` levels, mostly scalars. */
export function jsonValue(depth: number): fc.Arbitrary<unknown> {
  const depthIdentifier = fc.createDepthIdentifier();
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { maxDepth: depth, depthIdentifier, depthSize: "small", withCrossShrink: true },
      { arbitrary: scalar, weight: 9 },
      { arbitrary: fc.array(tie("value"), { maxLength: 4 }), weight: 5 },
      { arbitrary: objectOf(tie("value"), 4), weight: 5 },
    ),
  }));
  return value;
}

/** A deeply nested value: lists and maps 30 to 60 levels down (one boolean a level: list or map). */
const deep: fc.Arbitrary<unknown> = fc
  .tuple(scalar, fc.array(fc.boolean(), { minLength: 30, maxLength: 60 }))
  .map(([leaf, levels]) => levels.reduce<unknown>((value, list) => (list ? [value] : { items: value }), leaf));

/** Through JSON text, as the API server sends it. */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** A DomainRoute-shaped object whose spec is whatever the generator chose (now and then not an object at all). */
export const admissionObject: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 19,
    arbitrary: fc
      .record({
        spec: objectOf(jsonValue(3), 6),
        // A deep value under one of the spec's keys, in about 15% of objects.
        deep: fc.oneof({ weight: 17, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...FIELD_NAMES), deep) }),
        name: fc.constantFrom(...STRINGS),
        namespace: fc.oneof({ weight: 4, arbitrary: fc.constant("team-a") }, { weight: 1, arbitrary: fc.constantFrom(...STRINGS) }),
        labels: fc.option(objectOf(jsonValue(1), 3), { nil: undefined }),
      })
      .map(({ spec, deep, name, namespace, labels }) => {
        // defineProperty: a plain assignment to `__proto__` would set the prototype instead of a key.
        if (deep !== undefined) Object.defineProperty(spec, deep[0], { value: deep[1], enumerable: true, writable: true, configurable: true });
        const metadata = { name, namespace, ...(labels !== undefined ? { labels } : {}) };
        return asJson({ apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata, spec });
      }),
  },
  { weight: 1, arbitrary: scalar },
);
