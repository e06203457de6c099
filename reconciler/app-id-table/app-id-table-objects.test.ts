import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { computeAppIdTable } from "./app-id-table.ts";
import type { AppIdTable } from "./app-id-table.ts";
import {
  CONFLICTS_KEY,
  DEFAULT_APP_ID_TABLE_FILTER_PRIORITY,
  APP_ID_TABLE_CONFIG_MAP_NAME,
  APP_ID_TABLE_ENVOY_FILTER_NAME,
  appIdTableObjectProblems,
  MAX_APP_ID_TABLE_OBJECT_BYTES,
  renderAppIdTableObjects,
  TABLE_KEY,
} from "./app-id-table-objects.ts";
import type { AppIdTableObjectOptions } from "./app-id-table-objects.ts";
import { renderAppIdTableLua } from "./lua.ts";
import { manyEntries, owned } from "./testing/fixtures.ts";

const options: AppIdTableObjectOptions = { namespace: "istio-ingress", selector: { istio: "ingressgateway", app: "gateway" }, identityHeader: "x-app-id" };

function tableOf(...parts: ReturnType<typeof owned>[]): AppIdTable {
  return computeAppIdTable({ routes: parts.map((p) => p.route), claims: parts.map((p) => p.claim), knownProvider: (provider) => provider === "sso" });
}

const table = tableOf(owned("shop", { appId: "shop-id" }), owned("api", { appId: "api-id" }), owned("a", { appId: "shared" }), owned("b", { appId: "shared" }));

/** Every object's keys in sorted order, at every depth. */
function keysSorted(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysSorted);
  if (value === null || typeof value !== "object") return true;
  const keys = Object.keys(value);
  return keys.every((key, i) => i === 0 || keys[i - 1] < key) && Object.values(value).every(keysSorted);
}

const field = (object: KubeObject, ...path: string[]): unknown =>
  path.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object);

