// Reading the platform config on the policies side, where it arrives as a CEL
// value (Maps, from core/config configToCel) or, in tests and tools, as a
// plain object. Read defensively: a missing or malformed field is undefined,
// and the callers treat undefined as "proves nothing" (fail closed).
import { isRecord } from "../../core/json.ts";

/** `value[key]` of a CEL Map or a plain object; undefined for anything else. */
export function configField(value: unknown, key: string): unknown {
  if (value instanceof Map) return value.get(key);
  return isRecord(value) ? value[key] : undefined;
}
