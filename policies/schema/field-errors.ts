// Field errors rendered the way the API server renders them
// (k8s.io/apimachinery/pkg/util/validation/field), so `hostgate check` prints
// the same lines a user would see from `kubectl apply`.

/** metav1.CauseType of each kind of field error, as the API server reports it in status causes. */
export type CauseType =
  | "FieldValueRequired"
  | "FieldValueNotSupported"
  | "FieldValueInvalid"
  | "FieldValueTypeInvalid"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueForbidden"
  | "FieldValueDuplicate"
  | "InternalError";

export interface SchemaViolation {
  /** Field path in API server style: `spec.rules[0].paths`, or `<nil>` for the object itself. */
  field: string;
  /** The whole line, as the API server prints it: `spec.lb: Required value`. */
  message: string;
  /** The line without the field: `Required value`. */
  detail: string;
  reason: CauseType;
}

/** The API server's name for the object itself (a nil field.Path). */
export const ROOT_FIELD = "<nil>";

function make(field: string, body: string, reason: CauseType): SchemaViolation {
  return { field, message: `${field}: ${body}`, detail: body, reason };
}

function withDetail(head: string, detail: string | undefined): string {
  return detail === undefined || detail === "" ? head : `${head}: ${detail}`;
}

export function required(field: string, detail?: string): SchemaViolation {
  return make(field, withDetail("Required value", detail), "FieldValueRequired");
}

export function forbidden(field: string, detail?: string): SchemaViolation {
  return make(field, withDetail("Forbidden", detail), "FieldValueForbidden");
}

export function invalid(field: string, value: unknown, detail?: string): SchemaViolation {
  return make(field, withDetail(`Invalid value: ${goValue(value)}`, detail), "FieldValueInvalid");
}

/** A wrong JSON type or string format; it prints like Invalid but stops CEL rules from running. */
export function typeInvalid(field: string, value: unknown, detail?: string): SchemaViolation {
  return make(field, withDetail(`Invalid value: ${goValue(value)}`, detail), "FieldValueTypeInvalid");
}

export function notSupported(field: string, value: unknown, supported: readonly unknown[]): SchemaViolation {
  const list = supported.map((v) => goQuote(typeof v === "string" ? v : JSON.stringify(v))).join(", ");
  return make(field, withDetail(`Unsupported value: ${goValue(value)}`, list === "" ? "" : `supported values: ${list}`), "FieldValueNotSupported");
}

/** field.TooLongMaxLength: the value itself is not printed. */
export function tooLong(field: string, maxLength: number): SchemaViolation {
  const detail = maxLength >= 0 ? `may not be longer than ${maxLength}` : "value is too long";
  return make(field, `Too long: ${detail}`, "FieldValueTooLong");
}

export function tooMany(field: string, actual: number, max: number): SchemaViolation {
  const detail = max >= 0 ? `must have at most ${max} items` : "has too many items";
  return make(field, `Too many: ${actual >= 0 ? actual : "<omitted>"}: ${detail}`, "FieldValueTooMany");
}

export function duplicate(field: string, value: unknown): SchemaViolation {
  return make(field, `Duplicate value: ${goValue(value)}`, "FieldValueDuplicate");
}

export function internalError(field: string, detail: string): SchemaViolation {
  return make(field, `Internal error: ${detail}`, "InternalError");
}

/**
 * The error kinds after which the API server does not run CEL rules: the
 * object does not have the shape the rules were written for.
 */
export function isBlocking(violation: SchemaViolation): boolean {
  switch (violation.reason) {
    case "FieldValueNotSupported":
    case "FieldValueRequired":
    case "FieldValueTooLong":
    case "FieldValueTooMany":
    case "FieldValueTypeInvalid":
      return true;
    default:
      return false;
  }
}

/** The error the API server adds in place of the CEL rules it skipped. */
export function rulesNotChecked(): SchemaViolation {
  return invalid(ROOT_FIELD, null, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");
}

/**
 * A bad value as field.Error prints it: strings quoted like Go's %q, numbers
 * and booleans bare, null as "null", and anything else as JSON (Go prints
 * its own struct syntax there, which no reader needs).
 */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return goQuote("null");
  switch (typeof value) {
    case "string":
      return goQuote(value);
    case "number":
      return goNumber(value);
    case "bigint":
    case "boolean":
      return String(value);
    default:
      return JSON.stringify(value) ?? String(value);
  }
}

/**
 * Go's %v for a decoded JSON number: the API server decodes whole numbers as
 * int64 (printed bare) and the rest as float64 (printed by goFloat).
 */
export function goNumber(value: number): string {
  if (Number.isSafeInteger(value)) return String(value);
  return goFloat(value);
}

/**
 * Go's %v for a float64 (strconv 'g', shortest): exponent form, with at
 * least two exponent digits, when the exponent is below -4 or 6 and above.
 */
export function goFloat(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";
  if (value === 0) return "0";
  const [mantissa, exp] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 6) {
    const digits = String(Math.abs(exponent)).padStart(2, "0");
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${digits}`;
  }
  return String(value);
}

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

/** strconv.Quote: double quotes, Go escapes for control and non-printable characters. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}

/**
 * The message kubectl prints for a rejected write:
 * `The DomainRoute "web" is invalid: spec.lb: Required value`, or one
 * `* line` per violation when there are several.
 */
export function formatInvalid(kind: string, name: string, violations: readonly SchemaViolation[]): string {
  const head = `The ${kind} ${goQuote(name)} is invalid: `;
  if (violations.length === 1) return head + violations[0]!.message;
  return `${head}\n${violations.map((v) => `* ${v.message}`).join("\n")}`;
}
