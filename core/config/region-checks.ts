// Rules about cluster, regions and dns.regionMode that the JSON schema cannot
// express. Written defensively, like semantic-checks.ts, against data that may
// have failed the schema.
import { asRecord } from "../json.ts";
import { stringAt } from "./data-fields.ts";
import type { Issue } from "./schema-problems.ts";

interface RegionEntry {
  readonly i: number;
  readonly name?: string;
  readonly labels?: Record<string, unknown>;
  readonly route53Region?: string;
}

function regionEntries(regions: unknown): RegionEntry[] {
  if (!Array.isArray(regions)) return [];
  return regions.map((r, i) => ({
    i,
    name: stringAt(r, "name"),
    labels: asRecord(asRecord(r)?.dnsControllerLabels),
    route53Region: stringAt(r, "route53Region"),
  }));
}

/** The region names as a message lists them: `weu, neu`, or `none listed`. */
function listed(entries: readonly RegionEntry[]): string {
  const names = entries.map((e) => e.name).filter((n) => n !== undefined);
  return names.length === 0 ? "none listed" : names.join(", ");
}

function duplicateNameIssues(entries: readonly RegionEntry[]): Issue[] {
  const issues: Issue[] = [];
  const first = new Map<string, number>();
  for (const { i, name } of entries) {
    if (name === undefined) continue;
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, i);
    else
      issues.push({
        path: ["regions", i, "name"],
        anchor: "value",
        message: `"${name}" is already listed at regions[${earlier}]; each region is listed once, so remove one of the two entries`,
      });
  }
  return issues;
}

/** This cluster must say which listed region it is in, or Active routes would have no region to publish for. */
function clusterIssues(config: Record<string, unknown>, entries: readonly RegionEntry[]): Issue[] {
  const cluster = asRecord(config.cluster);
  if (cluster === undefined) {
    if (entries.length === 0) return [];
    return [
      {
        path: ["cluster"],
        anchor: "key",
        message: `required key is missing because regions lists ${entries.length} region(s); add cluster: {name: <this cluster, e.g. aks01-weu>, region: <one of ${listed(entries)}>}`,
      },
    ];
  }
  const region = stringAt(cluster, "region");
  if (region === undefined || entries.some((e) => e.name === region)) return [];
  return [
    {
      path: ["cluster", "region"],
      anchor: "value",
      message:
        entries.length === 0
          ? `"${region}" is not one of regions[].name (the config lists no regions); list the platform's regions under regions, or remove cluster`
          : `"${region}" is not one of regions[].name (${listed(entries)}); set it to the region this cluster runs in`,
    },
  ];
}

/** Every label of `inner` is in `outer` with the same value (an empty `inner` counts as not contained: it is reported on its own). */
function contains(outer: Record<string, unknown> | undefined, inner: Record<string, unknown> | undefined): boolean {
  if (outer === undefined || inner === undefined || Object.keys(inner).length === 0) return false;
  return Object.entries(inner).every(([key, value]) => outer[key] === value);
}

/** What each DNS back end needs to know about every region. */
function backEndIssues(config: Record<string, unknown>, entries: readonly RegionEntry[]): Issue[] {
  const provider = stringAt(config.dns, "provider") ?? "none";
  const issues: Issue[] = [];
  if (provider === "route53") {
    const byAwsRegion = new Map<string, RegionEntry>();
    for (const entry of entries) {
      if (entry.route53Region === undefined) {
        issues.push({
          path: ["regions", entry.i],
          anchor: "key",
          message: `needs route53Region because dns.provider is route53: set it to the AWS region this region's cluster runs in (its latency records' Region), e.g. eu-west-1`,
        });
        continue;
      }
      const other = byAwsRegion.get(entry.route53Region);
      if (other === undefined) byAwsRegion.set(entry.route53Region, entry);
      else
        issues.push({
          path: ["regions", entry.i, "route53Region"],
          anchor: "value",
          message: `"${entry.route53Region}" is also regions[${other.i}].route53Region; Route53 allows one latency record per AWS region for a name, so give each region its own AWS region`,
        });
    }
  }
  if (provider === "external-dns") {
    for (const entry of entries) {
      if (entry.labels === undefined || Object.keys(entry.labels).length === 0) {
        issues.push({
          path: ["regions", entry.i, "dnsControllerLabels"],
          anchor: "key",
          message:
            "needs at least one label because dns.provider is external-dns: set the labels this region's external-dns instance selects with --label-filter, e.g. {router.io/region: weu}",
        });
        continue;
      }
      // A DNSEndpoint carrying all of another region's labels is selected by
      // that region's instance too (a --label-filter matches a superset), so
      // equal labels, or one region's inside another's, would publish twice.
      const labels = entry.labels;
      const other = entries.find((o) => o.i !== entry.i && contains(labels, o.labels) && (o.i < entry.i || !contains(o.labels, labels)));
      if (other !== undefined)
        issues.push({
          path: ["regions", entry.i, "dnsControllerLabels"],
          anchor: "value",
          message: contains(other.labels, labels)
            ? `are the same labels as regions[${other.i}].dnsControllerLabels; both regions' external-dns instances would write each other's records, so give each region its own labels`
            : `include all of regions[${other.i}].dnsControllerLabels, so that region's external-dns instance would also write this region's records; give each region a label value of its own, e.g. router.io/region: <region>`,
        });
    }
  }
  return issues;
}

/** The platform default mode and its source region go together, and the region must be listed. */
function regionModeIssues(config: Record<string, unknown>, entries: readonly RegionEntry[]): Issue[] {
  const regionMode = asRecord(asRecord(config.dns)?.regionMode);
  if (regionMode === undefined) return [];
  const mode = stringAt(regionMode, "mode") ?? "Active";
  const source = stringAt(regionMode, "sourceRegion");
  if (mode === "Active" && source !== undefined)
    return [
      {
        path: ["dns", "regionMode", "sourceRegion"],
        anchor: "key",
        message: "is only used with mode RegionBound (mode is Active, where every cluster publishes for its own region): remove it, or set mode to RegionBound",
      },
    ];
  if (mode !== "RegionBound") return [];
  if (entries.length === 0)
    return [
      {
        path: ["dns", "regionMode", "mode"],
        anchor: "value",
        message:
          "is RegionBound, but the config lists no regions: list the platform's regions under regions (and this cluster under cluster), or set mode to Active",
      },
    ];
  if (source === undefined)
    return [
      {
        path: ["dns", "regionMode"],
        anchor: "key",
        message: `needs sourceRegion because mode is RegionBound: set it to the region whose cluster publishes, one of ${listed(entries)}`,
      },
    ];
  if (entries.some((e) => e.name === source)) return [];
  return [
    {
      path: ["dns", "regionMode", "sourceRegion"],
      anchor: "value",
      message: `"${source}" is not one of regions[].name (${listed(entries)}); name the region whose cluster publishes`,
    },
  ];
}

export function regionIssues(config: Record<string, unknown>): Issue[] {
  const entries = regionEntries(config.regions);
  return [...duplicateNameIssues(entries), ...clusterIssues(config, entries), ...backEndIssues(config, entries), ...regionModeIssues(config, entries)];
}
