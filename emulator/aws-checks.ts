// What the run checks in the emulator, read with the SDK directly (aws-inspect.ts):
// a route's records and owner records, its certificate, a settled pass, and
// after the deletes, that AWS holds exactly what the platform set up.
import type { PlatformConfig } from "../core/config/platform-config.ts";
import type { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { ReconcilerManager } from "../reconciler/manager/reconciler-manager.ts";
import { certificate, listenerCertificates, zoneLines } from "./aws-inspect.ts";
import type { PortCall } from "./journaled-ports.ts";
import { OWNER_ID, RESYNC_MS } from "./platform-config.ts";
import { APEXES } from "./platform-setup.ts";
import type { AwsClients, Platform } from "./platform-setup.ts";
import { NAMESPACE, storedRoute } from "./routes.ts";
import type { RouteCase } from "./routes.ts";
import { expect, waitFor } from "./steps.ts";

const OWNER_TAG = "hostgate.dev/owner";
export interface Run {
  clients: AwsClients;
  platform: Platform;
  config: PlatformConfig;
  api: FakeKubeApi;
  manager: ReconcilerManager;
  journal: PortCall[];
  /** apex → the zone's records before hostgate ran. */
  baseline: Map<string, string[]>;
  /** route name → the certificate ARN its status named. */
  certificates: Map<string, string>;
}

/** The alias records hostgate should hold for a route (A, and AAAA on a dualstack ALB). */
export function expectedAliases(run: Run, route: RouteCase): string[] {
  const lb = run.platform.loadBalancers[route.lb];
  const types = lb.ipAddressType === "dualstack" ? ["A", "AAAA"] : ["A"];
  return types.map((type) => `${route.domain} ${type} ALIAS ${lb.hostedZoneId} ${lb.dnsName}`);
}

function expectedOwnerRecord(route: RouteCase, type: string): string {
  const value = `"heritage=external-dns,external-dns/owner=${OWNER_ID},external-dns/resource=domainroute/${NAMESPACE}/${route.name}"`;
  return `${type.toLowerCase()}-${route.domain} TXT ${value}`;
}

export async function checkRecords(run: Run, route: RouteCase): Promise<string> {
  const lines = await zoneLines(run.clients, run.platform.zones[route.apex]);
  for (const alias of expectedAliases(run, route)) {
    expect(lines.includes(alias), `zone ${route.apex} lacks "${alias}"; it holds:\n    ${lines.join("\n    ")}`);
    const owner = expectedOwnerRecord(route, alias.split(" ")[1]);
    expect(lines.includes(owner), `zone ${route.apex} lacks the owner record "${owner}"; it holds:\n    ${lines.join("\n    ")}`);
  }
  const lb = run.platform.loadBalancers[route.lb];
  const zoneId = run.platform.zones[route.apex];
  const statusDns = JSON.stringify(storedRoute(run.api, route.name)?.status?.dns ?? []);
  const wantedDns = JSON.stringify(expectedAliases(run, route).map((a) => ({ name: route.domain, type: a.split(" ")[1], target: lb.dnsName, zoneId })));
  expect(statusDns === wantedDns, `${route.name}'s status.dns is ${statusDns}, expected ${wantedDns}`);
  const added = lines.filter((line) => !run.baseline.get(route.apex)!.includes(line));
  return `${route.apex} gained ${added.length} records:\n    ${added.join("\n    ")}`;
}

export async function checkCertificate(run: Run, route: RouteCase): Promise<string> {
  const status = storedRoute(run.api, route.name)?.status?.certificate;
  const arn = status?.arn;
  expect(arn !== undefined, `${route.name}'s status.certificate names no ARN: ${JSON.stringify(status)}`);
  run.certificates.set(route.name, arn!);
  const view = await certificate(run.clients, arn!);
  expect(view !== undefined, `ACM does not know ${arn}`);
  expect(view!.status === "ISSUED", `${arn} is ${view!.status}, not ISSUED`);
  expect(view!.domainName === route.wildcard, `${arn} is for ${view!.domainName}, not ${route.wildcard}`);
  expect(view!.names.includes(route.apex), `${arn} does not cover the apex ${route.apex}: ${view!.names.join(", ")}`);
  expect(view!.tags[OWNER_TAG] === OWNER_ID, `${arn} is not tagged ${OWNER_TAG}=${OWNER_ID}: ${JSON.stringify(view!.tags)}`);
  const lb = run.platform.loadBalancers[route.lb];
  const attached = await listenerCertificates(run.clients, lb.listenerArn);
  expect(attached.get(arn!) === false, `${arn} is not on ${route.lb}'s listener as an extra certificate: ${JSON.stringify([...attached])}`);
  expect(attached.get(run.platform.defaultCertificateArn) === true, `${route.lb}'s default certificate changed: ${JSON.stringify([...attached])}`);
  return `${route.wildcard} ISSUED, tagged, on ${route.lb}'s listener (${arn})`;
}

/** Waits for a pass of each wholesale controller that re-read Route53 (the resync) and then went idle. */
export async function settledPassSince(run: Run, mark: number, before: Record<string, { reconciles: number }>): Promise<void> {
  await waitFor(
    "the DNS and certificate controllers each ran again (DNS re-reading Route53 at its resync) and went idle",
    RESYNC_MS + 30_000,
    async () => {
      const stats = run.manager.stats();
      const ran = ["dns", "certificates"].every((name) => (stats[name]?.reconciles ?? 0) > (before[name]?.reconciles ?? 0));
      const reread = run.journal.some((call) => call.at >= mark && call.port === "route53" && call.method === "listRecords");
      const idle = Object.values(stats).every((s) => s.inFlight === 0);
      return ran && reread && idle ? true : undefined;
    },
    () => JSON.stringify(run.manager.stats()),
  );
}

/** What differs from the platform as set up: records left or lost, hostgate certificates left, listener certificates other than the default. */
export async function leftovers(run: Run): Promise<string[]> {
  const problems: string[] = [];
  for (const apex of APEXES) {
    const lines = await zoneLines(run.clients, run.platform.zones[apex]);
    const baseline = run.baseline.get(apex)!;
    const extra = lines.filter((l) => !baseline.includes(l));
    const missing = baseline.filter((l) => !lines.includes(l));
    if (extra.length > 0 || missing.length > 0)
      problems.push(`zone ${apex} differs from before hostgate ran: left ${JSON.stringify(extra)}, lost ${JSON.stringify(missing)}`);
  }
  for (const [name, arn] of run.certificates) {
    const left = await certificate(run.clients, arn);
    if (left !== undefined) problems.push(`${name}'s certificate ${arn} is still in ACM (${left.status})`);
  }
  for (const [name, lb] of Object.entries(run.platform.loadBalancers)) {
    const attached = await listenerCertificates(run.clients, lb.listenerArn);
    if (attached.size !== 1 || attached.get(run.platform.defaultCertificateArn) !== true) {
      problems.push(`${name}'s listener should hold only its default certificate: ${JSON.stringify([...attached])}`);
    }
  }
  const kept = await certificate(run.clients, run.platform.defaultCertificateArn);
  if (kept?.tags.team !== "platform") problems.push(`the default certificate changed or went: ${JSON.stringify(kept)}`);
  return problems;
}
