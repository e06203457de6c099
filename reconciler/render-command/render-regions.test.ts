// `hostgate render` across regions: run with each region's config, it shows
// what that cluster publishes (latency records with their set identifier and
// AWS region, a RegionBound source's simple records, the routes another
// region publishes), with the namespaces' RegionPolicies and gateway
// Services read from the input files.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { main } from "../../bin/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "hostgate-render-regions-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** examples/regions/platform-config-<region>.yaml with dns.provider changed. */
function regionConfig(region: "weu" | "neu", provider: "route53" | "external-dns"): string {
  const data = parse(readFileSync(`examples/regions/platform-config-${region}.yaml`, "utf8")) as Record<string, any>;
  data.dns = { ...data.dns, provider };
  return file(`config-${region}-${provider}.yaml`, stringify(data));
}

const route = (namespace: string, name: string, domain: string, dns?: object) =>
  stringify({
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace },
    spec: { domain, lb: "alb-out", backend: { service: { name: "web", port: 8080 } }, ...(dns === undefined ? {} : { dns }) },
  });
const policy = (namespace: string, spec: object) =>
  stringify({ apiVersion: "hostgate.dev/v1alpha1", kind: "RegionPolicy", metadata: { name: "default", namespace }, spec });
const gatewayService = (ip: string) =>
  stringify({
    apiVersion: "v1",
    kind: "Service",
    metadata: { namespace: "istio-system", name: "istio-ingressgateway-public" },
    spec: { type: "LoadBalancer" },
    status: { loadBalancer: { ingress: [{ ip }] } },
  });

/** team-a follows the platform default (Active); team-b's RegionPolicy binds it to weu. */
const routes = file(
  "routes.yaml",
  [
    route("team-a", "shop", "shop.example.com"),
    route("team-b", "report", "report.example.com"),
    policy("team-b", { mode: "RegionBound", sourceRegion: "weu" }),
  ].join("---\n"),
);
const gateway = file("gateway.yaml", gatewayService("203.0.113.7"));

interface RecordsOutput {
  records: { zoneId: string; name: string; type: string; target: string; resource: string; setIdentifier?: string; region?: string }[];
  gateways: { hostname: string; service: string; loadBalancers: string[]; shown: boolean; note?: string }[];
  elsewhere: { route: string; sourceRegion: string; message: string }[];
}

async function records(region: "weu" | "neu", ...extra: string[]): Promise<RecordsOutput> {
  const result = await main(["render", "-f", routes, ...extra.flatMap((f) => ["-f", f]), "--config", regionConfig(region, "route53"), "-o", "records"]);
  assert.equal(result.exitCode, 0, result.stderr);
  return JSON.parse(result.stdout) as RecordsOutput;
}

const CANNOT_READ = "(status.loadBalancer.ingress), which render cannot read; give the Service with -f to see it";
const line = (r: RecordsOutput["records"][number]) =>
  `${r.type} ${r.name} ${r.target}${r.setIdentifier === undefined ? "" : ` set ${r.setIdentifier} ${r.region}`}`;

