// Turns ajv's validation errors into problems a person can act on: the path
// in the file, what is wrong with the value found there, and what to write
// instead (quoted from the schema's descriptions).
import type { ErrorObject } from "ajv";
import type { Anchor, ConfigPath } from "./config-path.ts";
import { formatPath, pointerToPath } from "./config-path.ts";

export interface Issue {
  path: ConfigPath;
  anchor: Anchor;
  /** What is wrong and how to fix it, without the path. */
  message: string;
}

/** A value as quoted in a message: short, and typed so `"3"` differs from `3`. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    const quoted = JSON.stringify(value);
    return quoted.length > 60 ? `${quoted.slice(0, 57)}…"` : quoted;
  }
  return String(value);
}

function withArticle(type: string): string {
  const names: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "a string",
    boolean: "a boolean (true or false)",
    integer: "an integer",
    number: "a number",
  };
  return type
    .split(",")
    .map((t) => names[t] ?? t)
    .join(" or ");
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** The allowed key closest to a misspelt one, if it is plausibly a typo. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : levenshtein(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

type SchemaNode = { description?: string; properties?: Record<string, SchemaNode> };

function hint(schema: unknown): string {
  const description = (schema as SchemaNode | undefined)?.description;
  return description ? ` ${description}` : "";
}

function issueFor(error: ErrorObject, data: unknown): Issue | undefined {
  // propertyNames failures come twice: once per inner keyword (with
  // `propertyName` set) and once summarised; keep only the summary.
  if ((error as { propertyName?: string }).propertyName !== undefined) return undefined;
  // An if/then/else failure comes with the failed branch's own errors (a
  // missing key, named); the summary ("must match "else" schema") adds nothing.
  if (error.keyword === "if") return undefined;
  const path = pointerToPath(error.instancePath, data);
  const parent = error.parentSchema as SchemaNode | undefined;
  const found = describeValue(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required": {
      const key = String(params.missingProperty);
      return {
        path: [...path, key],
        anchor: "key",
        message: `required key is missing; add it.${hint(parent?.properties?.[key])}`,
      };
    }
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {});
      const guess = closestKey(key, allowed);
      return {
        path: [...path, key],
        anchor: "key",
        message:
          `unknown key; ${guess ? `did you mean "${guess}"? ` : ""}remove it or fix its spelling` +
          (allowed.length > 0 ? ` (allowed here: ${allowed.join(", ")})` : ""),
      };
    }
    case "type":
      return { path, anchor: "value", message: `is ${found}, must be ${withArticle(String(params.type))}.${hint(parent)}` };
    case "const":
      return { path, anchor: "value", message: `is ${found}, must be ${describeValue(params.allowedValue)}` };
    case "enum":
      return {
        path,
        anchor: "value",
        message: `is ${found}, must be one of ${(params.allowedValues as unknown[]).map(describeValue).join(", ")}`,
      };
    case "pattern":
    case "format":
      return { path, anchor: "value", message: `${found} is not valid.${hint(parent)}` };
    case "minItems":
      return {
        path,
        anchor: "value",
        message: `has ${(error.data as unknown[]).length} item(s), needs at least ${params.limit}.${hint(parent)}`,
      };
    case "maxItems":
      return {
        path,
        anchor: "value",
        message: `has ${(error.data as unknown[]).length} item(s), allows at most ${params.limit}.${hint(parent)}`,
      };
    case "minProperties":
      return { path, anchor: "value", message: `is empty, needs at least ${params.limit} entry.${hint(parent)}` };
    case "uniqueItems": {
      const [first, second] = [Number(params.j), Number(params.i)].sort((a, b) => a - b);
      const value = describeValue((error.data as unknown[])[second]);
      return {
        path: [...path, second],
        anchor: "value",
        message: `repeats ${formatPath([...path, first])} (${value}); remove the duplicate`,
      };
    }
    case "propertyNames":
      return {
        path: [...path, String(params.propertyName)],
        anchor: "key",
        message: `${describeValue(params.propertyName)} is not a valid key here.${hint(parent)}`,
      };
    default:
      return { path, anchor: "value", message: `${error.message ?? "is invalid"}.${hint(parent)}` };
  }
}

export function schemaIssues(errors: readonly ErrorObject[], data: unknown): Issue[] {
  return errors.map((error) => issueFor(error, data)).filter((issue) => issue !== undefined);
}
