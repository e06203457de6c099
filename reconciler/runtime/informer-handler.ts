// What a shared informer tells its consumers. Each call carries the object's
// key (`namespace/name`) besides the object: informers usually keep a
// transformed, slimmed-down object that may no longer say who it is, and a
// controller wants only the key anyway.

export interface InformerHandler<T> {
  onAdd?(object: T, key: string): void;
  onUpdate?(oldObject: T, newObject: T, key: string): void;
  /** `object` is the last state the informer held. */
  onDelete?(object: T, key: string): void;
  /**
   * The periodic resync: every stored object, unchanged. Without it,
   * onUpdate(object, object) is called instead, as client-go does.
   */
  onResync?(object: T, key: string): void;
}

/**
 * A handler that enqueues the key of every object added, changed, deleted
 * or resynced: what a level-triggered controller needs (its reconcile reads
 * the current state, whatever the event was).
 */
export function enqueueKeys(enqueue: (key: string) => void): InformerHandler<unknown> {
  return {
    onAdd: (_object, key) => enqueue(key),
    onUpdate: (_old, _new, key) => enqueue(key),
    onDelete: (_object, key) => enqueue(key),
    onResync: (_object, key) => enqueue(key),
  };
}
