// A Logger that keeps what it is told, for tests that check what was logged.
import type { Logger } from "../../logger.ts";

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];

  debug(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "debug", fields, message });
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "info", fields, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "warn", fields, message });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "error", fields, message });
  }

  /** Messages at a level (or above debug when none is given), in order. */
  messages(level?: LogEntry["level"]): string[] {
    return this.entries.filter((e) => (level === undefined ? e.level !== "debug" : e.level === level)).map((e) => e.message);
  }
}
