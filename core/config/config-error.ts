// A config file that cannot be used. Carries every problem found so the
// operator fixes them in one pass; callers print `message` and exit with
// `exitCode` rather than showing a stack trace.
import { InputError } from "../../policies/engine/input-error.ts";

export class ConfigError extends InputError {
  constructor(problems: readonly string[]) {
    super(problems, "invalid platform config");
  }
}
