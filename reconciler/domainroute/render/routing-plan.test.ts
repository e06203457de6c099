import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DomainRoute } from "../../../crds/types.ts";
import type { RoutingPlan } from "./routing-plan.ts";
import { planRouting } from "./routing-plan.ts";
import { aRoute } from "./testing/route-builder.ts";

describe("planRouting", () => {
  const cases: [string, DomainRoute, RoutingPlan][] = [
    [
      "routes a Service in the route's namespace",
      aRoute().named("shop", "team-a").service("web", 8080).build(),
      { kind: "service", host: "web.team-a.svc.cluster.local", port: 8080 },
    ],
    [
      "routes a Service in the namespace it names",
      aRoute().service("web", 80, "shared").build(),
      { kind: "service", host: "web.shared.svc.cluster.local", port: 80 },
    ],
    [
      "defaults an external endpoint's protocol to HTTP",
      aRoute().external("192.168.1.10", 8080).build(),
      { kind: "external", ip: "192.168.1.10", port: 8080, protocol: "HTTP" },
    ],
    [
      "keeps an external endpoint's protocol",
      aRoute().external("192.168.1.10", 8443, "HTTPS").build(),
      { kind: "external", ip: "192.168.1.10", port: 8443, protocol: "HTTPS" },
    ],
    ["leaves routing to the team in External mode", aRoute().mode("External").build(), { kind: "team-routed" }],
  ];
  for (const [name, route, plan] of cases) {
    it(name, () => {
      assert.deepEqual(planRouting(route), plan);
    });
  }

  const unroutable: [string, DomainRoute, RegExp[]][] = [
    [
      "reports a Service without a name",
      aRoute()
        .backend({ service: { name: "", port: 80 } })
        .build(),
      [/^spec\.backend\.service\.name is empty/],
    ],
    [
      "reports a Service port out of range",
      aRoute().service("web", 70000).build(),
      [/^spec\.backend\.service\.port is 70000: set the Service port .* from 1 to 65535/],
    ],
    ["reports a Service port that is not a whole number", aRoute().service("web", 80.5).build(), [/^spec\.backend\.service\.port is 80\.5/]],
    [
      "reports an external endpoint without an address or a port",
      aRoute()
        .backend({ external: {} as never })
        .build(),
      [/^spec\.backend\.external\.ip is null/, /^spec\.backend\.external\.port is null/],
    ],
    ["reports an empty backend", aRoute().backend({}).build(), [/^spec\.backend sets neither/]],
  ];
  for (const [name, route, patterns] of unroutable) {
    it(name, () => {
      const plan = planRouting(route);
      assert.equal(plan.kind, "unroutable");
      const problems = plan.kind === "unroutable" ? plan.problems : [];
      assert.equal(problems.length, patterns.length, JSON.stringify(problems));
      for (const [i, pattern] of patterns.entries()) assert.match(problems[i]!, pattern);
    });
  }
});
