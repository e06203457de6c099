// A shared informer: one reflector (list, then watch) per resource, an
// in-memory store of what it delivered, and any number of handlers told of
// each change, so several controllers watching the same resource share one
// watch and one copy of the objects.
//
// The resync is the level-triggered safety net: every `resyncMs` each
// handler hears of every stored object again, so a controller that dropped
// an event (a bug, a crash between two steps) re-reconciles everything in
// time. It replays the store; it does not ask the API server.
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { systemClock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import { silentLogger } from "../../core/logger.ts";
import type { ObjectKey } from "../../core/kube/object-key.ts";
import { formatKey } from "../../core/kube/object-key.ts";
import { Reflector } from "../../core/kube/reflector.ts";
import type { ReflectorOptions } from "../../core/kube/reflector.ts";
import type { ReflectorBatch, ReflectorStatus } from "../../core/kube/reflector-types.ts";
import { describeResource } from "../../core/kube/resource.ts";
import type { InformerHandler } from "./informer-handler.ts";

export interface InformerOptions<T> extends ReflectorOptions<T> {
  /** Replay every stored object to every handler this often; 0 or absent: never. */
  resyncMs?: number;
}

export class SharedInformer<T> {
  readonly #reflector: Reflector<T>;
  readonly #name: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #resyncMs: number;
  /** Key (`namespace/name`) → object, as the reflector delivered it. */
  readonly #store = new Map<string, T>();
  #handlers: InformerHandler<T>[] = [];
  #syncWaiters: ((synced: boolean) => void)[] = [];
  #resyncTimer: TimerHandle | undefined;
  #started = false;
  #stopped = false;

  constructor(options: InformerOptions<T>) {
    const resyncMs = options.resyncMs ?? 0;
    if (!(Number.isFinite(resyncMs) && resyncMs >= 0)) throw new RangeError(`resyncMs must be >= 0 (got ${resyncMs}); 0 turns the resync off`);
    this.#reflector = new Reflector(options);
    this.#name = describeResource(options.resource);
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#resyncMs = resyncMs;
    this.#reflector.addHandler((batch) => this.#apply(batch));
  }

  /**
   * Registers a handler; returns a function that unregisters it. A handler
   * added late first hears of every stored object as added, as client-go's
   * shared informers replay them, so it misses nothing.
   */
  addEventHandler(handler: InformerHandler<T>): () => void {
    this.#handlers.push(handler);
    for (const [key, object] of this.#store) this.#call("onAdd", key, () => handler.onAdd?.(object, key));
    return () => {
      this.#handlers = this.#handlers.filter((h) => h !== handler);
    };
  }

  /** Starts listing and watching in the background (failures are retried, never thrown), and the resync. */
  start(): void {
    if (this.#started) throw new Error(`informer for ${this.#name} was already started; build a new one`);
    this.#started = true;
    if (this.#stopped) return;
    this.#reflector.start();
    this.#scheduleResync();
  }

  /** Stops watching and resyncing; resolves once the reflector has stopped. The store keeps its last state. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#resyncTimer !== undefined) this.#clock.clearTimeout(this.#resyncTimer);
    this.#resyncTimer = undefined;
    for (const resolve of this.#syncWaiters.splice(0)) resolve(false);
    await this.#reflector.stop();
  }

  get(key: string | ObjectKey): T | undefined {
    return this.#store.get(typeof key === "string" ? key : formatKey(key));
  }

  list(): T[] {
    return [...this.#store.values()];
  }

  keys(): string[] {
    return [...this.#store.keys()];
  }

  /** True once the first complete list is in the store: before that, an absent object may just not have arrived. */
  synced(): boolean {
    return this.#reflector.hasSynced();
  }

  /** Resolves true once synced, or false if the informer stops first (WaitForCacheSync). */
  whenSynced(): Promise<boolean> {
    if (this.synced()) return Promise.resolve(true);
    if (this.#stopped) return Promise.resolve(false);
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  status(): ReflectorStatus {
    return this.#reflector.status();
  }

  #apply(batch: ReflectorBatch<T>): void {
    for (const change of batch.changes) {
      const key = formatKey(change.key);
      const old = this.#store.get(key);
      if (change.type === "deleted") {
        // A relist that found it gone knows only the key: the stored state is the last one known.
        const last = change.object ?? old;
        this.#store.delete(key);
        if (last !== undefined) this.#notify("onDelete", key, (h) => h.onDelete?.(last, key));
        continue;
      }
      const object = change.object;
      this.#store.set(key, object);
      if (old === undefined) this.#notify("onAdd", key, (h) => h.onAdd?.(object, key));
      else this.#notify("onUpdate", key, (h) => h.onUpdate?.(old, object, key));
    }
    if (this.synced()) for (const resolve of this.#syncWaiters.splice(0)) resolve(true);
  }

  #scheduleResync(): void {
    if (this.#resyncMs === 0 || this.#stopped) return;
    this.#resyncTimer = this.#clock.setTimeout(() => {
      this.#resyncTimer = undefined;
      this.#resync();
      this.#scheduleResync();
    }, this.#resyncMs);
  }

  #resync(): void {
    // Before the first list the store is partial: replaying it would say nothing new.
    if (!this.synced()) return;
    this.#logger.debug({ resource: this.#name, objects: this.#store.size }, `informer for ${this.#name}: resync of ${this.#store.size} objects`);
    for (const [key, object] of this.#store) {
      this.#notify("onResync", key, (h) => (h.onResync !== undefined ? h.onResync(object, key) : h.onUpdate?.(object, object, key)));
    }
  }

  #notify(event: string, key: string, deliver: (handler: InformerHandler<T>) => void): void {
    for (const handler of this.#handlers) this.#call(event, key, () => deliver(handler));
  }

  /** One handler's failure must not keep the others (or the store) from the change. */
  #call(event: string, key: string, deliver: () => void): void {
    try {
      deliver();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.error({ resource: this.#name, key, event, error: message }, `informer for ${this.#name}: a handler's ${event} threw for ${key}: ${message}`);
    }
  }
}
