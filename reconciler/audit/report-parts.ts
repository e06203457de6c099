// How one namespace's results are cut into reports that each stay under
// REPORT_BYTE_BUDGET (report-resources.ts): a namespace with thousands of
// objects would otherwise be one report of tens of megabytes that the API
// server refuses (measured: 5,000 DomainRoutes under the library, 22.6 MB).
// Kyverno hit the same with one report per namespace (kyverno#2981, #1688).
//
// Deterministic, so an unchanged cluster renders the same parts: the results
// come in their sorted order and fill the parts in turn, each part taking
// results until the next would pass the budget. A change near the end of the
// order rewrites only the last part or two; one near the start shifts the rest.
//
// A single result larger than a whole part (a policy message of megabytes) is
// cut instead of failing the write: its message, then its rule, lose their
// tail, and say so and where the whole text is (`hostgate audit`).

/** UTF-8 bytes of a value's JSON: what it adds to the request body. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * Bytes of a report other than its results: apiVersion, kind, metadata (name,
 * namespace, labels, the applied-hash annotation), source, summary, and what
 * the API server adds when it stores it (uid, resourceVersion, timestamps and
 * managedFields, which list `results` as one atomic field). Measured at 869
 * bytes stored with a 63-character namespace and one managedFields entry; the
 * API server keeps up to ten Update entries and the Apply one, each under
 * 500 bytes, so 16 KiB leaves ample margin.
 */
export const REPORT_ENVELOPE_BYTES = 16 * 1024;

/** Items in order, in consecutive parts whose JSON (items plus the commas between them) stays within `budget`; an item over it has a part alone. */
export function splitByBytes<T>(items: readonly T[], budget: number, bytesOf: (item: T) => number = jsonBytes): T[][] {
  const parts: T[][] = [];
  let part: T[] = [];
  let used = 0;
  for (const item of items) {
    const bytes = bytesOf(item);
    if (part.length > 0 && used + 1 + bytes > budget) {
      parts.push(part);
      part = [];
      used = 0;
    }
    used += (part.length > 0 ? 1 : 0) + bytes;
    part.push(item);
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/** The text a clipped field ends with: how much was cut, and where to read it whole. */
export function clipNote(cutCharacters: number): string {
  return ` … [clipped by hostgate: ${cutCharacters} more characters would not fit in one report; \`hostgate audit\` prints it whole]`;
}

/**
 * The result with `fields` (in order: message first, then rule) cut at their
 * tail until its JSON fits `budget` bytes, each cut field ending with
 * clipNote. Unchanged when it fits. Cut by code points, so no character is
 * split; a field is emptied to its note before the next one is cut.
 */
export function clipToBytes<T extends object>(result: T, budget: number, fields: readonly (keyof T & string)[]): T {
  let clipped = result;
  for (const field of fields) {
    const text = (result as Record<string, unknown>)[field];
    if (typeof text !== "string") continue;
    const chars = [...text];
    let keep = chars.length;
    // Each code point costs at least one byte of JSON, so cutting the excess (plus the note) in code points gets under the budget or close; repeat.
    for (let excess = jsonBytes(clipped) - budget; excess > 0 && keep > 0; excess = jsonBytes(clipped) - budget) {
      keep = Math.max(0, keep - excess - clipNote(chars.length).length);
      clipped = { ...clipped, [field]: chars.slice(0, keep).join("") + clipNote(chars.length - keep) };
    }
    if (jsonBytes(clipped) <= budget) return clipped;
  }
  return clipped;
}
