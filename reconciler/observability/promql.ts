// Building blocks for the PromQL hostgate writes into PrometheusRules. Every
// value that comes from a route or the config (domains, namespaces, names,
// windows, thresholds) passes through here, so a label value can never end
// its string early and a window can never carry more PromQL than a duration.
import { THRESHOLD_PERCENT_PATTERN } from "../../core/config/percent.ts";
import { isPrometheusDuration } from "../../core/config/prometheus-duration.ts";

/**
 * A PromQL double-quoted string literal. PromQL strings use Go's escapes
 * (https://prometheus.io/docs/prometheus/latest/querying/basics/#string-literals):
 * a backslash and a double quote are escaped, and so is every control
 * character, as \u00XX (a raw newline would end the literal).
 */
export function promqlString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === "\\" || char === '"') out += `\\${char}`;
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

/** One label matcher: `=` (equal), `=~` (whole-value RE2 regex) with its value quoted. */
export interface Matcher {
  label: string;
  op: "=" | "=~";
  value: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `metric{a="x",b=~"y"}` with every value escaped; label names are hostgate's own and checked. */
export function selector(metric: string, matchers: readonly Matcher[]): string {
  const parts = matchers.map(({ label, op, value }) => {
    if (!LABEL_NAME.test(label)) throw new RangeError(`${JSON.stringify(label)} is not a Prometheus label name`);
    return `${label}${op}${promqlString(value)}`;
  });
  return `${metric}{${parts.join(",")}}`;
}

/**
 * Text Prometheus's alert templating leaves as it is. Alert labels and
 * annotations are Go templates, so a literal `{{` would start an action:
 * written as the action `{{ "{{" }}`, it prints itself.
 */
export function templateLiteral(value: string): string {
  return value.replaceAll("{{", '{{ "{{" }}');
}

/** The problem with `text` as a rate window or `for` (at `field`); undefined when it is a non-zero Prometheus duration. */
export function durationProblem(text: unknown, field: string): string | undefined {
  // A zero range (`[0s]`) selects nothing, so it is refused too.
  if (typeof text === "string" && isPrometheusDuration(text) && /[1-9]/.test(text)) return undefined;
  return `${field} is ${JSON.stringify(text ?? null)}: set a Prometheus duration greater than zero, such as 5m, 90s or 1h30m`;
}

const THRESHOLD = new RegExp(THRESHOLD_PERCENT_PATTERN);

/** The problem with `text` as an error-rate threshold (at `field`); undefined for "0.1%" to "100%", as the config and the CRD accept. */
export function percentageProblem(text: unknown, field: string): string | undefined {
  if (typeof text === "string" && THRESHOLD.test(text)) return undefined;
  return `${field} is ${JSON.stringify(text ?? null)}: set a percentage from 0.1% to 100% with at most two decimals, such as "5%" or "0.5%"`;
}

const PERCENTAGE = /^([0-9]{1,3})(?:\.([0-9]+))?%$/;

/**
 * "5%" as the ratio "0.05", by moving the decimal point in the text: no
 * floating-point division, so "0.1%" is exactly "0.001" in the expression.
 * `text` must have passed percentageProblem.
 */
export function percentageRatio(text: string): string {
  const match = PERCENTAGE.exec(text);
  if (match === null) throw new RangeError(`${JSON.stringify(text)} is not a percentage such as "5%"`);
  const whole = match[1]!.padStart(3, "0");
  const digits = `${whole.slice(0, -2)}.${whole.slice(-2)}${match[2] ?? ""}`;
  // Drop leading zeros of the integer part (keep one) and trailing zeros of the fraction.
  return digits.replace(/^0+(?=[0-9])/, "").replace(/\.?0+$/, "");
}
