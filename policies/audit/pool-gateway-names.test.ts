// poolGatewayNames reads the pool's names from the config as the audit gets
// it (a CEL value); the reconciler names its pooled Gateways by
// core/config/edge-pool.ts memberNamed. The two must agree on every name,
// members and near misses alike, for each example config.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { configToCel, loadPlatformConfig } from "../../core/config/index.ts";
import { memberNamed, poolMembers } from "../../core/config/edge-pool.ts";
import { LOAD_BALANCER_CLASSES } from "../../core/config/load-balancer-entries.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { poolGatewayNames } from "./pool-gateway-names.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples");

/** Every name a member of `config` has, and names that only look like one. */
function candidates(config: PlatformConfig): string[] {
  const names = new Set<string>(["", "edge", "public", "public-", "01"]);
  for (const lbClass of LOAD_BALANCER_CLASSES) {
    names.add(lbClass);
    for (const member of poolMembers(config, lbClass)) names.add(member.name).add(`${member.name}x`);
    const prefix = config.loadBalancers[lbClass].autoscale?.prefix;
    if (prefix === undefined) continue;
    for (let i = 0; i <= 100; i++) names.add(`${prefix}-${String(i).padStart(2, "0")}`).add(`${prefix}-${i}`);
    names.add(`${prefix}-0a`).add(`${prefix}--01`).add(`x${prefix}-01`);
  }
  return [...names];
}

describe("poolGatewayNames", () => {
  for (const file of ["platform-config-gateway-api.yaml", "platform-config-pool.yaml", "platform-config.yaml"]) {
    test(`names exactly the pool members memberNamed knows, for examples/${file}`, () => {
      const config = loadPlatformConfig(join(EXAMPLES, file));
      const named = poolGatewayNames(configToCel(config));
      const differ = candidates(config).filter((name) => named(name) !== LOAD_BALANCER_CLASSES.some((c) => memberNamed(config, c, name) !== undefined));
      assert.deepEqual(differ, []);
    });
  }

  test("the example gateway-api config's members are named: configured, autoscaled 01..99, and none else", () => {
    const named = poolGatewayNames(configToCel(loadPlatformConfig(join(EXAMPLES, "platform-config-gateway-api.yaml"))));
    assert.deepEqual(
      ["public-1", "internal-1", "public-01", "public-99", "public-00", "public-100", "alb-out", "alb-in"].map((name) => [name, named(name)]),
      [
        ["public-1", true],
        ["internal-1", true],
        ["public-01", true],
        ["public-99", true],
        ["public-00", false],
        ["public-100", false],
        ["alb-out", false],
        ["alb-in", false],
      ],
    );
  });

  test("a plain object reads as the CEL value does, and a config without loadBalancers names no Gateway", () => {
    const named = poolGatewayNames({ loadBalancers: { "alb-out": { members: [{ name: "a" }] }, "alb-in": {} } });
    assert.deepEqual([named("a"), named("alb-in"), named("alb-out")], [true, true, false]);
    assert.equal(poolGatewayNames({ gateway: { provider: "gateway-api" } })("alb-out"), false);
  });
});
