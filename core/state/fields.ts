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
