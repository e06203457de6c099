// A small bounded LRU map. Policy expressions use the same literal regex on
// every admission request, so compiled patterns are worth keeping; the bound
// stops a stream of distinct, request-supplied patterns from growing memory.

export class LruCache<K, V> {
  readonly capacity: number;
  // A Map iterates in insertion order, so the first key is the least recently used.
  readonly #entries = new Map<K, V>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`LRU capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key) as V;
    // Re-insert to mark as most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as K;
      this.#entries.delete(oldest);
    }
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }
}
