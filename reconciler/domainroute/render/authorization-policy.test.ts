import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProtectionRule } from "../../../crds/types.ts";
import { allowedPaths, authenticatedPaths, protectionProblems } from "./authorization-policy.ts";
import { renderRoute } from "./render-route.ts";
import { aConfig } from "./testing/platform-config.ts";
import { aRoute } from "./testing/route-builder.ts";

const HOSTS = ["shop.example.com", "shop.example.com:*"];

function policyFor(rules: ProtectionRule[] | undefined, provider = "sso", config = aConfig()) {
  const { objects, problems } = renderRoute(aRoute().protected(provider, "shop-app", rules).build(), config);
  assert.deepEqual(problems, []);
  const policy = objects.find((o) => o.kind === "AuthorizationPolicy");
  assert.ok(policy, "no AuthorizationPolicy rendered");
  return policy;
}

describe("the AuthorizationPolicy of a protected route", () => {
  const cases: { name: string; rules: ProtectionRule[] | undefined; to: unknown[] }[] = [
    { name: "sends every request for the domain to the provider when there are no rules", rules: undefined, to: [{ operation: { hosts: HOSTS } }] },
    { name: "leaves no path out when the rules list is empty", rules: [], to: [{ operation: { hosts: HOSTS } }] },
    {
      name: "needs nothing for Authenticate rules alone, which the catch-all already covers",
      rules: [{ action: "Authenticate", paths: ["/admin"] }],
      to: [{ operation: { hosts: HOSTS } }],
    },
    {
      name: "leaves the paths of every Allow rule out of authentication, sorted and once each",
      rules: [
        { action: "Allow", paths: ["/healthz", "/assets/{**}"] },
        { action: "Allow", paths: ["/healthz", "/about"] },
      ],
      to: [{ operation: { hosts: HOSTS, notPaths: ["/about", "/assets/{**}", "/healthz"] } }],
    },
    {
      name: "still authenticates Authenticate paths that an Allow path also matches",
      rules: [
        { action: "Allow", paths: ["/public*"] },
        { action: "Authenticate", paths: ["/public/admin*", "/public/admin*"] },
      ],
      to: [{ operation: { hosts: HOSTS, notPaths: ["/public*"] } }, { operation: { hosts: HOSTS, paths: ["/public/admin*"] } }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const policy = policyFor(c.rules);
      assert.deepEqual(policy.spec, {
        selector: { matchLabels: { istio: "ingressgateway" } },
        action: "CUSTOM",
        provider: { name: "sso" },
        rules: [{ to: c.to }],
      });
    });
  }

  it("lives in the gateway namespace and selects the gateway pods", () => {
    const policy = policyFor(undefined, "sso", aConfig({ gatewayNamespace: "ingress", gatewaySelector: { istio: "edge", app: "gw" } }));
    assert.equal(policy.metadata?.namespace, "ingress");
    assert.deepEqual((policy.spec as { selector: unknown }).selector, { matchLabels: { app: "gw", istio: "edge" } });
  });

  it("names a provider the platform does not have, so Istio denies instead of letting requests through", () => {
    const policy = policyFor(undefined, "ssoo", aConfig({ providers: ["sso"] }));
    assert.deepEqual((policy.spec as { provider: unknown }).provider, { name: "ssoo" });
    assert.equal((policy.spec as { action: unknown }).action, "CUSTOM");
  });
});

describe("allowedPaths and authenticatedPaths", () => {
  it("collect each action's paths, sorted and without duplicates", () => {
    const protection = {
      provider: "sso",
      appId: "a",
      rules: [
        { action: "Allow", paths: ["/b", "/a"] },
        { action: "Authenticate", paths: ["/z", "/y", "/z"] },
        { action: "Allow", paths: ["/a"] },
      ] satisfies ProtectionRule[],
    };
    assert.deepEqual(allowedPaths(protection), ["/a", "/b"]);
    assert.deepEqual(authenticatedPaths(protection), ["/y", "/z"]);
  });
});

describe("protectionProblems", () => {
  const cases: [string, ProtectionRule[], string, RegExp[]][] = [
    ["accepts plain, prefix and templated paths", [{ action: "Allow", paths: ["/healthz", "/static*", "/api/{*}/docs", "/files/{**}"] }], "sso", []],
    ["reports an empty provider", [], "", [/^spec\.protection\.provider is empty/]],
    [
      "reports a path without a leading slash",
      [{ action: "Allow", paths: ["healthz"] }],
      "sso",
      [/^spec\.protection\.rules\[0\]\.paths\[0\] is "healthz": a path starts with "\/"/],
    ],
    [
      "reports a path Istio refuses in an Authenticate rule too",
      [
        { action: "Allow", paths: ["/ok"] },
        { action: "Authenticate", paths: ["/ok", "/{**}/x/{**}"] },
      ],
      "sso",
      [/^spec\.protection\.rules\[1\]\.paths\[1\] is "\/\{\*\*\}\/x\/\{\*\*\}": Istio allows \{\*\*\} only as the last/],
    ],
  ];
  for (const [name, rules, provider, expected] of cases) {
    it(name, () => {
      const problems = protectionProblems({ provider, appId: "a", rules });
      assert.equal(problems.length, expected.length, JSON.stringify(problems));
      for (const [i, pattern] of expected.entries()) assert.match(problems[i]!, pattern);
    });
  }
});
