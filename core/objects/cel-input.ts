// Converts plain JSON-like data (parsed YAML, Kubernetes objects) into the
// values @bufbuild/cel accepts as input. Maps rather than plain objects so
// CEL sees `map<string, dyn>` with `in` and indexing semantics, and integers
// as bigint so CEL sees `int` (a JS number would be a CEL `double`, and
// `ttl == 300` would compare a double against an int).
import { jsonNumberToCel } from "../../policies/engine/cel-values.ts";

export type CelInputValue = string | boolean | bigint | number | null | readonly CelInputValue[] | ReadonlyMap<string, CelInputValue>;

export function toCelInput(value: unknown): CelInputValue {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
      return value;
    case "number":
      return jsonNumberToCel(value);
    case "undefined":
      return null;
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(toCelInput);
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Map) {
        const out = new Map<string, CelInputValue>();
        for (const [k, v] of value) out.set(String(k), toCelInput(v));
        return out;
      }
      const out = new Map<string, CelInputValue>();
      for (const [k, v] of Object.entries(value)) {
        // An absent optional field must stay absent so `has()` and `in` work.
        if (v !== undefined) out.set(k, toCelInput(v));
      }
      return out;
    }
    default:
      throw new TypeError(`cannot convert a ${typeof value} to a CEL value`);
  }
}
