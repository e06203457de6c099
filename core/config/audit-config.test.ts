// The platform config's audit section: the background audit is off unless
// asked for (a cluster without the OpenReports CRDs is unaffected), and its
// interval is bounded (0s would audit in a loop).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configYaml, problemsOf } from "./config-fixtures.ts";
import { parsePlatformConfig } from "./load.ts";

describe("the audit section", () => {
  it("defaults to no reports, every hour, at most 50,000 objects held", () => {
    assert.deepEqual(parsePlatformConfig(configYaml(), "platform.yaml").audit, { reports: false, interval: "1h", maxObjects: 50000 });
  });

  it("accepts a bound on the objects held between 1000 and 1000000", () => {
    const config = parsePlatformConfig(
      configYaml((c) => (c.audit = { reports: true, maxObjects: 200000 })),
      "platform.yaml",
    );
    assert.deepEqual(config.audit, { reports: true, interval: "1h", maxObjects: 200000 });
  });

  it("accepts reports with an interval within 5m..24h", () => {
    const config = parsePlatformConfig(
      configYaml((c) => (c.audit = { reports: true, interval: "30m" })),
      "platform.yaml",
    );
    assert.deepEqual(config.audit, { reports: true, interval: "30m", maxObjects: 50000 });
  });

  const refused = [
    {
      name: "an interval of 0s, which would audit in a loop",
      audit: { reports: true, interval: "0s" },
      message: /audit\.interval.*"0s" is outside 5m\.\.24h/s,
    },
    { name: "an interval over a day", audit: { reports: true, interval: "25h" }, message: /"25h" is outside 5m\.\.24h/ },
    { name: "an interval that is no duration", audit: { interval: "hourly" }, message: /audit\.interval/ },
    { name: "an unknown key", audit: { report: true }, message: /audit.*report/ },
    { name: "a bound of 0 objects, which would publish nothing", audit: { maxObjects: 0 }, message: /audit\.maxObjects.*1000/s },
    { name: "a bound over a million objects", audit: { maxObjects: 2000000 }, message: /audit\.maxObjects.*1000000/s },
    { name: "a bound that is no whole number", audit: { maxObjects: 5000.5 }, message: /audit\.maxObjects.*integer/s },
    { name: "a bound written as text", audit: { maxObjects: "50k" }, message: /audit\.maxObjects.*integer/s },
  ];
  for (const { name, audit, message } of refused) {
    it(`refuses ${name}`, () => {
      assert.match(problemsOf((c) => (c.audit = audit)).join("\n"), message);
    });
  }
});
