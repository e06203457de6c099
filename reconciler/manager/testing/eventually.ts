// Waiting for the whole reconciler on the real clock: its tests wait until a
// state is reached (never for a fixed time), polling every few milliseconds.
import assert from "node:assert/strict";

/** Resolves once `check` holds; fails naming `what` if it does not within `timeoutMs`. */
export async function eventually(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
