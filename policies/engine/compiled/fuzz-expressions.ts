// Random CEL expressions for the differential fuzzing (fuzz.ts), as a
// fast-check arbitrary so a failing expression shrinks, from the subset the
// closure compiler accepts: literals of every scalar type, list and map
// literals, field selection, indexing, has(), every operator, conditionals,
// the string, list, conversion and hostgate functions, and the macros. Most
// are ill-typed on most inputs on purpose: errors, absorbed or not, must
// match as exactly as values do.
//
// The tree is generated as functions of the macro variables in scope, so a
// path can read a bound macro variable and shrinking keeps it bound.
import fc from "fast-check";
import { chance, FIELD_NAMES } from "./fuzz-inputs.ts";

const LITERALS = [
  "0",
  "1",
  "-1",
  "2",
  "9223372036854775807",
  "-9223372036854775808",
  "1u",
  "18446744073709551615u",
  "0.0",
  "-0.0",
  "1.5",
  "1e308",
  "''",
  "'a'",
  "'A.Example.COM'",
  "'ünï'",
  "'😀'",
  "'__proto__'",
  "'constructor'",
  "'a,b'",
  "'10.0.0.1'",
  "b'ab'",
  "true",
  "false",
  "null",
  "[]",
  "{}",
];
const ROOTS = ["object", "object.spec", "object.metadata", "oldObject", "request", "config", "cluster"];
const TYPES = ["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"];
const BINARY = ["==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "&&", "||", "in"];
const PATTERNS = ["'^[a-z]+$'", "'[0-9]+'", "'a|ab'", "'(x)*'", "'.'", "'^$'"];
const MACROS = ["all", "exists", "exists_one", "map", "filter"] as const;
// Identifiers only: `a.b` and non-ASCII names are reached by index instead.
const FIELDS = ["name", "s", "n", "items", "labels", "map", "list", "host", "__proto__", "constructor", "toString", "hasOwnProperty"];

/** An expression given the macro variables in scope (innermost last). */
type Render = (locals: readonly string[]) => string;

const text =
  (source: string): Render =>
  () =>
    source;
const word = (words: readonly string[]): fc.Arbitrary<string> => fc.constantFrom(...words);

/** `.field` (mostly) or `['key']`, the key any field name. */
const step: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: word(FIELDS).map((field) => `.${field}`) },
  { weight: 1, arbitrary: word(FIELD_NAMES).map((key) => `[${JSON.stringify(key).replace(/"/g, "'")}]`) },
);

/** A root (a bound macro variable, a module variable or a binding) and up to two steps. */
function pathArbitrary(variables: readonly string[]): fc.Arbitrary<Render> {
  return fc
    .record({
      local: chance(0.4),
      localIndex: fc.nat(),
      root: word(ROOTS),
      variable: variables.length > 0 ? chance(0.2) : fc.constant(false),
      variableIndex: fc.nat(),
      steps: fc.array(step, { maxLength: 2 }),
    })
    .map(
      ({ local, localIndex, root, variable, variableIndex, steps }): Render =>
        (locals) => {
          let path = local && locals.length > 0 ? locals[localIndex % locals.length]! : root;
          if (variable) path = `variables.${variables[variableIndex % variables.length]}`;
          return path + steps.join("");
        },
    );
}

interface Tree {
  expression: Render;
  leaf: Render;
  call: Render;
  macro: Render;
}

