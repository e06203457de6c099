// The shipped examples are documentation and policy-test input: they must
// read cleanly and agree with each other (the config's apexes, the state's
// grants and routes), or the policy tests built on them test nothing.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { allPoolMembers } from "../config/edge-pool.ts";
import { loadPlatformConfig } from "../config/load.ts";
import { readManifests } from "../objects/read-manifests.ts";
import { loadClusterState } from "./load-cluster-state.ts";

const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
const at = (...parts: string[]) => join(examples, ...parts);

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, any> };

/** Whether `hostname` is exactly granted or below a `*.` wildcard (at any depth, as the policies read grants). */
function covered(hostname: string, granted: readonly string[]): boolean {
  return granted.some((g) => (g.startsWith("*.") ? hostname.endsWith(g.slice(1)) : g === hostname));
}

describe("examples", () => {
  it("the platform config parses", () => {
    const config = loadPlatformConfig(at("platform-config.yaml"));
    assert.deepEqual(
      config.domains.map((d) => d.apex),
      ["example.com", "corp.example.net"],
    );
    assert.deepEqual(config.protection.providers, ["sso"]);
  });

  it("the AWS platform config parses, with Route53 records and ACM certificates on both listeners", () => {
    const config = loadPlatformConfig(at("platform-config-aws.yaml"));
    assert.equal(config.dns.provider, "route53");
    assert.equal(config.certificates.provider, "acm");
    assert.ok(config.loadBalancers["alb-out"].listenerArn !== undefined && config.loadBalancers["alb-in"].listenerArn !== undefined);
  });

  it("the pool config parses: alb-out two ALBs in placement order with their listeners, alb-in one load balancer as before", () => {
    const config = loadPlatformConfig(at("platform-config-pool.yaml"));
    assert.deepEqual(
      allPoolMembers(config).map((m) => [m.lbClass, m.name, m.capacity.certificates, m.entry.listenerArn?.split("/")[2]]),
      [
        ["alb-out", "public-1", 25, "public-1"],
        ["alb-out", "public-2", 50, "public-2"],
        ["alb-in", "alb-in", 25, "internal-1"],
      ],
    );
  });

  it("the two-region configs parse, list the same regions and differ in their cluster (and so owner id) and gateway hostnames only", () => {
    const weu = loadPlatformConfig(at("regions", "platform-config-weu.yaml"));
    const neu = loadPlatformConfig(at("regions", "platform-config-neu.yaml"));
    assert.deepEqual(weu.cluster, { name: "aks01-weu", region: "weu" });
    assert.deepEqual(neu.cluster, { name: "aks01-neu", region: "neu" });
    assert.deepEqual(weu.regions, neu.regions);
    assert.deepEqual(
      weu.regions.map((r) => r.name),
      ["weu", "neu"],
    );
    assert.equal(weu.dns.ownerId, "aks01-weu", "each cluster owns its records under its own name");
    const hostnames = (config: typeof weu) => Object.values(config.loadBalancers).map((lb) => lb.gatewayHostname);
    assert.deepEqual(hostnames(weu), ["aks01-weu-public.example.com", "aks01-weu-internal.corp.example.net"]);
    assert.deepEqual(hostnames(neu), ["aks01-neu-public.example.com", "aks01-neu-internal.corp.example.net"]);
    const { cluster: _w, loadBalancers: _wl, dns: _wd, ...weuRest } = weu;
    const { cluster: _n, loadBalancers: _nl, dns: _nd, ...neuRest } = neu;
    assert.deepEqual(weuRest, neuRest);
    assert.deepEqual({ ...weu.dns, ownerId: "" }, { ...neu.dns, ownerId: "" });
  });

  it("every file in examples/ reads as Kubernetes objects", async () => {
    const manifests = await readManifests([examples]);
    const byFolder = new Map<string, number>();
    for (const m of manifests) {
      const folder = m.source.slice(examples.length).split("/")[0];
      byFolder.set(folder, (byFolder.get(folder) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(byFolder), {
      "platform-config.yaml": 1,
      "platform-config-aws.yaml": 1,
      "platform-config-pool.yaml": 1,
      "platform-config-gateway-api.yaml": 1,
      "platform-config-observability.yaml": 1,
      "gateway-api": 3,
      rejected: 14,
      regions: 7,
      "regions-gateways": 2,
      routes: 5,
      state: 12,
    });
  });

  it("the state indexes its grants and routes", async () => {
    const index = await loadClusterState(at("state"));
    assert.deepEqual(index.counts(), { hostnameGrants: 4, domainRoutes: 4, domains: 4, appIds: 1, grantedNamespaces: 4 });
    const cluster = index.celValue();
    assert.ok((cluster.get("domainRoutesByAppId") as Map<string, unknown>).has("shop-web"));
    const kinds = (cluster.get("grants") as Map<string, unknown>[]).map((g) => g.get("kinds"));
    assert.ok(
      kinds.some((k) => JSON.stringify(k) === '["HTTPRoute"]'),
      "one grant is limited to HTTPRoutes",
    );
  });

  const singleObjectFolders: { folder: string; header: RegExp }[] = [
    { folder: "routes", header: /^# ADMITTED: \S/ },
    { folder: "rejected", header: /^# DENIED: \S/ },
  ];
  for (const { folder, header } of singleObjectFolders) {
    it(`each file in ${folder}/ holds one object and starts with a comment saying why`, async () => {
      const manifests = await readManifests([at(folder)]);
      const sources = manifests.map((m) => m.source);
      assert.equal(new Set(sources).size, sources.length, "one object per file");
      for (const source of sources) {
        assert.ok(!source.includes("#"), `${source} holds more than one document`);
        assert.match(readFileSync(source, "utf8"), header, source);
      }
    });
  }

  it("the routes to admit are granted, under an apex, and clash with nothing in the state", async () => {
    const config = loadPlatformConfig(at("platform-config.yaml"));
    const cluster = (await loadClusterState(at("state"))).celValue();
    const byDomain = cluster.get("domainRoutesByDomain") as Map<string, unknown>;
    const byAppId = cluster.get("domainRoutesByAppId") as Map<string, unknown>;
    const grantsByNamespace = cluster.get("grantsByNamespace") as Map<string, Map<string, unknown>[]>;
    for (const { object, source } of await readManifests([at("routes")])) {
      const route = object as unknown as Obj;
      const hostnames: string[] = route.kind === "DomainRoute" ? [route.spec.domain] : route.spec.hostnames;
      const grants = (grantsByNamespace.get(route.metadata.namespace ?? "") ?? []).filter((g) => {
        const kinds = g.get("kinds") as string[];
        return kinds.length === 0 || kinds.includes(route.kind);
      });
      for (const hostname of hostnames) {
        assert.ok(
          config.domains.some((d) => hostname === d.apex || hostname.endsWith(`.${d.apex}`)),
          `${source}: ${hostname} outside the apexes`,
        );
        assert.ok(
          grants.some((g) => covered(hostname, g.get("hostnames") as string[])),
          `${source}: ${hostname} not granted`,
        );
        assert.ok(!byDomain.has(hostname), `${source}: ${hostname} already used`);
      }
      if (route.spec.protection) assert.ok(!byAppId.has(route.spec.protection.appId), `${source}: appId already used`);
    }
  });

  it("the duplicate examples really collide with the state", async () => {
    const cluster = (await loadClusterState(at("state"))).celValue();
    const [duplicateDomain] = await readManifests([at("rejected", "duplicate-domain.yaml")]);
    const [duplicateAppId] = await readManifests([at("rejected", "duplicate-app-id.yaml")]);
    assert.ok((cluster.get("domainRoutesByDomain") as Map<string, unknown>).has((duplicateDomain.object as unknown as Obj).spec.domain));
    assert.ok((cluster.get("domainRoutesByAppId") as Map<string, unknown>).has((duplicateAppId.object as unknown as Obj).spec.protection.appId));
  });
});
