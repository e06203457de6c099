// Go-style durations of hours, minutes and seconds (`5m`, `90s`, `1h30m`), as
// external-dns and Kubernetes operators write their intervals. The schema
// (DURATION_PATTERN) accepts only this form, so parsing validated config
// cannot fail; other text is a programming error.

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000 } as const;

export function durationMs(text: string): number {
  const match = /^(?=[0-9])(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/.exec(text);
  if (match === null) throw new RangeError(`"${text}" is not a duration such as 5m, 90s or 1h30m`);
  const [, hours = "0", minutes = "0", seconds = "0"] = match;
  return Number(hours) * UNIT_MS.h + Number(minutes) * UNIT_MS.m + Number(seconds) * UNIT_MS.s;
}
