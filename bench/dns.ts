// Route53 requests the DNS controller sends, counted by the in-memory Route53
// (reconciler/dns/route53/testing/fake-route53.ts, which bills as Route53
// does: a list costs a request per 300 records):
//   - new routes: 1,000 and 10,000 routes appearing at once, in one zone and
//     spread over three, against the fewest ChangeResourceRecordSets requests
//     Route53's limits allow for the same changes (per zone, the larger of
//     records / 1,000 and value characters / 32,000, an UPSERT counting twice;
//     goal: at most 1.1 times that);
//   - steady state: a pass after everything is INSYNC, nothing changed (goal: 0 requests);
//   - resync: the pass after dns.resyncInterval, which reads every zone again
//     (its list requests are shown for information; it must change nothing).
// Exits 1 when a goal is missed.
//
//   node bench/dns.ts
import { ManualClock } from "../core/clock.ts";
import { durationMs } from "../core/config/duration.ts";
import type { PlatformConfig } from "../core/config/platform-config.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { silentLogger } from "../core/logger.ts";
import type { ObjectReader } from "../reconciler/cluster/object-reader.ts";
import { aConfig } from "../reconciler/domainroute/render/testing/platform-config.ts";
import { DnsOutcomes } from "../reconciler/dns/dns-outcomes.ts";
import { DnsState } from "../reconciler/dns/dns-state.ts";
import { RecordRequests } from "../reconciler/dns/record-requests.ts";
import { reconcileDns } from "../reconciler/dns/reconcile-dns.ts";
import { minimumRequests } from "../reconciler/dns/batch-changes.ts";
import type { Route53Operation } from "../reconciler/dns/route53/testing/fake-route53.ts";
import { FakeRoute53 } from "../reconciler/dns/route53/testing/fake-route53.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../reconciler/resources.ts";
import { claimedRoutes } from "./synthetic-state.ts";

const RATIO_GOAL = 1.1;
const APEXES = [
  { apex: "example.com", zoneId: "Z00000000000001" },
  { apex: "example.org", zoneId: "Z00000000000002" },
  { apex: "example.net", zoneId: "Z00000000000003" },
];
const SCENARIOS = [
  { routes: 1_000, zones: 1 },
  { routes: 1_000, zones: 3 },
  { routes: 10_000, zones: 1 },
  { routes: 10_000, zones: 3 },
];

interface Row {
  scenario: string;
  records: number;
  changeRequests: number;
  minimum: number;
  ratio: number;
  firstPassLists: number;
  polls: number;
  steadyRequests: number;
  resyncLists: number;
  resyncChanges: number;
  firstPassMs: number;
  steadyMs: number;
}

async function run(routeCount: number, zoneCount: number): Promise<Row> {
  const apexes = APEXES.slice(0, zoneCount);
  const base = aConfig({ dns: { provider: "route53", ownerId: "hostgate-bench", recordType: "alias", resyncInterval: "5m" } });
  const config: PlatformConfig = { ...base, domains: apexes.map((a) => ({ ...a, additionalZoneIds: [] })) };
  const route53 = new FakeRoute53({ pollsUntilInsync: 0 });
  for (const { apex, zoneId } of apexes) route53.addZone(zoneId, apex);
  const { routes, claims } = claimedRoutes(routeCount, (i) => apexes[i % apexes.length]!.apex);
  const reader: ObjectReader = {
    get: () => undefined,
    list: (resource) => (resource === DOMAIN_ROUTES ? routes : resource === DOMAIN_CLAIMS ? claims : []) as unknown as KubeObject[],
  };
  const records = new RecordRequests();
  records.publish([]);
  const clock = new ManualClock();
  const state = new DnsState();
  const deps = { reader, config, route53, records, outcomes: new DnsOutcomes(), clock, logger: silentLogger };

  const first = await counted(route53, () => reconcileDns(deps, state));
  const sent = route53.calls.filter((c) => c.operation === "changeRecords" && c.outcome === "ok");
  const minimum = apexes.reduce((sum, { zoneId }) => sum + minimumRequests(sent.filter((c) => c.target === zoneId).flatMap((c) => c.changes ?? [])), 0);
  clock.advance(5000);
  const polls = await counted(route53, () => reconcileDns(deps, state));
  const steady = await counted(route53, () => reconcileDns(deps, state));
  clock.advance(durationMs(config.dns.resyncInterval));
  const resync = await counted(route53, () => reconcileDns(deps, state));
  return {
    scenario: `${routeCount.toLocaleString("en")} routes, ${zoneCount} zone${zoneCount === 1 ? "" : "s"}`,
    records: sent.reduce((n, c) => n + (c.changes?.length ?? 0), 0),
    changeRequests: first.counts.changeRecords,
    minimum,
    ratio: first.counts.changeRecords / minimum,
    firstPassLists: first.counts.listRecords,
    polls: polls.counts.changeStatus,
    steadyRequests: total(steady.counts),
    resyncLists: resync.counts.listRecords,
    resyncChanges: resync.counts.changeRecords,
    firstPassMs: first.ms,
    steadyMs: steady.ms,
  };
}

async function counted(route53: FakeRoute53, pass: () => Promise<unknown>): Promise<{ counts: Record<Route53Operation, number>; ms: number }> {
  const before = { ...route53.counts };
  const started = performance.now();
  await pass();
  const ms = performance.now() - started;
  const counts = { ...route53.counts };
  for (const key of Object.keys(counts) as Route53Operation[]) counts[key] -= before[key];
  return { counts, ms };
}

function total(counts: Record<Route53Operation, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

const rows: Row[] = [];
for (const { routes, zones } of SCENARIOS) rows.push(await run(routes, zones));

const header = [
  "scenario",
  "changes",
  "change requests",
  "minimum",
  "ratio",
  "lists",
  "GetChange",
  "steady-state requests",
  "resync lists",
  "resync changes",
  "first pass ms",
  "steady ms",
];
const lines = rows.map((r) => [
  r.scenario,
  String(r.records),
  String(r.changeRequests),
  String(r.minimum),
  r.ratio.toFixed(2),
  String(r.firstPassLists),
  String(r.polls),
  String(r.steadyRequests),
  String(r.resyncLists),
  String(r.resyncChanges),
  r.firstPassMs.toFixed(0),
  r.steadyMs.toFixed(0),
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const format = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
console.log(format(header));
console.log(`|${widths.map((w, i) => (i === 0 ? ` ${"-".repeat(w)} ` : ` ${"-".repeat(w - 1)}: `)).join("|")}|`);
for (const line of lines) console.log(format(line));

const missed: string[] = [];
for (const r of rows) {
  if (r.ratio > RATIO_GOAL)
    missed.push(`${r.scenario}: ${r.changeRequests} change requests against a minimum of ${r.minimum} (ratio ${r.ratio.toFixed(2)} > ${RATIO_GOAL})`);
  if (r.steadyRequests !== 0) missed.push(`${r.scenario}: the steady-state pass sent ${r.steadyRequests} requests (goal 0)`);
  if (r.resyncChanges !== 0) missed.push(`${r.scenario}: the resync pass changed records (${r.resyncChanges} requests) in a zone nobody touched`);
}
console.log(
  `\ngoals: change requests at most ${RATIO_GOAL}× the minimum the batch limits allow; 0 requests in a steady-state pass; a resync reads (lists shown) and changes nothing`,
);
if (missed.length > 0) {
  console.error(`\nmissed:\n${missed.map((m) => `- ${m}`).join("\n")}`);
  process.exit(1);
}
console.log("all goals met");
