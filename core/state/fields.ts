// Defensive readers for stored objects. The index must never throw on a
// malformed object (a half-written test fixture, an old schema): a missing
// or wrongly typed field simply reads as absent.
import { asRecord } from "../json.ts";

export function recordAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (value === null || typeof value !== "object") return undefined;
  return asRecord((value as Record<string, unknown>)[key]);
}

export function stringAt(value: unknown, key: string): string {
  if (value === null || typeof value !== "object") return "";
  const field = (value as Record<string, unknown>)[key];
  return typeof field === "string" ? field : "";
}

/** The strings of a list field, de-duplicated in order; non-strings dropped. */
export function stringsAt(value: unknown, key: string, normalize: (s: string) => string = (s) => s): string[] {
  if (value === null || typeof value !== "object") return [];
  const field = (value as Record<string, unknown>)[key];
  if (!Array.isArray(field)) return [];
  const seen = new Set<string>();
  for (const item of field) {
    if (typeof item === "string" && item !== "") seen.add(normalize(item));
  }
  return [...seen];
}

/**
 * DNS names compare case-insensitively and `a.example.com.` is the same name
 * as `a.example.com`, so both are folded before they become index keys.
 */
export function normalizeHostname(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/**
 * A copy of `s` that shares no memory with any other string. Strings read
 * from a YAML file are V8 "sliced strings": views into the whole file's
 * text, which they keep alive. The index keeps its strings for the life of
 * the process, so it stores copies and the file text can be collected (with
 * a 10,000-route state it is megabytes). A JSON round trip is the one copy
 * V8 reliably makes flat; it costs about a microsecond per string.
 */
export function detached(s: string): string {
  return s === "" ? s : (JSON.parse(JSON.stringify(s)) as string);
}
