// `hostgate render` with DNS and certificates turned on: the Route53 records
// (each with its TXT owner record) and the certificates the controllers
// would want, from their own planners; cert-manager Certificates as objects.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { main } from "../../bin/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "hostgate-render-edge-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const AWS_CONFIG = "examples/platform-config-aws.yaml";

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function route(name: string, domain: string, lb = "alb-in"): string {
  return stringify({
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: { domain, lb, backend: { service: { name: "web", port: 8080 } } },
  });
}

/** examples/platform-config-aws.yaml changed by `edit`, written to a file. */
function config(name: string, edit: (c: Record<string, any>) => void): string {
  const data = parse(readFileSync(AWS_CONFIG, "utf8")) as Record<string, any>;
  edit(data);
  return file(name, stringify(data));
}

const routes = file("routes.yaml", [route("shop", "shop.example.com"), route("eu", "eu.shop.example.com"), route("us", "us.shop.example.com")].join("---\n"));

interface RecordsOutput {
  records: { zoneId: string; name: string; type: string; target: string; resource: string }[];
  certificates: { names: string[]; provider: string; listenerArns: string[]; routes: string[] }[];
}

describe("hostgate render with DNS and certificates", () => {
  test("-o records lists each route's alias record with its TXT owner record, and the certificates with the routes sharing them", async () => {
    const result = await main(["render", "-f", routes, "--config", AWS_CONFIG, "-o", "records"]);
    assert.equal(result.exitCode, 0, result.stderr);
    const output = JSON.parse(result.stdout) as RecordsOutput;
    const shop = output.records.filter((r) => r.name === "shop.example.com");
    assert.deepEqual(
      shop.map((r) => `${r.type} ${r.target}`),
      ["A alias internal-1.us-east-1.elb.amazonaws.com (zone Z35SXDOTRQ7X7K)"],
    );
    const txt = output.records.find((r) => r.name === "a-shop.example.com")!;
    assert.equal(txt.type, "TXT");
    assert.match(txt.target, /external-dns\/owner=hostgate-prod,external-dns\/resource=domainroute\/team-a\/shop/);
    assert.deepEqual(
      output.certificates.map((c) => `${c.names.join(",")} ${c.routes.join(",")}`),
      ["*.example.com,example.com team-a/shop", "*.shop.example.com team-a/eu,team-a/us"],
    );
  });

  test("the YAML output ends with the records and certificates as comments, so it still applies with kubectl", async () => {
    const result = await main(["render", "-f", routes, "--config", AWS_CONFIG]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^# Route53 records hostgate would hold \(dns\.provider route53, owner hostgate-prod; planned against empty zones/m);
    assert.match(result.stdout, /^# {3}Z0123456789ABC {2}A {5}shop\.example\.com {2}alias internal-1/m);
    assert.match(result.stdout, /^# {3}\*\.shop\.example\.com {2}for team-a\/eu, team-a\/us {2}on arn:aws:elasticloadbalancing:/m);
    const documents = parseAllDocuments(result.stdout);
    assert.ok(documents.every((d) => d.errors.length === 0));
    assert.ok(
      documents.every((d) => d.toJS() !== null),
      "the comments form no empty document",
    );
  });

  test("with no DNS and no certificates managed, nothing is added to the output", async () => {
    const result = await main(["render", "-f", routes]);
    assert.doesNotMatch(result.stdout, /^# /m);
    assert.deepEqual(JSON.parse((await main(["render", "-f", routes, "-o", "records"])).stdout), {
      records: [],
      gateways: [],
      elsewhere: [],
      certificates: [],
    });
  });

  test("a CNAME at a zone apex is reported as what keeps the route's records out (exit 1)", async () => {
    const cname = config("cname.yaml", (c) => (c.dns.recordType = "cname"));
    const apex = file("apex.yaml", route("apex", "example.com"));
    const result = await main(["render", "-f", apex, "--config", cname, "-o", "records"]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /DomainRoute team-a\/apex: .*\(DNSReady=False, CnameAtApex\)/);
    assert.ok(!(JSON.parse(result.stdout) as RecordsOutput).records.some((r) => r.name === "example.com"));
  });

  test("with cert-manager, the Certificates are printed among the objects, one per wildcard", async () => {
    const certManager = config("cert-manager.yaml", (c) => {
      c.certificates = { provider: "cert-manager", certManager: { issuerRef: { name: "letsencrypt-dns" } } };
    });
    const result = await main(["render", "-f", routes, "--config", certManager]);
    assert.equal(result.exitCode, 0, result.stderr);
    const certificates = parseAllDocuments(result.stdout)
      .map((d) => d.toJS() as { kind: string; metadata: { namespace: string }; spec: { dnsNames: string[]; issuerRef: { name: string } } })
      .filter((o) => o.kind === "Certificate");
    assert.deepEqual(
      certificates.map((c) => `${c.metadata.namespace} ${c.spec.dnsNames.join(",")} ${c.spec.issuerRef.name}`),
      ["hostgate-system *.example.com,example.com letsencrypt-dns", "hostgate-system *.shop.example.com letsencrypt-dns"],
    );
  });
});
