import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ObservabilityLinksConfig } from "../../core/config/observability-config.ts";
import { aRoute } from "../domainroute/render/testing/route-builder.ts";
import { observabilityLinks } from "./observability-links.ts";
import { configWith } from "./testing/observability-config.ts";

describe("observabilityLinks", () => {
  const cases: { name: string; links: ObservabilityLinksConfig | undefined; expected: object }[] = [
    { name: "gives no links without templates", links: undefined, expected: {} },
    {
      name: "fills the domain into the dashboard template",
      links: { dashboard: "https://grafana.example.com/d/hostgate?var-host={domain}" },
      expected: { dashboard: "https://grafana.example.com/d/hostgate?var-host=shop.example.com" },
    },
    {
      name: "fills every placeholder, wherever and however often it appears",
      links: { logs: "https://logs.example.com/{namespace}/{name}?q=host:{domain}&ns={namespace}" },
      expected: { logs: "https://logs.example.com/team-a/shop?q=host:shop.example.com&ns=team-a" },
    },
    {
      name: "leaves other braces alone",
      links: { dashboard: "https://g.example.com/?q={host}&d={domain}" },
      expected: { dashboard: "https://g.example.com/?q={host}&d=shop.example.com" },
    },
  ];
  for (const c of cases)
    it(c.name, () => assert.deepEqual(observabilityLinks(aRoute().build(), configWith(c.links === undefined ? {} : { links: c.links })), c.expected));

  it("URL-encodes what it fills in, so a value never adds a parameter or a fragment", () => {
    const route = aRoute().build();
    route.metadata.name = "a&b=c#d";
    assert.deepEqual(observabilityLinks(route, configWith({ links: { logs: "https://l.example.com/?route={name}" } })), {
      logs: "https://l.example.com/?route=a%26b%3Dc%23d",
    });
  });
});
