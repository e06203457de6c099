// Percentages as the observability settings write them: strings such as "5%"
// or "0.25%", at most two decimals, never floats (the DomainRoute's
// spec.observability override has the same form, and Kubernetes API
// conventions keep floats out of specs). Each range is in its pattern, so the
// config schema and the CRD's CEL rule (RE2, no lookahead) share one text;
// `[.]`, not `\.`, so the text needs no escaping inside a CEL string either.

/** An error-rate threshold: 0.1% to 100% (below 0.1% a handful of failed requests on a busy route would page someone). */
export const THRESHOLD_PERCENT_PATTERN = "^(100([.]00?)?|[1-9][0-9]?([.][0-9][0-9]?)?|0[.][1-9][0-9]?)%$";

/**
 * A tracing sample rate: 0% to 100% in steps of 0.01%, Istio's own range for
 * randomSamplingPercentage. 0% traces only requests whose caller already
 * decided to sample them (a trace header with the sampled flag).
 */
export const SAMPLING_PERCENT_PATTERN = "^(100([.]00?)?|(0|[1-9][0-9]?)([.][0-9][0-9]?)?)%$";

/** The number a percentage string stands for ("0.5%" → 0.5); throws on text no pattern above accepts. */
export function percentValue(text: string): number {
  const match = /^([0-9]{1,3}(\.[0-9]{1,2})?)%$/.exec(text);
  if (match === null) throw new RangeError(`"${text}" is not a percentage such as 5% or 0.5%`);
  return Number(match[1]);
}
