// Errors that mean "the input is unusable": the CLI prints their problems and
// exits 2, never a stack trace. Every loader's error is an InputError.
import { InputError } from "../policies/engine/input-error.ts";

export { InputError };

export class UsageError extends InputError {
  constructor(...problems: string[]) {
    super(problems, "unusable input");
  }
}

export function isReportable(error: unknown): error is InputError {
  return error instanceof InputError;
}

/** Problems of an InputError, else the error's message. */
export function problemsOf(error: unknown): readonly string[] {
  if (error instanceof InputError) return error.problems.length > 0 ? error.problems : [error.message];
  return [error instanceof Error ? error.message : String(error)];
}

/** What a command produces: stdout text, notes for stderr, and the exit code. */
export interface CommandResult {
  output: string;
  exitCode: number;
  notes?: readonly string[];
}
