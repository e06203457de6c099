// An error that means "the input is unusable": a bad file, config, policy or
// flag. It carries every problem found (each naming what, where and how to
// fix), and the exit code a command ends with. The CLI prints the problems,
// never a stack trace. Loaders subclass it only to give the error its name.

export class InputError extends Error {
  readonly problems: readonly string[];
  readonly exitCode = 2;

  /** @param summary what was being read, e.g. "the policy set did not load" */
  constructor(problems: readonly string[], summary: string) {
    super(problems.length === 1 ? `${summary}: ${problems[0]}` : `${summary} (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = new.target.name;
    this.problems = problems;
  }
}
