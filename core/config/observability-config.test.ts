// The platform config's observability section (issue 18): absent means none,
// present sections get their defaults, and each bad value is refused with a
// message saying what is wrong, where, and what to write instead.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConfigData } from "./config-fixtures.ts";
import { configYaml, problemsOf } from "./config-fixtures.ts";
import { loadPlatformConfig, parsePlatformConfig } from "./load.ts";
import { linkTemplateProblem } from "./observability-checks.ts";

const load = (observability: unknown) =>
  parsePlatformConfig(
    configYaml((c) => (c.observability = observability)),
    "platform.yaml",
  ).observability;
const problems = (observability: unknown) => problemsOf((c: ConfigData) => (c.observability = observability)).join("\n");

describe("the observability section", () => {
  it("is absent when the config does not write it, so nothing is observed", () => {
    assert.equal(parsePlatformConfig(configYaml(), "platform.yaml").observability, undefined);
  });

  it("stays empty when written empty: no access logging, tracing, alerting or links", () => {
    assert.deepEqual(load({}), {});
  });

  const defaults: { name: string; observability: ConfigData; expected: ConfigData }[] = [
    { name: "access logging to Envoy's own log, every request", observability: { accessLogging: {} }, expected: { accessLogging: { providers: ["envoy"] } } },
    { name: "tracing 1% of requests", observability: { tracing: { providers: ["otel"] } }, expected: { tracing: { providers: ["otel"], sampling: "1%" } } },
    {
      name: "alerting at 5% over 5m, availability over 5m, warning severity, the team from the `team` label, no probes",
      observability: { alerting: {} },
      expected: {
        alerting: {
          errorRate: { threshold: "5%", window: "5m", for: "5m" },
          availability: { window: "5m", for: "5m" },
          severity: "warning",
          teamLabelKey: "team",
          objectLabels: {},
          labels: {},
        },
      },
    },
    {
      name: "probes through /probe with http_2xx and tcp_connect every 30s, alerting after 2m",
      observability: { alerting: { probes: { proberUrl: "blackbox-exporter.monitoring.svc:9115" } } },
      expected: {
        alerting: {
          errorRate: { threshold: "5%", window: "5m", for: "5m" },
          availability: { window: "5m", for: "5m" },
          probes: {
            proberUrl: "blackbox-exporter.monitoring.svc:9115",
            proberPath: "/probe",
            httpModule: "http_2xx",
            tcpModule: "tcp_connect",
            interval: "30s",
            for: "2m",
          },
          severity: "warning",
          teamLabelKey: "team",
          objectLabels: {},
          labels: {},
        },
      },
    },
  ];
  for (const { name, observability, expected } of defaults) {
    it(`defaults to ${name}`, () => assert.deepEqual(load(observability), expected));
  }

  it("keeps every value written, and freezes the section like the rest of the config", () => {
    const written = {
      accessLogging: { providers: ["envoy", "otel-als"], filter: "response.code >= 400" },
      tracing: { providers: ["otel"], sampling: "0.05%" },
      alerting: {
        errorRate: { threshold: "0.5%", window: "10m", for: "2m" },
        availability: { window: "15m", for: "0s" },
        probes: { proberUrl: "10.0.0.5:9115", proberPath: "/blackbox/probe", httpModule: "http_ok", tcpModule: "tcp", interval: "1m", for: "5m" },
        severity: "page",
        teamLabelKey: "example.com/team",
        objectLabels: { release: "kube-prometheus-stack" },
        labels: { cluster: "prod-weu", env: "prod" },
      },
      links: { dashboard: "https://grafana.example.com/d/hostgate?var-host={domain}", logs: "https://logs.example.com/{namespace}/{name}" },
    };
    const loaded = load(written);
    assert.deepEqual(loaded, written);
    assert.ok(Object.isFrozen(loaded?.alerting?.labels));
  });

  const refused: { name: string; observability: unknown; message: RegExp }[] = [
    {
      name: "an unknown key, suggesting the right one",
      observability: { alertng: {} },
      message: /observability\.alertng: unknown key; did you mean "alerting"\?/,
    },
    {
      name: "a threshold of 0%",
      observability: { alerting: { errorRate: { threshold: "0%" } } },
      message: /errorRate\.threshold: "0%" is not valid\. .*from `0\.1%` to `100%`/,
    },
    { name: "a threshold over 100%", observability: { alerting: { errorRate: { threshold: "150%" } } }, message: /errorRate\.threshold: "150%" is not valid/ },
    {
      name: "a threshold written as a fraction",
      observability: { alerting: { errorRate: { threshold: "0.05" } } },
      message: /errorRate\.threshold: "0\.05" is not valid/,
    },
    { name: "a threshold as a number", observability: { alerting: { errorRate: { threshold: 5 } } }, message: /errorRate\.threshold: is 5, must be a string/ },
    {
      name: "a sample rate over 100%",
      observability: { tracing: { providers: ["otel"], sampling: "101%" } },
      message: /tracing\.sampling: "101%" is not valid\. .*from `0%` to `100%`/,
    },
    {
      name: "a sample rate with three decimals",
      observability: { tracing: { providers: ["otel"], sampling: "0.001%" } },
      message: /tracing\.sampling: "0\.001%" is not valid/,
    },
    { name: "tracing without providers", observability: { tracing: {} }, message: /tracing\.providers: required key is missing/ },
    { name: "an empty provider list", observability: { tracing: { providers: [] } }, message: /tracing\.providers: has 0 item\(s\), needs at least 1/ },
    {
      name: "an empty provider name",
      observability: { accessLogging: { providers: [""] } },
      message: /accessLogging\.providers\[0\]: "" is not valid\. The name of an Istio extension provider/,
    },
    { name: "a provider named twice", observability: { accessLogging: { providers: ["envoy", "envoy"] } }, message: /accessLogging\.providers\[1\]: repeats/ },
    {
      name: "a window that is no Prometheus duration",
      observability: { alerting: { errorRate: { window: "5 minutes" } } },
      message: /errorRate\.window: "5 minutes" is not valid\. .*Prometheus duration/,
    },
    {
      name: "a window written as Go's 1.5h",
      observability: { alerting: { availability: { window: "1.5h" } } },
      message: /availability\.window: "1\.5h" is not valid/,
    },
    {
      name: "a window under a minute",
      observability: { alerting: { errorRate: { window: "30s" } } },
      message: /errorRate\.window: "30s" is outside 1m\.\.24h: rate\(\) needs at least two samples/,
    },
    {
      name: "a window over a day",
      observability: { alerting: { availability: { window: "2d" } } },
      message: /availability\.window: "2d" is outside 1m\.\.24h/,
    },
    { name: "a `for` over a day", observability: { alerting: { errorRate: { for: "1w" } } }, message: /errorRate\.for: "1w" is outside 0s\.\.24h/ },
    {
      name: "a probe interval under Prometheus's scrape timeout",
      observability: { alerting: { probes: { proberUrl: "bb:9115", interval: "5s" } } },
      message: /probes\.interval: "5s" is outside 10s\.\.1h: Prometheus refuses a scrape interval shorter than its scrape timeout/,
    },
    {
      name: "probes without a prober",
      observability: { alerting: { probes: {} } },
      message: /probes\.proberUrl: required key is missing; add it\. The blackbox exporter's address as `host:port`/,
    },
    {
      name: "a prober URL with a scheme",
      observability: { alerting: { probes: { proberUrl: "http://bb:9115" } } },
      message: /probes\.proberUrl: "http:\/\/bb:9115" is not valid\. .*without a scheme/,
    },
    {
      name: "a prober URL without a port",
      observability: { alerting: { probes: { proberUrl: "bb.monitoring.svc" } } },
      message: /probes\.proberUrl: "bb\.monitoring\.svc" is not valid/,
    },
    {
      name: "a prober port over 65535",
      observability: { alerting: { probes: { proberUrl: "bb:70000" } } },
      message: /probes\.proberUrl: "bb:70000" is not valid/,
    },
    {
      name: "a prober path without its slash",
      observability: { alerting: { probes: { proberUrl: "bb:9115", proberPath: "probe" } } },
      message: /probes\.proberPath: "probe" is not valid/,
    },
    {
      name: "a team label key that is no label key",
      observability: { alerting: { teamLabelKey: "my team" } },
      message: /alerting\.teamLabelKey: "my team" is not valid/,
    },
    {
      name: "an alert label named like a Kubernetes label",
      observability: { alerting: { labels: { "example.com/env": "prod" } } },
      message: /alerting\.labels\["example\.com\/env"\]: "example\.com\/env" is not a valid key here\. .*Prometheus label names/,
    },
    {
      name: "an alert label hostgate sets itself",
      observability: { alerting: { labels: { team: "sre" } } },
      message: /alerting\.labels\.team: is a label hostgate sets on every alert .*use a name of your own/,
    },
    {
      name: "an object label hostgate sets itself (it finds and prunes its objects by them)",
      observability: { alerting: { objectLabels: { "app.kubernetes.io/managed-by": "me", release: "kps" } } },
      message: /alerting\.objectLabels\["app\.kubernetes\.io\/managed-by"\]: is a label hostgate sets on every object it writes/,
    },
    {
      name: "an object label value that is no label value",
      observability: { alerting: { objectLabels: { release: "kube prometheus" } } },
      message: /alerting\.objectLabels\.release/,
    },
    {
      name: "an alert label Prometheus reserves",
      observability: { alerting: { labels: { __meta: "x" } } },
      message: /alerting\.labels\.__meta: starts with __, which Prometheus reserves/,
    },
    {
      name: "an empty alert label value",
      observability: { alerting: { labels: { env: "" } } },
      message: /alerting\.labels\.env: must NOT have fewer than 1 characters\. A label value, 1 to 253 characters/,
    },
    {
      name: "an access log filter that is no CEL",
      observability: { accessLogging: { filter: "response.code >= " } },
      message: /accessLogging\.filter: is not a CEL expression \(.*\); Istio would refuse the gateway's Telemetry/,
    },
    {
      name: "a links template with an unknown placeholder",
      observability: { links: { dashboard: "https://g.example.com/?h={host}" } },
      message: /links\.dashboard: has the placeholder \{host\}, which hostgate does not fill in/,
    },
    {
      name: "a links template that is no absolute URL",
      observability: { links: { logs: "/explore?q={domain}" } },
      message: /links\.logs: is not an absolute URL/,
    },
  ];
  for (const { name, observability, message } of refused) {
    it(`refuses ${name}`, () => assert.match(problems(observability), message));
  }

  it("refuses a links template that is not http(s)", () => {
    assert.match(problems({ links: { logs: "javascript:alert({domain})" } }), /links\.logs: is a javascript: URL; links are opened in a browser/);
  });

  it("names the line of the offending value in the file", () => {
    assert.match(problems({ alerting: { errorRate: { threshold: "0%" } } }), /^platform\.yaml:\d+:\d+: observability\.alerting\.errorRate\.threshold: /m);
  });

  it("loads examples/platform-config-observability.yaml, which sets every observability setting", () => {
    const config = loadPlatformConfig(`${import.meta.dirname}/../../examples/platform-config-observability.yaml`);
    const observability = config.observability;
    assert.ok(observability?.accessLogging?.filter !== undefined && observability.tracing !== undefined);
    assert.ok(observability.alerting?.probes !== undefined && Object.keys(observability.alerting.labels).length > 0);
    assert.ok(observability.links?.dashboard !== undefined && observability.links.logs !== undefined);
  });
});

describe("links templates", () => {
  const cases: { template: string; problem?: RegExp }[] = [
    { template: "https://grafana.example.com/d/hostgate?var-host={domain}&var-ns={namespace}&var-route={name}" },
    { template: "https://{namespace}.logs.example.com/{name}" },
    { template: "http://kibana.internal:5601/app/discover#/?q=host:{domain}" },
    { template: "https://g.example.com/{domain", problem: /unmatched \{ or \}/ },
    { template: "https://g.example.com/}{domain}", problem: /unmatched \{ or \}/ },
    { template: "ftp://g.example.com/{domain}", problem: /is a ftp: URL/ },
    { template: `https://g.example.com/${"{domain}".repeat(9)}`, problem: /can make a link of 2299 characters .* 2048 at most/ },
  ];
  for (const { template, problem } of cases) {
    it(`${problem === undefined ? "accept" : "refuse"} ${template.length > 80 ? `${template.slice(0, 60)}…` : template}`, () => {
      const found = linkTemplateProblem(template);
      if (problem === undefined) assert.equal(found, undefined);
      else assert.match(found ?? "", problem);
    });
  }
});
