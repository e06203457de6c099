// The reconciler's log for this run: JSON lines in a file (the console is for
// the step report), kept for reading when a step fails.
import { createWriteStream } from "node:fs";
import type { Logger } from "../core/logger.ts";

export function fileLogger(path: string): Logger & { close(): Promise<void> } {
  const stream = createWriteStream(path, { flags: "a" });
  const line = (level: string) => (fields: Record<string, unknown>, message: string) => {
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
  };
  return {
    debug: line("debug"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
    close: () => new Promise<void>((resolve) => stream.end(resolve)),
  };
}
