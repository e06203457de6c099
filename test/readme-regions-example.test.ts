// The README's worked two-region example is what `hostgate render` prints
// for examples/regions with each cluster's config, not a hand-written
// picture of it: every DNSEndpoint row of its table, and every record line
// of its Route53 block, is checked against a real render here, both ways
// (nothing rendered is missing from the README either), so a change to
// names, labels or records that would make the README wrong fails.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { EXAMPLES, hostgate, ROOT, tempDir } from "./fixtures.ts";

const CLUSTERS = ["weu", "neu"] as const;
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const SECTION_TITLE = "### Worked example: two regions, one namespace in each mode";

/** The worked example's text: from its heading to the next heading of the same level or above. */
function workedExample(): string {
  const start = README.indexOf(SECTION_TITLE);
  assert.ok(start >= 0, `README has no "${SECTION_TITLE}"`);
  const rest = README.slice(start + SECTION_TITLE.length);
  // Level 2 and 3 only: code blocks in the section hold comment lines starting with "# ".
  const end = rest.search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

function configPath(region: string, provider?: "route53"): string {
  const path = join(EXAMPLES, "regions", `platform-config-${region}.yaml`);
  if (provider === undefined) return path;
  const changed = readFileSync(path, "utf8").replace("provider: external-dns", `provider: ${provider}`);
  assert.ok(changed.includes(`provider: ${provider}`), `${path} names dns.provider external-dns`);
  const out = join(tempDir("readme-regions"), `platform-config-${region}.yaml`);
  writeFileSync(out, changed);
  return out;
}

async function render(region: string, provider?: "route53"): Promise<string> {
  const result = await hostgate(
    "render",
    "--config",
    configPath(region, provider),
    "-f",
    join(EXAMPLES, "regions"),
    "-f",
    join(EXAMPLES, "regions-gateways", `gateway-services-${region}.yaml`),
  );
  assert.equal(result.exitCode, 0, result.stderr);
  return result.stdout;
}

interface Endpoint {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { endpoints: { dnsName: string; recordType: string; targets: string[] }[] };
}

/** `cluster | namespace/name | region label | TYPE dnsName → target`, one per DNSEndpoint the render prints. */
function endpointRows(cluster: string, yaml: string): string[] {
  return parseAllDocuments(yaml)
    .map((doc) => doc.toJSON() as { kind?: string } & Endpoint)
    .filter((object) => object?.kind === "DNSEndpoint")
    .flatMap((object) =>
      object.spec.endpoints.map(
        (e) =>
          `aks01-${cluster} | ${object.metadata.namespace}/${object.metadata.name} | ${object.metadata.labels["router.io/region"]} | ${e.recordType} ${e.dnsName} → ${e.targets.join(",")}`,
      ),
    );
}

/** The same rows, read from the README's table (backticks and the TTL note dropped). */
function readmeRows(): string[] {
  const rows: string[] = [];
  for (const line of workedExample().split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (!/^aks01-/.test(cells[1] ?? "")) continue;
    const record = cells[4]!.replace(/`/g, "").replace(/\s*\(TTL \d+\)$/, "");
    rows.push(`${cells[1]} | ${cells[2]!.replace(/`/g, "")} | ${cells[3]} | ${record}`);
  }
  return rows;
}

describe("the README's worked two-region example", () => {
  test("lists exactly the DNSEndpoints each cluster's render prints with external-dns, each with its region label and record", async () => {
    const rendered: string[] = [];
    for (const cluster of CLUSTERS) rendered.push(...endpointRows(cluster, await render(cluster)));
    assert.deepEqual(readmeRows().sort(), rendered.sort());
  });

  test("quotes each cluster's note on what it leaves to the other region as render prints it", async () => {
    const quoted = workedExample()
      .split("\n")
      .filter((line) => line.startsWith("# Routes this cluster publishes nothing for") || line.startsWith("#   team-a/reports:"));
    assert.equal(quoted.length, 2, "the README quotes weu's note");
    const weu = (await render("weu")).split("\n");
    for (const line of quoted) assert.ok(weu.includes(line), `render for weu prints ${line}`);
  });

  test("shows, with Route53, only record lines that render prints for that cluster, and every record that is not a TXT owner record", async () => {
    const block = workedExample()
      .split("```")
      .find((part) => part.includes("# aks01-weu\n"));
    assert.ok(block !== undefined, "the README has the Route53 block");
    let cluster = "";
    const shown = new Map<string, string[]>(CLUSTERS.map((c) => [c, []]));
    for (const line of block.split("\n")) {
      const heading = /^# aks01-(\w+)$/.exec(line);
      if (heading !== null) cluster = heading[1]!;
      else if (line.startsWith("#   ")) shown.get(cluster)!.push(line);
    }
    for (const region of CLUSTERS) {
      const lines = (await render(region, "route53")).split("\n").filter((l) => /^# {3}Z/.test(l));
      const records = lines.filter((l) => !/\sTXT\s/.test(l));
      const quoted = shown.get(region)!;
      // TXT owner records are shortened in the README (`…`): compare them up to the ellipsis.
      for (const line of quoted) {
        const [head, tail] = line.split("…");
        assert.ok(
          lines.some((l) => (tail === undefined ? l === line : l.startsWith(head!) && l.endsWith(tail))),
          `render for ${region} prints ${line}`,
        );
      }
      for (const record of records) assert.ok(quoted.includes(record), `the README shows ${record} for ${region}`);
    }
  });
});