describe("renderAppIdTableObjects", () => {
  const { envoyFilter, configMap } = renderAppIdTableObjects(table, options);

  it("renders an EnvoyFilter the official Istio model accepts", () => {
    assert.doesNotThrow(() => new EnvoyFilter(envoyFilter as ConstructorParameters<typeof EnvoyFilter>[0]).validate());
  });

  it("inserts the Lua filter before ext_authz on the selected gateway, at priority -10 by default", () => {
    assert.equal(envoyFilter.apiVersion, "networking.istio.io/v1alpha3");
    assert.equal(envoyFilter.kind, "EnvoyFilter");
    assert.deepEqual(envoyFilter.metadata, {
      annotations: { "hostgate.dev/entries": "2" },
      labels: { "app.kubernetes.io/component": "identity-table", "app.kubernetes.io/managed-by": "hostgate" },
      name: APP_ID_TABLE_ENVOY_FILTER_NAME,
      namespace: "istio-ingress",
    });
    assert.deepEqual(field(envoyFilter, "spec", "workloadSelector"), { labels: { app: "gateway", istio: "ingressgateway" } });
    assert.equal(field(envoyFilter, "spec", "priority"), DEFAULT_APP_ID_TABLE_FILTER_PRIORITY);
    assert.equal(DEFAULT_APP_ID_TABLE_FILTER_PRIORITY, -10);
    assert.deepEqual(field(envoyFilter, "spec", "configPatches"), [
      {
        applyTo: "HTTP_FILTER",
        match: {
          context: "GATEWAY",
          listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager", subFilter: { name: "envoy.filters.http.ext_authz" } } } },
        },
        patch: {
          operation: "INSERT_BEFORE",
          value: {
            name: "hostgate.identity",
            typed_config: {
              "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua",
              default_source_code: { inline_string: renderAppIdTableLua(table.entries, "x-app-id") },
            },
          },
        },
      },
    ]);
  });

  it("uses a given priority", () => {
    const custom = renderAppIdTableObjects(table, { ...options, priority: -100 });
    assert.equal(field(custom.envoyFilter, "spec", "priority"), -100);
    assert.doesNotThrow(() => new EnvoyFilter(custom.envoyFilter as ConstructorParameters<typeof EnvoyFilter>[0]).validate());
  });

  it("renders an audit ConfigMap with the table and conflicts as sorted JSON", () => {
    assert.equal(configMap.apiVersion, "v1");
    assert.equal(configMap.kind, "ConfigMap");
    assert.equal(field(configMap, "metadata", "name"), APP_ID_TABLE_CONFIG_MAP_NAME);
    assert.equal(field(configMap, "metadata", "namespace"), "istio-ingress");
    assert.deepEqual(field(configMap, "metadata", "labels"), {
      "app.kubernetes.io/component": "identity-table",
      "app.kubernetes.io/managed-by": "hostgate",
      "hostgate.dev/audit-copy": "true",
    });
    const annotations = field(configMap, "metadata", "annotations") as Record<string, string>;
    assert.equal(annotations["hostgate.dev/entries"], "2");
    assert.match(annotations["hostgate.dev/audit-note"], /EnvoyFilter istio-ingress\/hostgate-identity is authoritative.*reverts/);
    const data = configMap.data as Record<string, string>;
    assert.deepEqual(Object.keys(data), [CONFLICTS_KEY, TABLE_KEY]);
    assert.equal(data[TABLE_KEY], '{\n"api.example.com":"api-id",\n"shop.example.com":"shop-id"\n}\n');
    assert.equal(data[CONFLICTS_KEY], '[\n{"appId":"shared","routes":["team-a/a (a.example.com)","team-a/b (b.example.com)"]}\n]\n');
  });

  it("keeps integer-like hosts in sorted place in table.json", () => {
    const numeric = renderAppIdTableObjects(tableOf(owned("b", { domain: "b.example", appId: "b" }), owned("n", { domain: "1", appId: "n" })), options);
    assert.equal((numeric.configMap.data as Record<string, string>)[TABLE_KEY], '{\n"1":"n",\n"b.example":"b"\n}\n');
  });

  it("renders an empty table as valid, empty JSON and a filter with no entries", () => {
    const empty = renderAppIdTableObjects(computeAppIdTable({ routes: [], claims: [], knownProvider: () => true }), options);
    assert.deepEqual(empty.configMap.data, { [CONFLICTS_KEY]: "[]\n", [TABLE_KEY]: "{}\n" });
    assert.equal(field(empty.envoyFilter, "metadata", "annotations", "hostgate.dev/entries"), "0");
  });

  it("sorts the keys of both objects at every depth", () => {
    assert.ok(keysSorted(envoyFilter));
    assert.ok(keysSorted(configMap));
  });

  it("renders byte-identical objects from the same table", () => {
    assert.equal(JSON.stringify(renderAppIdTableObjects(table, options)), JSON.stringify({ envoyFilter, configMap }));
  });
});

describe("appIdTableObjectProblems", () => {
  const withEntries = (count: number) => renderAppIdTableObjects({ entries: manyEntries(count), conflicts: [], routeStates: new Map() }, options);

  it("finds nothing wrong with a table that fits", () => {
    assert.deepEqual(appIdTableObjectProblems(withEntries(1_000)), []);
  });

  it("names each object that is too large, its size, and what to do", () => {
    const objects = withEntries(40_000);
    const problems = appIdTableObjectProblems(objects);
    assert.equal(problems.length, 2);
    const efBytes = Buffer.byteLength(JSON.stringify(objects.envoyFilter));
    assert.ok(efBytes > MAX_APP_ID_TABLE_OBJECT_BYTES);
    assert.match(
      problems[0],
      new RegExp(`^EnvoyFilter istio-ingress/hostgate-identity would be ${efBytes.toLocaleString("en-US")} bytes of JSON, over the 1,000,000 bytes`),
    );
    assert.match(problems[1], /^ConfigMap istio-ingress\/hostgate-identity-table would be [\d,]+ bytes/);
    for (const problem of problems) assert.match(problem, /40000 entries\) is too large for one object.*fewer routes.*shorter appIds/);
  });
});