function build(variables: readonly string[], maxDepth: number): fc.Arbitrary<string> {
  const path = pathArbitrary(variables);
  const depthIdentifier = fc.createDepthIdentifier();
  const { expression } = fc.letrec<Tree>((tie) => {
    // The loosely typed tie (the typed builder does not accept function-valued trees).
    const x = tie("expression") as fc.Arbitrary<Render>;
    const leaf = tie("leaf") as fc.Arbitrary<Render>;
    const some = fc.array(x, { maxLength: 3 });
    const each = (parts: Render[], locals: readonly string[]): string[] => parts.map((part) => part(locals));
    return {
      // At maxDepth only the first (a leaf) is chosen, so every expression ends.
      expression: fc.oneof(
        { maxDepth, depthIdentifier, depthSize: "small", withCrossShrink: true },
        leaf,
        {
          weight: 2,
          arbitrary: fc.tuple(x, word(BINARY), x).map(
            ([a, op, b]): Render =>
              (l) =>
                `(${a(l)} ${op} ${b(l)})`,
          ),
        },
        // Both sides the same: equal operands (`x <= x`, `x - x`, `x % x`) are otherwise rare.
        fc.tuple(x, word(BINARY)).map(
          ([a, op]): Render =>
            (l) =>
              `(${a(l)} ${op} ${a(l)})`,
        ),
        fc.tuple(x, x, x).map(
          ([c, a, b]): Render =>
            (l) =>
              `(${c(l)} ? ${a(l)} : ${b(l)})`,
        ),
        fc.tuple(word(["!", "-"]), x).map(
          ([op, a]): Render =>
            (l) =>
              `${op}${a(l)}`,
        ),
        tie("call") as fc.Arbitrary<Render>,
        tie("macro") as fc.Arbitrary<Render>,
        fc.tuple(path, x).map(
          ([p, i]): Render =>
            (l) =>
              `${p(l)}[${i(l)}]`,
        ),
        some.map(
          (items): Render =>
            (l) =>
              `[${each(items, l).join(", ")}]`,
        ),
        fc.array(fc.tuple(leaf, x), { maxLength: 3 }).map(
          (entries): Render =>
            (l) =>
              `{${entries.map(([k, v]) => `${k(l)}: ${v(l)}`).join(", ")}}`,
        ),
        fc.tuple(x, word(TYPES)).map(
          ([a, type]): Render =>
            (l) =>
              `type(${a(l)}) == ${type}`,
        ),
        fc.tuple(path, word(FIELDS)).map(
          ([p, field]): Render =>
            (l) =>
              `has(${p(l)}.${field})`,
        ),
      ),
      leaf: fc.oneof(word(LITERALS).map(text), path),
      call: fc.oneof(
        fc.tuple(fc.boolean(), x).map(
          ([global, a]): Render =>
            (l) =>
              global ? `size(${a(l)})` : `${a(l)}.size()`,
        ),
        fc.tuple(x, word(["contains", "startsWith", "endsWith", "indexOf", "lastIndexOf"]), x).map(
          ([a, f, b]): Render =>
            (l) =>
              `${a(l)}.${f}(${b(l)})`,
        ),
        fc.tuple(x, word(["matches", "find", "findAll"]), word(PATTERNS)).map(
          ([a, f, p]): Render =>
            (l) =>
              `${a(l)}.${f}(${p})`,
        ),
        fc.tuple(x, word(["lowerAscii", "upperAscii", "trim"])).map(
          ([a, f]): Render =>
            (l) =>
              `${a(l)}.${f}()`,
        ),
        fc.tuple(x, fc.oneof(word(["','", "''"]).map(text), x)).map(
          ([a, s]): Render =>
            (l) =>
              `${a(l)}.split(${s(l)})`,
        ),
        fc.tuple(x, fc.boolean()).map(
          ([a, comma]): Render =>
            (l) =>
              `${a(l)}.join(${comma ? "','" : ""})`,
        ),
        fc.tuple(x, x, fc.oneof(word(["'-'", "''"]).map(text), x)).map(
          ([a, b, c]): Render =>
            (l) =>
              `${a(l)}.replace(${b(l)}, ${c(l)})`,
        ),
        fc.tuple(word(["int", "uint", "double", "string", "bool", "bytes", "dyn"]), x).map(
          ([f, a]): Render =>
            (l) =>
              `${f}(${a(l)})`,
        ),
        fc.tuple(word(["isHostname", "isWildcardHostname", "isIP", "isCIDR", "hostnameWithoutPort"]), x).map(
          ([f, a]): Render =>
            (l) =>
              `${f}(${a(l)})`,
        ),
        fc.tuple(word(["grantCovers", "hostnameUnder", "labelsBelow"]), x, x).map(
          ([f, a, b]): Render =>
            (l) =>
              `${f}(${a(l)}, ${b(l)})`,
        ),
        fc.tuple(x, word(["min", "max", "sum", "isSorted"])).map(
          ([a, f]): Render =>
            (l) =>
              `${a(l)}.${f}()`,
        ),
        fc.tuple(x, fc.oneof(word(["0", "1", "-1"]).map(text), x)).map(
          ([a, i]): Render =>
            (l) =>
              `${a(l)}.substring(${i(l)})`,
        ),
        fc.tuple(x, fc.oneof(fc.constant(text("['example.com', 'b.example.com']")), x)).map(
          ([a, b]): Render =>
            (l) =>
              `apexOf(${a(l)}, ${b(l)})`,
        ),
        fc.tuple(x, word(["isLoopback", "isPrivate", "family", "prefixLength", "masked"])).map(
          ([a, f]): Render =>
            (l) =>
              `${a(l)}.${f}()`,
        ),
      ),
      // The range is read in the outer scope, the body (and map's filter) with the macro variable bound.
      macro: fc
        .record({
          variable: word(["e", "k", "__proto__x", "v"]),
          range: fc.oneof({ weight: 7, arbitrary: path }, { weight: 3, arbitrary: x }),
          macro: word(MACROS),
          // map with a filter in about 30% of maps.
          filter: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: x }),
          body: x,
        })
        .map(
          ({ variable, range, macro, filter, body }): Render =>
            (l) => {
              const inner = [...l, variable];
              const args = macro === "map" && filter !== undefined ? [filter(inner), body(inner)] : [body(inner)];
              return `${range(l)}.${macro}(${variable}, ${args.join(", ")})`;
            },
        ),
    };
  });
  return expression.map((render) => render([]));
}

const cache = new Map<string, fc.Arbitrary<string>>();

/**
 * Expressions nested up to `maxDepth` operators deep.
 * @param variables names readable as `variables.<name>` (a module's earlier variables).
 */
export function expressionArbitrary(maxDepth: number, variables: readonly string[] = []): fc.Arbitrary<string> {
  const key = `${maxDepth}:${variables.join(",")}`;
  let arbitrary = cache.get(key);
  if (arbitrary === undefined) {
    arbitrary = build(variables, maxDepth);
    cache.set(key, arbitrary);
  }
  return arbitrary;
}
