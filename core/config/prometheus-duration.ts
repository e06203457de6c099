// Prometheus durations (`30s`, `5m`, `1h30m`, `1d`, `500ms`), as rule windows,
// alert `for` and probe intervals are written: units y, w, d, h, m, s, ms, each
// at most once, largest first, whole numbers only. The pattern is
// prometheus-operator's own for its Duration fields, so what the config and
// the DomainRoute CRD accept is exactly what PrometheusRule and Probe accept.
// It has no lookahead: the CRD evaluates it with RE2 (CEL `matches`).

export const PROMETHEUS_DURATION_PATTERN = "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$";

const UNIT_MS: Readonly<Record<string, number>> = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** True for a Prometheus duration other than the empty text (which the pattern also matches). */
export function isPrometheusDuration(text: string): boolean {
  return text !== "" && new RegExp(PROMETHEUS_DURATION_PATTERN).test(text);
}

/** Milliseconds of a Prometheus duration; throws on other text (validated config never holds any). */
export function prometheusDurationMs(text: string): number {
  if (!isPrometheusDuration(text)) throw new RangeError(`"${text}" is not a Prometheus duration such as 30s, 5m, 1h30m or 1d`);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)(ms|[ywdhms])/g)) ms += Number(amount) * UNIT_MS[unit];
  return ms;
}
