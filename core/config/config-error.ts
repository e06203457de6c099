// A config file that cannot be used. Carries every problem found so the
// operator fixes them in one pass; callers print `message` and exit with
// `exitCode` rather than showing a stack trace.

export class ConfigError extends Error {
  readonly problems: readonly string[];
  readonly exitCode = 2;

  constructor(problems: readonly string[]) {
    super(
      problems.length === 1
        ? `invalid platform config: ${problems[0]}`
        : `invalid platform config, ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}
