// How long to wait before retrying after consecutive failures: doubling from
// `initial`, capped at `max`. No jitter: replicas fail on independent
// schedules already (they started at different times), and a fixed sequence
// keeps tests and logs predictable.

export interface Backoff {
  initial: number;
  max: number;
}

/** The delay before attempt `failures + 1`, after `failures` (>= 1) consecutive failures. */
export function retryDelay(failures: number, backoff: Backoff): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(backoff.initial * 2 ** exponent, backoff.max);
}
