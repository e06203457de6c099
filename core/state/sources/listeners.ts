// A set of change listeners that one failing listener cannot break.
import type { Logger } from "../../logger.ts";

export class Listeners {
  readonly #listeners = new Set<() => void>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  add(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  notify(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        this.#logger.error({ err: error }, "a cluster state change listener threw");
      }
    }
  }
}
