// The logging port every long-running part takes (webhook, cache, certs,
// reconciler): pino's call shape, so a pino logger fits as is and tests pass
// a recording fake. Objects first, message second; never an object body.
import { pino } from "pino";
import { BufferedLogDestination } from "./log-destination.ts";

export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ProcessLogger extends Logger {
  /** Writes out anything buffered; call before the process exits. */
  flush(): void;
}

/**
 * JSON lines on stdout, buffered (one review logs one line; a synchronous
 * write per line would cost more than some reviews do). The destination is
 * ours, not pino's: see log-destination.ts.
 */
export function processLogger(level: LogLevel, name: string): ProcessLogger {
  const destination = new BufferedLogDestination(1, { minWriteBytes: 16 * 1024 });
  // Buffered lines must not wait for the next 16 KiB on a quiet webhook.
  setInterval(() => destination.flush(), 1000).unref();
  // Epoch milliseconds (pino's default "time"): formatting an ISO date costs
  // more than the rest of a review's log line, and every log pipeline reads both.
  const logger = pino({ name, level, base: { name } }, destination);
  return {
    debug: (fields, message) => logger.debug(fields, message),
    info: (fields, message) => logger.info(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
    error: (fields, message) => logger.error(fields, message),
    flush: () => {
      try {
        destination.flushSync();
      } catch {
        // Not yet open, or stdout closed: nothing more can be written anyway.
      }
    },
  };
}

/** Discards everything: for tests that do not look at logs. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
