// Random CEL expressions for the differential fuzzing (fuzz.ts), from the
// subset the closure compiler accepts: literals of every scalar type, list
// and map literals, field selection, indexing, has(), every operator,
// conditionals, the string, list, conversion and hostgate functions, and the
// macros. Most are ill-typed on most inputs on purpose: errors, absorbed or
// not, must match as exactly as values do.
import { FIELD_NAMES } from "./fuzz-inputs.ts";
import type { Random } from "./fuzz-random.ts";

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
const MACROS = ["all", "exists", "exists_one", "map", "filter"];

export class ExpressionGenerator {
  readonly #random: Random;
  readonly #variables: readonly string[];

  /** @param variables names readable as `variables.<name>` (a module's earlier variables). */
  constructor(random: Random, variables: readonly string[] = []) {
    this.#random = random;
    this.#variables = variables;
  }

  expression(depth: number, locals: readonly string[] = []): string {
    const r = this.#random;
    if (depth <= 0) return this.#leaf(locals);
    switch (r.below(12)) {
      case 0:
        return this.#leaf(locals);
      case 1:
      case 2:
        return `(${this.expression(depth - 1, locals)} ${r.pick(BINARY)} ${this.expression(depth - 1, locals)})`;
      case 3:
        return `(${this.expression(depth - 1, locals)} ? ${this.expression(depth - 1, locals)} : ${this.expression(depth - 1, locals)})`;
      case 4:
        return r.chance(0.5) ? `!${this.expression(depth - 1, locals)}` : `-${this.expression(depth - 1, locals)}`;
      case 5:
        return this.#call(depth, locals);
      case 6:
        return this.#macro(depth, locals);
      case 7:
        return `${this.#path(locals)}[${this.expression(depth - 1, locals)}]`;
      case 8:
        return `[${this.#some(depth, locals).join(", ")}]`;
      case 9:
        return `{${this.#some(depth, locals)
          .map((value) => `${this.#leaf(locals)}: ${value}`)
          .join(", ")}}`;
      case 10:
        return `type(${this.expression(depth - 1, locals)}) == ${r.pick(TYPES)}`;
      default:
        return `has(${this.#path(locals)}.${this.#field()})`;
    }
  }

  #some(depth: number, locals: readonly string[]): string[] {
    return Array.from({ length: this.#random.below(4) }, () => this.expression(depth - 1, locals));
  }

  #field(): string {
    // Identifiers only: `a.b` and non-ASCII names are reached by index instead.
    return this.#random.pick(["name", "s", "n", "items", "labels", "map", "list", "host", "__proto__", "constructor", "toString", "hasOwnProperty"]);
  }

  #path(locals: readonly string[]): string {
    const r = this.#random;
    let path = locals.length > 0 && r.chance(0.4) ? r.pick(locals) : r.pick(ROOTS);
    if (this.#variables.length > 0 && r.chance(0.2)) path = `variables.${r.pick(this.#variables)}`;
    const steps = r.below(3);
    for (let i = 0; i < steps; i++) path += r.chance(0.8) ? `.${this.#field()}` : `[${JSON.stringify(r.pick(FIELD_NAMES)).replace(/"/g, "'")}]`;
    return path;
  }

  #leaf(locals: readonly string[]): string {
    return this.#random.chance(0.5) ? this.#random.pick(LITERALS) : this.#path(locals);
  }

  #call(depth: number, locals: readonly string[]): string {
    const r = this.#random;
    const x = (): string => this.expression(depth - 1, locals);
    switch (r.below(14)) {
      case 0:
        return r.chance(0.5) ? `size(${x()})` : `${x()}.size()`;
      case 1:
        return `${x()}.${r.pick(["contains", "startsWith", "endsWith", "indexOf", "lastIndexOf"])}(${x()})`;
      case 2:
        return `${x()}.${r.pick(["matches", "find", "findAll"])}(${r.pick(PATTERNS)})`;
      case 3:
        return `${x()}.${r.pick(["lowerAscii", "upperAscii", "trim"])}()`;
      case 4:
        return `${x()}.split(${r.pick(["','", "''", x()])})`;
      case 5:
        return `${x()}.join(${r.chance(0.5) ? "','" : ""})`;
      case 6:
        return `${x()}.replace(${x()}, ${r.pick(["'-'", "''", x()])})`;
      case 7:
        return `${r.pick(["int", "uint", "double", "string", "bool", "bytes", "dyn"])}(${x()})`;
      case 8:
        return `${r.pick(["isHostname", "isWildcardHostname", "isIP", "isCIDR", "hostnameWithoutPort"])}(${x()})`;
      case 9:
        return `${r.pick(["grantCovers", "hostnameUnder", "labelsBelow"])}(${x()}, ${x()})`;
      case 10:
        return `${x()}.${r.pick(["min", "max", "sum", "isSorted"])}()`;
      case 11:
        return `${x()}.substring(${r.pick(["0", "1", "-1", x()])})`;
      case 12:
        return `apexOf(${x()}, ${r.chance(0.5) ? "['example.com', 'b.example.com']" : x()})`;
      default:
        return `${x()}.${r.pick(["isLoopback", "isPrivate", "family", "prefixLength", "masked"])}()`;
    }
  }

  #macro(depth: number, locals: readonly string[]): string {
    const r = this.#random;
    const variable = r.pick(["e", "k", "__proto__x", "v"]);
    const inner = [...locals, variable];
    const range = r.chance(0.7) ? this.#path(locals) : this.expression(depth - 1, locals);
    const macro = r.pick(MACROS);
    if (macro === "map" && r.chance(0.3)) return `${range}.map(${variable}, ${this.expression(depth - 1, inner)}, ${this.expression(depth - 1, inner)})`;
    return `${range}.${macro}(${variable}, ${this.expression(depth - 1, inner)})`;
  }
}
