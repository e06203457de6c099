// What the observability section's schema cannot say (observability-schema.ts):
// durations within bounds that keep alerts meaningful, URL templates that make
// absolute http(s) links, alert labels that do not clash with hostgate's own,
// and an access log filter that at least parses as CEL (Istio would refuse
// the whole Telemetry otherwise, and the gateway would log nothing).
import { parse } from "@bufbuild/cel";
import { asRecord } from "../json.ts";
import { isHostgateLabelKey } from "./label-checks.ts";
import { stringAt } from "./data-fields.ts";
import { HOSTGATE_ALERT_LABELS, LINK_PLACEHOLDERS } from "./observability-config.ts";
import { MAX_LINK_LENGTH } from "./observability-schema.ts";
import { isPrometheusDuration, prometheusDurationMs } from "./prometheus-duration.ts";
import type { Issue } from "./schema-problems.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface DurationBound {
  readonly path: readonly string[];
  readonly min: number;
  readonly max: number;
  readonly range: string;
  readonly why: string;
}

const WINDOW_WHY =
  "rate() needs at least two samples in the window (shorter often holds fewer at the usual scrape intervals), and a longer one is a slow query that notices too late";
const FOR_WHY = "an alert that must hold longer than a day is noticed too late";

const DURATION_BOUNDS: readonly DurationBound[] = [
  { path: ["alerting", "errorRate", "window"], min: MINUTE, max: DAY, range: "1m..24h", why: WINDOW_WHY },
  { path: ["alerting", "errorRate", "for"], min: 0, max: DAY, range: "0s..24h", why: FOR_WHY },
  { path: ["alerting", "availability", "window"], min: MINUTE, max: DAY, range: "1m..24h", why: WINDOW_WHY },
  { path: ["alerting", "availability", "for"], min: 0, max: DAY, range: "0s..24h", why: FOR_WHY },
  {
    path: ["alerting", "probes", "interval"],
    min: 10_000,
    max: 60 * MINUTE,
    range: "10s..1h",
    why: "Prometheus refuses a scrape interval shorter than its scrape timeout (10s by default), and an hour between probes leaves a dead VM unnoticed too long",
  },
  { path: ["alerting", "probes", "for"], min: 0, max: DAY, range: "0s..24h", why: FOR_WHY },
];

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) node = asRecord(node)?.[key];
  return node;
}

function durationIssues(observability: unknown): Issue[] {
  return DURATION_BOUNDS.flatMap(({ path, min, max, range, why }) => {
    const text = valueAt(observability, path);
    if (typeof text !== "string" || !isPrometheusDuration(text)) return [];
    const ms = prometheusDurationMs(text);
    if (ms >= min && ms <= max) return [];
    return [{ path: ["observability", ...path], anchor: "value" as const, message: `"${text}" is outside ${range}: ${why}` }];
  });
}

/** Why a links template is unusable, or undefined when it is fine. */
export function linkTemplateProblem(template: string): string | undefined {
  const unknown = [...template.matchAll(/\{[^{}]*\}/g)].map((m) => m[0]).filter((p) => !(p in LINK_PLACEHOLDERS));
  if (unknown.length > 0) {
    return `has the placeholder ${unknown[0]}, which hostgate does not fill in; use only {domain}, {namespace} and {name}, and write a literal brace as %7B or %7D`;
  }
  // Filled in with sample values: the placeholders may stand in the host, which must still make a URL.
  const sample = template.replaceAll("{domain}", "shop.example.com").replaceAll("{namespace}", "team-a").replaceAll("{name}", "shop");
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    return "is not an absolute URL; write it whole, with https:// and the host, e.g. https://grafana.example.com/d/hostgate?var-host={domain}";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `is a ${url.protocol} URL; links are opened in a browser, so write an http:// or https:// URL`;
  }
  if (/[{}]/.test(template.replaceAll(/\{(domain|namespace|name)\}/g, ""))) {
    return "has an unmatched { or }; placeholders are written {domain}, {namespace} and {name}, and a literal brace as %7B or %7D";
  }
  let longest = template;
  for (const [placeholder, length] of Object.entries(LINK_PLACEHOLDERS)) longest = longest.replaceAll(placeholder, "x".repeat(length));
  if (longest.length > MAX_LINK_LENGTH) {
    return `can make a link of ${longest.length} characters for a route with the longest domain, namespace and name; a link holds ${MAX_LINK_LENGTH} at most, so shorten it or use fewer placeholders`;
  }
  return undefined;
}

function linkIssues(observability: unknown): Issue[] {
  const links = asRecord(asRecord(observability)?.links) ?? {};
  return ["dashboard", "logs"].flatMap((key) => {
    const template = stringAt(links, key);
    const problem = template === undefined ? undefined : linkTemplateProblem(template);
    return problem === undefined ? [] : [{ path: ["observability", "links", key], anchor: "value" as const, message: problem }];
  });
}

function alertLabelIssues(observability: unknown): Issue[] {
  const labels = asRecord(asRecord(asRecord(observability)?.alerting)?.labels) ?? {};
  const reserved: readonly string[] = HOSTGATE_ALERT_LABELS;
  return Object.keys(labels)
    .filter((key) => reserved.includes(key) || key.startsWith("__"))
    .map((key) => ({
      path: ["observability", "alerting", "labels", key],
      anchor: "key" as const,
      message: key.startsWith("__")
        ? "starts with __, which Prometheus reserves for its internal labels; use a name of your own, e.g. cluster"
        : `is a label hostgate sets on every alert (${HOSTGATE_ALERT_LABELS.join(", ")}), so this value would never be sent; ` +
          "use a name of your own, e.g. cluster (the team comes from the route label alerting.teamLabelKey)",
    }));
}

/** hostgate's own label keys are how it finds and prunes its objects: a configured one would be overwritten, so it is refused. */
function objectLabelIssues(observability: unknown): Issue[] {
  const labels = asRecord(asRecord(asRecord(observability)?.alerting)?.objectLabels) ?? {};
  return Object.keys(labels)
    .filter(isHostgateLabelKey)
    .map((key) => ({
      path: ["observability", "alerting", "objectLabels", key],
      anchor: "key" as const,
      message: "is a label hostgate sets on every object it writes (to find and prune them), so it cannot be configured; use a key of your own, e.g. release",
    }));
}

function filterIssues(observability: unknown): Issue[] {
  const filter = stringAt(asRecord(asRecord(observability)?.accessLogging) ?? {}, "filter");
  if (filter === undefined || filter.trim() === "") return [];
  try {
    parse(filter);
    return [];
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^<input>:/, "at ");
    return [
      {
        path: ["observability", "accessLogging", "filter"],
        anchor: "value",
        message: `is not a CEL expression (${reason}); Istio would refuse the gateway's Telemetry, so write one such as response.code >= 400`,
      },
    ];
  }
}

export function observabilityIssues(config: Record<string, unknown>): Issue[] {
  const observability = config.observability;
  if (asRecord(observability) === undefined) return [];
  return [
    ...durationIssues(observability),
    ...linkIssues(observability),
    ...alertLabelIssues(observability),
    ...objectLabelIssues(observability),
    ...filterIssues(observability),
  ];
}
