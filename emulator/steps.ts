// The conformance run's report: each step printed with ✓ or ✗ and how long it
// took, the first failure ending the run (later steps build on earlier ones,
// so they would only fail for the same reason).

export class StepFailed extends Error {}

export class Steps {
  readonly #started = Date.now();
  passed = 0;

  /** Runs one step; prints ✓ with its duration and detail, or ✗ with the error, then rethrows it as StepFailed. */
  async run<T>(title: string, body: () => Promise<T>, detail?: (result: T) => string): Promise<T> {
    const started = Date.now();
    try {
      const result = await body();
      const extra = detail === undefined ? "" : `: ${detail(result)}`;
      console.log(`✓ ${title} (${seconds(Date.now() - started)})${extra}`);
      this.passed++;
      return result;
    } catch (error) {
      console.log(`✗ ${title} (${seconds(Date.now() - started)}): ${(error as Error).message}`);
      throw new StepFailed(title, { cause: error });
    }
  }

  elapsed(): string {
    return seconds(Date.now() - this.#started);
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Fails with `what` when `check` is not true. */
export function expect(check: boolean, what: string): void {
  if (!check) throw new Error(what);
}

/** Polls `check` (async) until it returns a value other than undefined, or fails after `timeoutMs` naming `what` and the last state. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, lastState?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) {
      const state = lastState === undefined ? "" : `; last seen: ${lastState()}`;
      throw new Error(`timed out after ${seconds(timeoutMs)} waiting until ${what}${state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
