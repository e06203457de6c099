// A HeapGuard for tests: the test says how many bytes are in use and when a
// full collection happens, instead of V8.
import { HeapGuard } from "../heap-guard.ts";
import type { HeapReading } from "../heap-guard.ts";

export interface ManualHeapGuard {
  guard: HeapGuard;
  /** Sets the bytes in use and, if the guard is watching, reports a full collection. */
  collect(usedBytes: number): void;
  /** True while the guard watches for collections (between start() and stop()). */
  watching(): boolean;
}

export function manualHeapGuard(options: { limitBytes: number; fraction?: number }): ManualHeapGuard {
  let reading: HeapReading = { usedBytes: 0, limitBytes: options.limitBytes };
  let fullGc: (() => void) | undefined;
  const guard = new HeapGuard({
    ...(options.fraction === undefined ? {} : { fraction: options.fraction }),
    read: () => reading,
    afterFullGc: (listener) => {
      fullGc = listener;
      return () => (fullGc = undefined);
    },
  });
  return {
    guard,
    collect(usedBytes) {
      reading = { usedBytes, limitBytes: options.limitBytes };
      fullGc?.();
    },
    watching: () => fullGc !== undefined,
  };
}
