import assert from "node:assert/strict";
import { test } from "node:test";
import { aConfig } from "./render/testing/platform-config.ts";
import { aRoute } from "./render/testing/route-builder.ts";
import { isKnownProvider, unknownProviderOf } from "./known-provider.ts";

const config = aConfig({ providers: ["sso", "okta"] });

const providerCases = [
  { name: "a listed provider is known", provider: "sso", known: true },
  { name: "another listed provider is known", provider: "okta", known: true },
  { name: "a provider the platform does not list is unknown", provider: "ssoo", known: false },
  { name: "the match is case-sensitive", provider: "SSO", known: false },
  { name: "an empty provider is unknown", provider: "", known: false },
];
for (const c of providerCases) {
  test(c.name, () => assert.equal(isKnownProvider(config, c.provider), c.known));
}

const routeCases = [
  { name: "an unprotected route has no unknown provider", route: aRoute().build(), expected: undefined },
  { name: "a route protected by a listed provider has no unknown provider", route: aRoute().protected("okta", "shop").build(), expected: undefined },
  { name: "a route protected by an unlisted provider names it", route: aRoute().protected("ssoo", "shop").build(), expected: "ssoo" },
];
for (const c of routeCases) {
  test(c.name, () => assert.equal(unknownProviderOf(c.route, config), c.expected));
}

test("a platform with no providers knows none", () => {
  assert.equal(isKnownProvider(aConfig({ providers: [] }), "sso"), false);
});