describe("hostgate render across regions (Route53)", () => {
  test("each region's cluster shows its own latency set for an Active route, and only the source region the RegionBound route", async () => {
    const weu = await records("weu");
    const neu = await records("neu");
    assert.deepEqual(weu.records.filter((r) => r.type !== "TXT").map(line), [
      "CNAME report.example.com aks01-weu-public.example.com",
      "CNAME shop.example.com aks01-weu-public.example.com set aks01-weu eu-west-1",
    ]);
    assert.deepEqual(neu.records.filter((r) => r.type !== "TXT").map(line), ["CNAME shop.example.com aks01-neu-public.example.com set aks01-neu eu-north-1"]);
    assert.deepEqual(weu.elsewhere, []);
    assert.deepEqual(
      neu.elsewhere.map((e) => `${e.route} ${e.sourceRegion}`),
      ["team-b/report weu"],
    );
  });

  test("a latency record's TXT owner record carries the same set identifier and region, and the cluster's owner id", async () => {
    const txt = (await records("weu")).records.find((r) => r.name === "cname-shop.example.com");
    assert.equal(txt?.setIdentifier, "aks01-weu");
    assert.equal(txt?.region, "eu-west-1");
    assert.match(txt?.target ?? "", /external-dns\/owner=aks01-weu,external-dns\/resource=domainroute\/team-a\/shop/);
  });

  test("without the gateway Service among the inputs the gateway record is not shown and the output says whose address it takes", async () => {
    const weu = await records("weu");
    assert.ok(!weu.records.some((r) => r.name === "aks01-weu-public.example.com"));
    assert.deepEqual(
      weu.gateways.map((g) => `${g.hostname} ${g.shown} ${g.note}`),
      [
        `aks01-weu-internal.corp.example.net false comes from Service istio-system/istio-ingressgateway-internal's address ${CANNOT_READ}`,
        `aks01-weu-public.example.com false comes from Service istio-system/istio-ingressgateway-public's address ${CANNOT_READ}`,
      ],
    );
  });

  test("with the gateway Service among the inputs its address is shown as the gateway record, TTL 60, owned by the Service", async () => {
    const weu = await records("weu", gateway);
    const record = weu.records.find((r) => r.name === "aks01-weu-public.example.com");
    assert.deepEqual(record && { type: record.type, target: record.target, ttl: (record as { ttl?: number }).ttl }, {
      type: "A",
      target: "203.0.113.7",
      ttl: 60,
    });
    assert.match(
      weu.records.find((r) => r.name === "a-aks01-weu-public.example.com")?.target ?? "",
      /resource=gateway\/istio-system\/istio-ingressgateway-public/,
    );
    assert.deepEqual(
      weu.gateways.filter((g) => g.shown).map((g) => g.hostname),
      ["aks01-weu-public.example.com"],
    );
  });

  test("the YAML's trailing comments show the set identifiers, the routes another region publishes and the gateway records not shown", async () => {
    const result = await main(["render", "-f", routes, "--config", regionConfig("neu", "route53")]);
    assert.equal(result.exitCode, 0, result.stderr);
    const comments = result.stdout.split("\n").filter((l) => l.startsWith("#"));
    assert.ok(
      comments.includes(
        "# Route53 records hostgate would hold (dns.provider route53, owner aks01-neu, cluster aks01-neu in region neu; planned against empty zones: render cannot read Route53):",
      ),
      comments.join("\n"),
    );
    assert.ok(
      comments.some((l) => /CNAME shop\.example\.com {2}aks01-neu-public\.example\.com {2}ttl 300 {2}set aks01-neu region eu-north-1$/.test(l)),
      comments.join("\n"),
    );
    assert.ok(comments.includes("#   team-b/report: published by the cluster in region weu"), comments.join("\n"));
    assert.ok(
      comments.some((l) =>
        l.startsWith("#   aks01-neu-public.example.com (loadBalancers alb-out): comes from Service istio-system/istio-ingressgateway-public's address"),
      ),
    );
  });

  test("a RegionPolicy naming a region the config does not list is reported (exit 1), nothing rendered for its records", async () => {
    const unknown = file(
      "unknown.yaml",
      [route("team-c", "x", "x.example.com"), policy("team-c", { mode: "RegionBound", sourceRegion: "apac" })].join("---\n"),
    );
    const result = await main(["render", "-f", unknown, "--config", regionConfig("weu", "route53"), "-o", "records"]);
    assert.equal(result.exitCode, 1);
    assert.match(
      result.stderr,
      /DomainRoute team-c\/x: the namespace's RegionPolicy \(spec\.sourceRegion\) names region apac.*\(DNSReady=False, UnknownSourceRegion\)/,
    );
  });

  test("rendering twice gives identical output", async () => {
    const argv = ["render", "-f", routes, "-f", gateway, "--config", regionConfig("weu", "route53")];
    assert.equal((await main(argv)).stdout, (await main(argv)).stdout);
  });
});

describe("hostgate render across regions (external-dns)", () => {
  const endpoints = async (region: "weu" | "neu", ...extra: string[]) => {
    const result = await main(["render", "-f", routes, ...extra.flatMap((f) => ["-f", f]), "--config", regionConfig(region, "external-dns"), "-o", "json"]);
    assert.equal(result.exitCode, 0, result.stderr);
    return (
      JSON.parse(result.stdout) as {
        items: { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: { endpoints: { dnsName: string }[] } }[];
      }
    ).items.filter((o) => o.kind === "DNSEndpoint");
  };
  const named = (items: Awaited<ReturnType<typeof endpoints>>) =>
    items.map((o) => `${o.spec.endpoints.map((e) => e.dnsName).join(",")} ${o.metadata.labels?.["router.io/region"] ?? ""}`).sort();

  test("the namespace's RegionPolicy in the input reaches the route's DNSEndpoints: the source region writes one per region, the other none", async () => {
    const weu = named(await endpoints("weu"));
    const neu = named(await endpoints("neu"));
    assert.deepEqual(
      weu.filter((e) => e.startsWith("report.")),
      ["report.example.com neu", "report.example.com weu"],
    );
    assert.deepEqual(
      neu.filter((e) => e.startsWith("report.")),
      [],
    );
    assert.deepEqual(
      neu.filter((e) => e.startsWith("shop.")),
      ["shop.example.com neu"],
    );
  });

  test("the gateway Service among the inputs adds the gateway DNSEndpoints this cluster writes", async () => {
    const without = named(await endpoints("weu")).filter((e) => e.startsWith("aks01-"));
    const withService = named(await endpoints("weu", gateway)).filter((e) => e.startsWith("aks01-"));
    assert.deepEqual(without, []);
    assert.ok(withService.length > 0 && withService.every((e) => e.startsWith("aks01-weu-public.example.com")), withService.join("; "));
  });

  test("the YAML parses as documents, the comments after them", async () => {
    const result = await main(["render", "-f", routes, "-f", gateway, "--config", regionConfig("weu", "external-dns")]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.ok(parseAllDocuments(result.stdout).every((d) => d.errors.length === 0));
  });
});
