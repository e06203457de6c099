// spec.observability and status.observability of the DomainRoute CRD (issue 18),
// checked as the API server would (policies/schema): a route's alert overrides
// are refused with a message that says what to write, in the same form the
// platform config takes, and the status links fit what the config can build.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SAMPLING_PERCENT_PATTERN, THRESHOLD_PERCENT_PATTERN } from "../core/config/percent.ts";
import { MAX_LINK_LENGTH } from "../core/config/observability-schema.ts";
import { PROMETHEUS_DURATION_PATTERN } from "../core/config/prometheus-duration.ts";
import { checkCustomResource } from "../policies/schema/check.ts";
import { loadCrdCatalog } from "./catalog.ts";
import type { ObservabilitySpec, ObservabilityStatus } from "./types.ts";

const entry = loadCrdCatalog().lookup("hostgate.dev/v1alpha1", "DomainRoute")!;
const properties = entry.schema.properties!;

function messagesFor(observability: unknown): string[] {
  const route = {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "web", namespace: "shop" },
    spec: { domain: "shop.example.com", lb: "alb-in", backend: { service: { name: "web", port: 8080 } }, observability },
  };
  return checkCustomResource(entry, route, { operation: "CREATE" }).violations.map((v) => v.message);
}

const THRESHOLD = "must be a percentage from 0.1% to 100% with at most two decimals";
const WINDOW_FORM = "must be a Prometheus duration: whole numbers with the units y, w, d, h, m, s or ms";
const WINDOW_RANGE = "must be from 1m to 24h (or exactly 1d)";

describe("spec.observability of a DomainRoute", () => {
  const cases: { name: string; observability: unknown; refused?: { field: string; says: string } }[] = [
    { name: "no overrides at all", observability: {} },
    { name: "alerts turned off", observability: { alerts: false } },
    { name: "a threshold of 5%", observability: { errorRate: { threshold: "5%" } } },
    { name: "a threshold of 0.1%, the lowest", observability: { errorRate: { threshold: "0.1%" } } },
    { name: "a threshold of 100%", observability: { errorRate: { threshold: "100%" } } },
    { name: "a window of 10m", observability: { errorRate: { window: "10m" } } },
    { name: "a window of 1h30m", observability: { errorRate: { window: "1h30m" } } },
    { name: "a window of 1d", observability: { errorRate: { window: "1d" } } },
    { name: "a window of 24h", observability: { errorRate: { window: "24h" } } },
    { name: "a threshold of 0%", observability: { errorRate: { threshold: "0%" } }, refused: { field: "threshold", says: THRESHOLD } },
    { name: "a threshold of 0.05%", observability: { errorRate: { threshold: "0.05%" } }, refused: { field: "threshold", says: THRESHOLD } },
    { name: "a threshold of 150%", observability: { errorRate: { threshold: "150%" } }, refused: { field: "threshold", says: THRESHOLD } },
    { name: "a threshold written as a fraction", observability: { errorRate: { threshold: "0.05" } }, refused: { field: "threshold", says: THRESHOLD } },
    { name: "a threshold with three decimals", observability: { errorRate: { threshold: "1.125%" } }, refused: { field: "threshold", says: THRESHOLD } },
    { name: "a window in Go's fractional form", observability: { errorRate: { window: "1.5h" } }, refused: { field: "window", says: WINDOW_FORM } },
    { name: "a window in words", observability: { errorRate: { window: "ten minutes" } }, refused: { field: "window", says: WINDOW_FORM } },
    { name: "a window of 30s", observability: { errorRate: { window: "30s" } }, refused: { field: "window", says: WINDOW_RANGE } },
    { name: "a window of 0", observability: { errorRate: { window: "0" } }, refused: { field: "window", says: WINDOW_RANGE } },
    { name: "a window of 25h", observability: { errorRate: { window: "25h" } }, refused: { field: "window", says: WINDOW_RANGE } },
    { name: "a window of 1w", observability: { errorRate: { window: "1w" } }, refused: { field: "window", says: WINDOW_RANGE } },
  ];
  for (const { name, observability, refused } of cases) {
    it(`${refused === undefined ? "accepts" : "refuses"} ${name}`, () => {
      const messages = messagesFor(observability);
      if (refused === undefined) assert.deepEqual(messages, []);
      else {
        assert.equal(messages.length, 1, messages.join("\n"));
        assert.match(
          messages[0]!,
          new RegExp(`^spec\\.observability\\.errorRate\\.${refused.field}: Invalid value: .*${refused.says.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
        );
      }
    });
  }

  it("refuses a threshold written as a number, as a type error", () => {
    assert.match(
      messagesFor({ errorRate: { threshold: 5 } }).join("\n"),
      /spec\.observability\.errorRate\.threshold: Invalid value: "integer": .*must be of type string/,
    );
  });

  it("declares the fields of ObservabilitySpec, with alerts on by default", () => {
    const observability = properties.spec!.properties!.observability!;
    assert.deepEqual(Object.keys(observability.properties!), ["errorRate", "alerts"] satisfies (keyof ObservabilitySpec)[]);
    assert.deepEqual(Object.keys(observability.properties!.errorRate!.properties!), ["threshold", "window"]);
    assert.equal(observability.properties!.alerts!.default, true);
  });

  it("checks the threshold and window with the platform config's own patterns, so a route can write what the config does", () => {
    const errorRate = properties.spec!.properties!.observability!.properties!.errorRate!.properties!;
    assert.equal(errorRate.threshold!["x-kubernetes-validations"]![0]!.rule, `self.matches('${THRESHOLD_PERCENT_PATTERN}')`);
    assert.equal(errorRate.window!["x-kubernetes-validations"]![0]!.rule, `self.matches('${PROMETHEUS_DURATION_PATTERN}')`);
    // Neither text has a quote or backslash, so it stands in a CEL string as it is.
    for (const pattern of [THRESHOLD_PERCENT_PATTERN, SAMPLING_PERCENT_PATTERN, PROMETHEUS_DURATION_PATTERN]) assert.doesNotMatch(pattern, /['\\]/);
  });
});

describe("status.observability of a DomainRoute", () => {
  it("holds the links of ObservabilityStatus, each as long as the platform config lets a template make", () => {
    const observability = properties.status!.properties!.observability!;
    assert.deepEqual(
      Object.entries(observability.properties!).map(([key, field]) => [key, field.type, field.maxLength]),
      (["dashboard", "logs"] satisfies (keyof ObservabilityStatus)[]).map((key) => [key, "string", MAX_LINK_LENGTH]),
    );
  });
});
