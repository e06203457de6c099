// Heap metrics for /metrics, read at each scrape, so an operator sees the
// cache approach its memory before the heap guard drops it:
//   hostgate_heap_live_bytes             V8 heap in use after the last full collection;
//   hostgate_heap_limit_bytes            the most the heap may hold (sized from the memory limit);
//   hostgate_cache_heap_limit_reached    1 once the cache outgrew the heap and was dropped (alert on it).
import { Gauge } from "prom-client";
import type { Registry } from "prom-client";
import type { HeapGuard } from "./heap-guard.ts";

export function registerHeapMetrics(registry: Registry, guard: HeapGuard, limitReached: () => boolean): void {
  new Gauge({
    name: "hostgate_heap_live_bytes",
    help: "V8 heap in use right after the last full garbage collection (live data), in bytes; absent before the first.",
    registers: [registry],
    collect() {
      this.reset();
      const reading = guard.lastReading();
      if (reading !== undefined) this.set(reading.usedBytes);
    },
  });
  new Gauge({
    name: "hostgate_heap_limit_bytes",
    help: "The most the V8 heap may hold, in bytes (sized from the container's memory limit); the cache is dropped when live data passes the guard's share of it.",
    registers: [registry],
    collect() {
      this.reset();
      const reading = guard.lastReading();
      if (reading !== undefined) this.set(reading.limitBytes);
    },
  });
  new Gauge({
    name: "hostgate_cache_heap_limit_reached",
    help: "1 once the cluster cache outgrew the heap and was dropped: every review is refused until a restart with more memory.",
    registers: [registry],
    collect() {
      this.set(limitReached() ? 1 : 0);
    },
  });
}
