// Terminating routes leave the admission indexes (issue 10, item 2): a route
// being deleted no longer holds its appId or domain against anyone, so it
// can neither squat another team's appId nor lock the owner out of its own
// route. Through decide() with the real library, over an index built here.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decide } from "../../policies/verdict.ts";
import type { Verdict } from "../../policies/verdict.ts";
import { admissionInput, domainRoute, grant, scenarioEnvironment, terminating, withSpec } from "../../policies/testing/admission-scenarios.ts";

const owner = domainRoute("team-a", "shop-web", { domain: "shop.example.com", lb: "alb-out", protection: { provider: "sso", appId: "shop-web" } });
// team-b's route took team-a's appId while Terminating (before the deletion window was closed).
const squatter = terminating(domainRoute("team-b", "squat", { domain: "api.example.com", protection: { provider: "sso", appId: "shop-web" } }));
// team-a's old cart route, on its way out.
const oldCart = terminating(domainRoute("team-a", "cart", { domain: "cart.shop.example.com", protection: { provider: "sso", appId: "cart" } }));

const STATE = [
  grant("team-a-shop", ["team-a"], ["shop.example.com", "*.shop.example.com"]),
  grant("team-b-api", ["team-b"], ["api.example.com"]),
  owner,
  squatter,
  oldCart,
];
// The index is built from these objects by ClusterStateIndex, as the webhook's cache builds it.
const environment = scenarioEnvironment(STATE);

const denyingPolicies = (verdict: Verdict) => [...new Set(verdict.denials.map((d) => d.policy))].sort();

describe("a Terminating route holds no appId or domain in admission", () => {
  const cases: Array<{ name: string; verdict: () => Verdict; deniedBy: string[]; message?: RegExp }> = [
    {
      name: "the owner of an appId a Terminating route squats can still update its own route",
      verdict: () => decide(admissionInput("UPDATE", withSpec(owner, { backend: { service: { name: "shop-web", port: 9090 } } }), owner), environment),
      deniedBy: [],
    },
    {
      name: "another route may take the appId of a Terminating route",
      verdict: () =>
        decide(
          admissionInput("CREATE", domainRoute("team-a", "cart-v2", { domain: "cart2.shop.example.com", protection: { provider: "sso", appId: "cart" } })),
          environment,
        ),
      deniedBy: [],
    },
    {
      name: "another route may take the domain of a Terminating route (its DomainClaim still decides who is served)",
      verdict: () =>
        decide(
          admissionInput("CREATE", domainRoute("team-a", "cart-v2", { domain: "cart.shop.example.com", protection: { provider: "sso", appId: "cart-v2" } })),
          environment,
        ),
      deniedBy: [],
    },
    {
      name: "the control: a live route still holds its appId, and the denial names only it",
      verdict: () =>
        decide(
          admissionInput("CREATE", domainRoute("team-a", "copy", { domain: "copy.shop.example.com", protection: { provider: "sso", appId: "shop-web" } })),
          environment,
        ),
      deniedBy: ["appid-unique"],
      message: /^spec\.protection\.appId "shop-web" is already used by DomainRoute team-a\/shop-web \(shop\.example\.com\); /,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const verdict = c.verdict();
      assert.deepEqual(denyingPolicies(verdict), c.deniedBy, JSON.stringify(verdict.denials));
      if (c.message) assert.match(verdict.denials[0]!.message, c.message);
    });
  }
});
