import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { main } from "../../bin/cli.ts";
import { validateIstioObject } from "../domainroute/render/validate-istio.ts";

const dir = mkdtempSync(join(tmpdir(), "hostgate-render-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function routeYaml(name: string, domain: string, extra = ""): string {
  return `apiVersion: hostgate.dev/v1alpha1
kind: DomainRoute
metadata: {name: ${name}, namespace: team-a}
spec:
  domain: ${domain}
  lb: alb-in
  backend: {service: {name: web, port: 8080}}
${extra}
`;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const kinds = (yamlText: string) => parseAllDocuments(yamlText).map((d) => (d.toJS() as { kind: string }).kind);

describe("hostgate render", () => {
  const routes = file(
    "routes.yaml",
    [
      routeYaml("shop", "shop.example.com", "  protection: {provider: sso, appId: shop-app, rules: [{action: Allow, paths: [/health]}]}"),
      routeYaml("blog", "blog.example.com"),
    ].join("---\n"),
  );

  test("prints claims, each route's Istio objects and the appId-table objects in apply order", async () => {
    const result = await main(["render", "-f", routes]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(kinds(result.stdout), [
      "DomainClaim",
      "DomainClaim",
      "AuthorizationPolicy",
      "Gateway",
      "Gateway",
      "VirtualService",
      "VirtualService",
      "EnvoyFilter",
      "ConfigMap",
    ]);
  });

  test("every Istio object it prints validates against Istio's published schemas", async () => {
    const result = await main(["render", "-f", routes, "-o", "json"]);
    const list = JSON.parse(result.stdout) as { kind: string; items: { apiVersion: string; kind: string }[] };
    assert.equal(list.kind, "List");
    const istio = list.items.filter((o) => o.apiVersion.includes("istio.io"));
    assert.equal(istio.length, 6);
    for (const object of istio) validateIstioObject(object);
  });

  test("the appId table maps each protected domain to its appId", async () => {
    const result = await main(["render", "-f", routes, "-o", "json"]);
    const configMap = (JSON.parse(result.stdout) as { items: { kind: string; data?: Record<string, string> }[] }).items.find((o) => o.kind === "ConfigMap")!;
    assert.deepEqual(JSON.parse(configMap.data!["table.json"]!), { "shop.example.com": "shop-app" });
  });

  test("rendering twice gives identical output", async () => {
    assert.equal((await main(["render", "-f", routes])).stdout, (await main(["render", "-f", routes])).stdout);
  });

  test("a second route for a domain renders nothing for it and says who holds it (exit 1)", async () => {
    const dup = file("dup.yaml", [routeYaml("shop", "shop.example.com"), routeYaml("zcopy", "shop.example.com")].join("---\n"));
    const result = await main(["render", "-f", dup]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /DomainRoute team-a\/zcopy: shop\.example\.com is claimed by DomainRoute team-a\/shop/);
    assert.deepEqual(kinds(result.stdout), ["DomainClaim", "Gateway", "VirtualService", "EnvoyFilter", "ConfigMap"]);
  });

  test("an appId wanted by two domains is left out of the table and reported", async () => {
    const two = file(
      "two.yaml",
      [
        routeYaml("a", "a.example.com", "  protection: {provider: sso, appId: same}"),
        routeYaml("b", "b.example.com", "  protection: {provider: sso, appId: same}"),
      ].join("---\n"),
    );
    const result = await main(["render", "-f", two, "-o", "json"]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /appId same is claimed by .*team-a\/a .*team-a\/b.*given to none/);
    const configMap = (JSON.parse(result.stdout) as { items: { kind: string; data?: Record<string, string> }[] }).items.find((o) => o.kind === "ConfigMap")!;
    assert.deepEqual(JSON.parse(configMap.data!["table.json"]!), {});
  });

  test("a route protected by a provider the platform does not list renders no Istio object and is reported (exit 1)", async () => {
    const unknown = file("unknown.yaml", routeYaml("shop", "shop.example.com", "  protection: {provider: ssoo, appId: shop-app}"));
    const result = await main(["render", "-f", unknown]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /DomainRoute team-a\/shop: spec\.protection\.provider is "ssoo", which the platform does not list .*UnknownProvider/);
    assert.deepEqual(kinds(result.stdout), ["DomainClaim", "EnvoyFilter", "ConfigMap"]);
  });

  const usage: [string, string[], RegExp][] = [
    ["no -f", ["render"], /-f PATH is required/],
    ["an unknown output format", ["render", "-f", routes, "-o", "xml"], /-o "xml" is not a format/],
    ["a file without DomainRoutes", ["render", "-f", file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")], /no DomainRoutes found/],
  ];
  for (const [name, argv, message] of usage) {
    test(`${name} is a usage error (exit 2) saying what to fix`, async () => {
      const result = await main(argv);
      assert.equal(result.exitCode, 2);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/);
    });
  }
});
