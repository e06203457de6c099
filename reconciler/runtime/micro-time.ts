// metav1.MicroTime, the timestamp format of Lease renewTime and acquireTime:
// RFC 3339 in UTC with exactly six fractional digits
// (2030-01-01T00:00:00.000000Z). Clocks here count milliseconds, so the
// last three digits are always written as zeros and ignored when read.

/** Clock milliseconds as a MicroTime. */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A MicroTime (or any RFC 3339 time, as other clients may write) as clock
 * milliseconds; undefined when it is not one.
 */
export function parseMicroTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  // Date.parse's handling of more than three fractional digits is not specified: cut them.
  const fraction = (match[2] ?? "").slice(0, 3).padEnd(3, "0");
  const ms = Date.parse(`${match[1]}.${fraction}${match[3]}`);
  return Number.isNaN(ms) ? undefined : ms;
}
