// Reading config data that may have failed the schema: the semantic checks
// run on it anyway, so every problem shows in one report, and read a field
// only when it has the type they expect.
import { asRecord } from "../json.ts";

/** `value[key]` when value is a mapping and the field a string; otherwise undefined. */
export function stringAt(value: unknown, key: string): string | undefined {
  const field = asRecord(value)?.[key];
  return typeof field === "string" ? field : undefined;
}
