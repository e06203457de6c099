// Watches how full the V8 heap is after each full garbage collection, so
// that a cache which outgrows the memory it was given is reported and
// dropped instead of killing the process: with `failurePolicy: Fail`, a
// webhook that crash-loops on "JavaScript heap out of memory" blocks every
// route change with a connection error nobody can read, while one that stays
// up can say which limit to raise.
//
// Only readings taken after a full (mark-compact) collection count: between
// collections the heap also holds garbage, and V8 lets it grow close to the
// limit before collecting, so a plain reading would cry wolf.
//
// Work that runs for seconds without yielding (applying a list of 100,000
// objects at once) gets no collection callback in time, so it asks the guard
// directly every so often (overNow): there the heap in use also holds
// garbage, so the bar is higher (95%: V8 collects before it lets garbage
// fill the heap that far, and dies not much later).
//
// The limit that matters is the old generation's: V8 dies when live data no
// longer fits there. heap_size_limit also counts the young generation's
// reservation (three semi-spaces), which is 3 MB or 192 MB depending on the
// flags and the machine, so that share is taken off: from
// --max-semi-space-size where it is set (the Deployment and the image set
// it), else assumed at V8's largest default, never leaving the old
// generation less than half of the heap.
import { PerformanceObserver, constants } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

export interface HeapReading {
  /** Bytes of the V8 heap in use (right after a full collection: live data; otherwise garbage too). */
  usedBytes: number;
  /** The most the old generation may hold: V8's heap_size_limit (sized from --max-old-space-size or the container's memory) less the young generation. */
  limitBytes: number;
}

export interface HeapGuardOptions {
  /** Share of the limit that live data may use before the guard trips; default 0.8 (the rest is working room for requests). */
  fraction?: number;
  /** Reads the heap; default v8.getHeapStatistics(). */
  read?: () => HeapReading;
  /** Calls `listener` after each full collection; returns a function that stops. Default a PerformanceObserver on "gc" entries. */
  afterFullGc?: (listener: () => void) => () => void;
}

export const DEFAULT_HEAP_FRACTION = 0.8;
/** Share of the limit the heap in use (garbage included) may reach during long synchronous work. */
export const SYNCHRONOUS_HEAP_FRACTION = 0.95;

export class HeapGuard {
  readonly fraction: number;
  readonly #read: () => HeapReading;
  readonly #afterFullGc: (listener: () => void) => () => void;
  readonly #listeners = new Set<(reading: HeapReading) => void>();
  #last: HeapReading | undefined;
  #stop: (() => void) | undefined;

  constructor(options: HeapGuardOptions = {}) {
    this.fraction = options.fraction ?? DEFAULT_HEAP_FRACTION;
    if (!(this.fraction > 0 && this.fraction < 1)) throw new Error(`heap guard: fraction must be between 0 and 1 (exclusive), not ${this.fraction}`);
    this.#read = options.read ?? readV8Heap;
    this.#afterFullGc = options.afterFullGc ?? observeFullGc;
  }

  /** Starts watching; idempotent. */
  start(): void {
    this.#stop ??= this.#afterFullGc(() => this.#check());
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /** The reading after the last full collection (undefined before the first). */
  lastReading(): HeapReading | undefined {
    return this.#last;
  }

  /** The last reading, if live data is over the guard's share of the limit. */
  exceeded(): HeapReading | undefined {
    return this.#last !== undefined && isOver(this.#last, this.fraction) ? this.#last : undefined;
  }

  /**
   * For long synchronous work: reads the heap now (garbage included) and
   * returns the reading if it is past SYNCHRONOUS_HEAP_FRACTION of the limit.
   */
  overNow(): HeapReading | undefined {
    const reading = this.#read();
    return isOver(reading, SYNCHRONOUS_HEAP_FRACTION) ? reading : undefined;
  }

  /** Called with the reading each time a full collection leaves live data over the share; returns a function that unsubscribes. */
  onExceeded(listener: (reading: HeapReading) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #check(): void {
    this.#last = this.#read();
    if (!isOver(this.#last, this.fraction)) return;
    for (const listener of [...this.#listeners]) listener(this.#last);
  }
}

function isOver(reading: HeapReading, fraction: number): boolean {
  return reading.usedBytes > reading.limitBytes * fraction;
}

/** Fixed for the life of the process (the flags and heap_size_limit do not change), so worked out once. */
let processOldGenerationLimit: number | undefined;

function readV8Heap(): HeapReading {
  const stats = getHeapStatistics();
  processOldGenerationLimit ??= oldGenerationLimit(stats.heap_size_limit, nodeFlags());
  return { usedBytes: stats.used_heap_size, limitBytes: processOldGenerationLimit };
}

const MB = 2 ** 20;
/** V8's largest default semi-space on 64-bit machines with plenty of memory. */
const LARGEST_DEFAULT_SEMI_SPACE_MB = 64;

/** The old generation's limit within heap_size_limit, given the flags Node was started with (command line, then NODE_OPTIONS). */
export function oldGenerationLimit(heapSizeLimit: number, flags: readonly string[]): number {
  let semiSpaceMb = LARGEST_DEFAULT_SEMI_SPACE_MB;
  for (let i = 0; i < flags.length; i++) {
    const match = /^--max[-_]semi[-_]space[-_]size(?:=(.*))?$/.exec(flags[i]!);
    if (match === null) continue;
    const value = Number(match[1] ?? flags[i + 1]);
    if (Number.isFinite(value) && value > 0) semiSpaceMb = value;
  }
  return Math.max(heapSizeLimit - 3 * semiSpaceMb * MB, heapSizeLimit / 2);
}

function nodeFlags(): string[] {
  // The command line wins over NODE_OPTIONS, and the last occurrence wins: so the command line goes last.
  return [...(process.env.NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean), ...process.execArgv];
}

function observeFullGc(listener: () => void): () => void {
  const observer = new PerformanceObserver((list) => {
    // One reading per batch of entries is enough: the latest state is what counts.
    if (list.getEntries().some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) listener();
  });
  observer.observe({ entryTypes: ["gc"] });
  return () => observer.disconnect();
}

/** "182.4 MB of 230.0 MB (79%)": a reading for logs and messages. */
export function describeHeap(reading: HeapReading): string {
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  return `${mb(reading.usedBytes)} MB of ${mb(reading.limitBytes)} MB (${Math.round((reading.usedBytes / reading.limitBytes) * 100)}%)`;
}
