// A Logger that keeps every entry, so tests can assert what was logged and
// wait for a line that a background reload, check or watch will write.
// Shared by the tests of every room that takes a Logger.
import type { Logger } from "../logger.ts";

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  #waiters: { match: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }[] = [];

  debug(fields: Record<string, unknown>, message: string): void {
    this.#add({ level: "debug", fields, message });
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.#add({ level: "info", fields, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.#add({ level: "warn", fields, message });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.#add({ level: "error", fields, message });
  }

  /** Messages at a level (or above debug when none is given), in order. */
  messages(level?: LogEntry["level"]): string[] {
    return this.entries.filter((e) => (level === undefined ? e.level !== "debug" : e.level === level)).map((e) => e.message);
  }

  at(level: LogEntry["level"]): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }

  /** Resolves with the first entry (already logged or to come) that matches; rejects after `timeoutMs`. */
  waitFor(match: (e: LogEntry) => boolean, timeoutMs = 5_000): Promise<LogEntry> {
    const found = this.entries.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching log entry within ${timeoutMs} ms; got: ${this.entries.map((e) => e.message).join(" | ")}`)),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  #add(entry: LogEntry): void {
    this.entries.push(entry);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(entry)) return true;
      w.resolve(entry);
      return false;
    });
  }
}
