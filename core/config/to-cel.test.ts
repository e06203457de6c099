import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { celEnv, parse, plan } from "@bufbuild/cel";
import { configYaml } from "./config-fixtures.ts";
import { parsePlatformConfig } from "./load.ts";
import { configToCel } from "./to-cel.ts";

function evaluate(expression: string, config: unknown): unknown {
  return plan(celEnv({}), parse(expression))({ config } as never);
}

describe("configToCel", () => {
  const config = parsePlatformConfig(configYaml(), "platform.yaml");

  it("is computed once per config object", () => {
    assert.equal(configToCel(config), configToCel(config));
  });

  it("is a different value for a different config", () => {
    assert.notEqual(configToCel(config), configToCel(parsePlatformConfig(configYaml(), "platform.yaml")));
  });

  it("uses Maps for every mapping, never plain objects", () => {
    const cel = configToCel(config);
    assert.ok(cel instanceof Map);
    const loadBalancers = cel.get("loadBalancers") as Map<string, unknown>;
    assert.ok(loadBalancers.get("alb-in") instanceof Map);
    assert.ok((cel.get("domains") as unknown[])[0] instanceof Map);
  });

  const expressions: { name: string; expression: string; expected: unknown }[] = [
    { name: "a nested boolean reads as bool", expression: "config.protection.requireOnPublic", expected: true },
    { name: "membership in a list works", expression: "'sso' in config.protection.providers", expected: true },
    { name: "keys with dashes are indexable", expression: "config.loadBalancers['alb-in'].dnsName", expected: "internal-1.us-east-1.elb.amazonaws.com" },
    { name: "list macros see maps", expression: "config.domains.exists(d, 'shop.example.com'.endsWith('.' + d.apex))", expected: true },
    { name: "has() works on sections", expression: "has(config.serviceBackends.allowCrossNamespace)", expected: true },
  ];
  for (const c of expressions) {
    it(`works in real CEL: ${c.name}`, () => assert.deepEqual(evaluate(c.expression, configToCel(config)), c.expected));
  }
});
