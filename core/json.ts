// Reading parsed JSON (objects from the API server, YAML documents, request
// bodies) without trusting its shape: a JSON object is a non-null, non-array
// object, and anything else reads as absent.

/** The value as a JSON object, or undefined when it is not one. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
