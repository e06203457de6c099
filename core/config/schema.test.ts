import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { platformConfigSchema } from "./schema.ts";
import { closestKey } from "./schema-problems.ts";

/** Paths of schema nodes that describe a key but have no description. */
function undocumented(node: unknown, path: string, out: string[]): string[] {
  if (node === null || typeof node !== "object") return out;
  const schema = node as Record<string, unknown>;
  if (typeof schema.description !== "string" || schema.description.length < 10) out.push(path || "(root)");
  for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) {
    undocumented(child, path ? `${path}.${key}` : key, out);
  }
  if (schema.items) undocumented(schema.items, `${path}[]`, out);
  if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
    undocumented(schema.additionalProperties, `${path}.*`, out);
  }
  return out;
}

/** Maps keyed by names the config chooses: label maps, and authServices keyed by protection provider (each value is closed). */
const OPEN_MAPS = new Set([
  "gateway.selector",
  "dns.externalDns.labels",
  "regions[].dnsControllerLabels",
  "gateway.gatewayApi.authServices",
  "observability.alerting.labels",
  "observability.alerting.objectLabels",
]);

describe("platformConfigSchema", () => {
  it("documents every key, because the README and error messages quote it", () => {
    assert.deepEqual(undocumented(platformConfigSchema, "", []), []);
  });

  it("is closed everywhere except maps keyed by chosen names, so typos are errors", () => {
    const open: string[] = [];
    const walk = (node: Record<string, any>, path: string) => {
      if (node.type === "object" && node.additionalProperties !== false && !OPEN_MAPS.has(path)) open.push(path);
      for (const [key, child] of Object.entries(node.properties ?? {})) walk(child as Record<string, any>, path ? `${path}.${key}` : key);
      if (node.items) walk(node.items, `${path}[]`);
    };
    walk(platformConfigSchema, "");
    assert.deepEqual(open, []);
  });
});

describe("closestKey", () => {
  const cases: { key: string; allowed: string[]; expected: string | undefined }[] = [
    { key: "requireOnPublc", allowed: ["providers", "requireOnPublic"], expected: "requireOnPublic" },
    { key: "Domains", allowed: ["domains", "kind"], expected: "domains" },
    { key: "loadbalancers", allowed: ["domains", "loadBalancers"], expected: "loadBalancers" },
    { key: "color", allowed: ["domains", "loadBalancers"], expected: undefined },
  ];
  for (const c of cases) {
    it(`suggests ${c.expected ?? "nothing"} for ${c.key}`, () => assert.equal(closestKey(c.key, c.allowed), c.expected));
  }
});
