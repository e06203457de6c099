// Time as a port: whatever waits, retries or debounces (the cluster cache's
// reflectors, the local state reloader) takes a Clock, so tests drive time by
// hand instead of sleeping, and a finished test leaves no timer behind.

/** An opaque timer, only good for passing back to clearTimeout. */
export type TimerHandle = object;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. Its timers keep the process alive until they fire or are cleared. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface ManualTimer {
  due: number;
  /** Creation order: timers due at the same instant fire in the order they were set. */
  seq: number;
  callback: () => void;
}

/**
 * A clock that moves only when told to (tests). `advance` fires every timer
 * that falls due, in due order, including timers those callbacks set if they
 * too fall within the advanced span, exactly as time passing would.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Set<ManualTimer>();

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, callback };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as ManualTimer);
  }

  /** Timers set and not yet fired or cleared. */
  pendingTimers(): number {
    return this.#timers.size;
  }

  /** Delays of the pending timers from now, soonest first. */
  pendingDelays(): number[] {
    return [...this.#timers].sort(byDue).map((t) => t.due - this.#now);
  }

  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const next = [...this.#timers].sort(byDue)[0];
      if (next === undefined || next.due > end) break;
      this.#timers.delete(next);
      this.#now = next.due;
      next.callback();
    }
    this.#now = end;
  }
}

function byDue(a: ManualTimer, b: ManualTimer): number {
  return a.due - b.due || a.seq - b.seq;
}

/**
 * Clock milliseconds as a metav1.Time: RFC 3339 in UTC to the second
 * (2030-01-01T00:00:00Z), the format of creation and deletion timestamps,
 * condition transition times and Event times.
 */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}
