// Test helpers: every test evaluates real CEL, in an environment built the
// way the policy engine builds its own (string extensions + ours).

import assert from "node:assert/strict";
import { celEnv, isCelError, isCelList, parse, plan } from "@bufbuild/cel";
import type { CelError, CelInput, CelResult } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { hostgateFunctions } from "./index.ts";

export const env = celEnv({ funcs: [...strings, ...hostgateFunctions] });

export function evaluate(expr: string, bindings: Record<string, CelInput> = {}): CelResult {
  return plan(env, parse(expr))(bindings);
}

/** CEL lists become arrays so results can be compared with deepEqual. */
function plain(value: unknown): unknown {
  return isCelList(value) ? Array.from(value, plain) : value;
}

/** The value of `expr`; fails the test if evaluation produced an error. */
export function celValueOf(expr: string, bindings?: Record<string, CelInput>): unknown {
  const result = evaluate(expr, bindings);
  if (isCelError(result)) assert.fail(`${expr} failed: ${result.message}`);
  return plain(result);
}

/** The error `expr` evaluates to; fails the test if it produced a value. */
export function errorOf(expr: string, bindings?: Record<string, CelInput>): CelError {
  const result = evaluate(expr, bindings);
  if (!isCelError(result)) assert.fail(`${expr} should fail, but gave ${show(plain(result))}`);
  return result;
}

/** A readable rendering of an expected value, for test names. */
export function show(value: unknown): string {
  if (typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  return JSON.stringify(value);
}
