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

/**
 * Runs loaders and collects every one's problems, so one run reports all
 * unusable input at once; anything that is not a reportable problem is a bug
 * and propagates as one.
 */
export class ProblemCollector {
  readonly problems: string[] = [];

  attempt<T>(load: () => T): T | undefined {
    try {
      return load();
    } catch (error) {
      return this.#record(error);
    }
  }

  async attemptAsync<T>(load: () => Promise<T>): Promise<T | undefined> {
    try {
      return await load();
    } catch (error) {
      return this.#record(error);
    }
  }

  /**
   * The loaded values, once every loader has run.
   * @throws UsageError with every problem collected, if there is any
   */
  results<T extends Record<string, unknown>>(values: T): { [K in keyof T]: NonNullable<T[K]> } {
    if (this.problems.length > 0) throw new UsageError(...this.problems);
    for (const [name, value] of Object.entries(values)) {
      // A loader returns or reports; neither happening is a bug.
      if (value === undefined || value === null) throw new Error(`${name} did not load and reported no problem`);
    }
    return values as { [K in keyof T]: NonNullable<T[K]> };
  }

  #record(error: unknown): undefined {
    if (!isReportable(error)) throw error;
    this.problems.push(...problemsOf(error));
    return undefined;
  }
}

/** What a command produces: stdout text, notes for stderr, and the exit code. */
export interface CommandResult {
  output: string;
  exitCode: number;
  notes?: readonly string[];
}
