// Heap metrics for /metrics, read at each scrape, so an operator sees the
// cache approach its memory before the heap guard drops it:
//   hostgate_heap_live_bytes             V8 heap in use after the last full collection;
//   hostgate_heap_limit_bytes            the most the heap may hold (sized from the memory limit);
//   hostgate_cache_heap_limit_reached    1 once the cache outgrew the heap and was dropped (alert on it).
import { Gauge } from "prom-client";
import type { Registry } from "prom-client";
import type { HeapGuard, HeapReading } from "./heap-guard.ts";

export function registerHeapMetrics(registry: Registry, guard: HeapGuard, limitReached: () => boolean): void {
  const readingGauge = (name: string, help: string, value: (reading: HeapReading) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        const reading = guard.lastReading();
        if (reading !== undefined) this.set(value(reading));
      },
    });
  readingGauge(
    "hostgate_heap_live_bytes",
    "V8 heap in use right after the last full garbage collection (live data), in bytes; absent before the first.",
    (r) => r.usedBytes,
  );
  readingGauge(
    "hostgate_heap_limit_bytes",
    "The most the V8 old generation may hold, in bytes (sized from the container's memory limit); the cache is dropped when live data passes 80% of it.",
    (r) => r.limitBytes,
  );
  new Gauge({
    name: "hostgate_cache_heap_limit_reached",
    help: "1 once the cluster cache outgrew the heap and was dropped: every review is refused until a restart with more memory.",
    registers: [registry],
    collect() {
      this.set(limitReached() ? 1 : 0);
    },
  });
}
