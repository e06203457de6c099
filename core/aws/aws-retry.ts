// One bounded retry policy for AWS calls: capped exponential backoff with
// jitter (core/backoff.ts), so many replicas and clients sharing an account's
// request rate spread out. Clients are built with the SDK's own retries off
// (maxAttempts 1): one policy, whose sleep and randomness are injected so
// tests take no time.
import { Backoff, type BackoffOptions } from "../backoff.ts";
import type { Logger } from "../logger.ts";
import { silentLogger } from "../logger.ts";
import { awsErrorCode, isRetryableAwsError } from "./aws-errors.ts";

export interface AwsRetryPolicy {
  /** Attempts in all, the first included (>= 1). */
  readonly attempts: number;
  readonly backoff: BackoffOptions;
}

/** Close to the SDK's standard policy (capped exponential, jittered), a little more patient: about 15 s of waiting at most. */
export const AWS_RETRY: AwsRetryPolicy = { attempts: 6, backoff: { initialMs: 500, maxMs: 20_000, factor: 2, jitter: 0.5 } };

export interface AwsRetryOptions {
  readonly policy?: AwsRetryPolicy;
  /** Waits between attempts; a real timer by default, a recorder in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter's source. Default Math.random. */
  readonly random?: () => number;
  readonly logger?: Logger;
}

export class AwsRetry {
  readonly policy: AwsRetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #logger: Logger;

  constructor(options: AwsRetryOptions = {}) {
    this.policy = options.policy ?? AWS_RETRY;
    if (!(Number.isInteger(this.policy.attempts) && this.policy.attempts >= 1)) {
      throw new RangeError(`AWS retry attempts must be an integer >= 1 (got ${this.policy.attempts})`);
    }
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger ?? silentLogger;
  }

  /**
   * Runs `send` until it succeeds, fails with an error not worth retrying
   * (thrown at once), or has failed `policy.attempts` times (the last error
   * thrown): a caller seeing a retryable error knows the attempts ran out.
   * @param what names the call in debug logs
   */
  async run<T>(what: string, send: () => Promise<T>): Promise<T> {
    const backoff = new Backoff(this.policy.backoff, this.#random);
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (!isRetryableAwsError(error) || attempt >= this.policy.attempts) throw error;
        const delayMs = backoff.next();
        this.#logger.debug({ call: what, code: awsErrorCode(error), attempt, delayMs }, "AWS asked to retry; backing off");
        await this.#sleep(delayMs);
      }
    }
  }
}
