// Errors that mean "the input is unusable": the CLI prints their problems and
// exits 2, never a stack trace. Every loader's error class carries `problems`
// and `exitCode`, so one check recognises them all.

export class UsageError extends Error {
  readonly problems: readonly string[];
  readonly exitCode = 2;
  constructor(...problems: string[]) {
    super(problems.join("\n"));
    this.name = "UsageError";
    this.problems = problems;
  }
}

export interface ReportableError {
  problems: readonly string[];
  exitCode: number;
}

export function isReportable(error: unknown): error is Error & ReportableError {
  return (
    error instanceof Error &&
    Array.isArray((error as Partial<ReportableError>).problems) &&
    typeof (error as Partial<ReportableError>).exitCode === "number"
  );
}

/** Problems of a reportable error, else its message (for loaders that only set a message). */
export function problemsOf(error: unknown): readonly string[] {
  if (isReportable(error)) return error.problems.length > 0 ? error.problems : [error.message];
  return [error instanceof Error ? error.message : String(error)];
}

/** What a command produces: stdout text, notes for stderr, and the exit code. */
export interface CommandResult {
  output: string;
  exitCode: number;
  notes?: readonly string[];
}
