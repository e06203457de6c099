import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError } from "./config-error.ts";
import { configYaml } from "./config-fixtures.ts";
import type { ConfigData } from "./config-fixtures.ts";
import { loadPlatformConfig, parsePlatformConfig } from "./load.ts";

function problemsOf(text: string): readonly string[] {
  try {
    parsePlatformConfig(text, "platform.yaml");
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    return error.problems;
  }
  return [];
}

type Edit = (config: ConfigData) => void;
const section = (config: ConfigData, key: string) => config[key] as Record<string, any>;

describe("parsePlatformConfig", () => {
  it("accepts a complete config unchanged", () => {
    const config = parsePlatformConfig(configYaml(), "platform.yaml");
    assert.equal(config.domains[1].apex, "corp.example.net");
    assert.equal(config.loadBalancers["alb-in"].dnsName, "internal-1.us-east-1.elb.amazonaws.com");
  });

  it("fills every optional section with its defaults", () => {
    const config = parsePlatformConfig(
      configYaml((c) => {
        for (const key of ["protection", "gateway", "externalBackends", "serviceBackends"]) delete c[key];
      }),
      "platform.yaml",
    );
    assert.deepEqual(config.protection, { providers: [], requireOnPublic: true, identityHeader: "x-app-id" });
    assert.deepEqual(config.gateway, { provider: "istio", namespace: "istio-system", selector: { istio: "ingressgateway" } });
    assert.deepEqual(config.externalBackends, { deniedCidrs: [] });
    assert.deepEqual(config.serviceBackends, { allowCrossNamespace: false });
  });

  it("fills defaults inside a section that is only partly written", () => {
    const config = parsePlatformConfig(
      configYaml((c) => (c.protection = { providers: ["sso"] })),
      "platform.yaml",
    );
    assert.deepEqual(config.protection, { providers: ["sso"], requireOnPublic: true, identityHeader: "x-app-id" });
  });

  it("returns a deeply frozen config so nobody edits shared settings", () => {
    const config = parsePlatformConfig(configYaml(), "platform.yaml");
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.domains[0]));
    assert.ok(Object.isFrozen(config.gateway.selector));
  });

  const invalid: { name: string; edit?: Edit; text?: string; problems: RegExp[] }[] = [
    {
      name: "an unknown top-level key is named with the allowed keys",
      edit: (c) => (c.domain = []),
      problems: [
        /^platform\.yaml:\d+:1: domain: unknown key; did you mean "domains"\? remove it or fix its spelling \(allowed here: apiVersion, kind, domains, /,
      ],
    },
    {
      name: "a misspelt nested key suggests the right one",
      edit: (c) => (section(c, "protection").requireOnPublc = false),
      problems: [/protection\.requireOnPublc: unknown key; did you mean "requireOnPublic"\?/],
    },
    {
      name: "a missing load balancer field is named by its full path",
      edit: (c) => delete section(c, "loadBalancers")["alb-in"].dnsName,
      problems: [/^platform\.yaml:\d+:\d+: loadBalancers\.alb-in\.dnsName: required key is missing; add it\. DNS name of the load balancer/],
    },
    {
      name: "a missing load balancer is reported",
      edit: (c) => delete section(c, "loadBalancers")["alb-out"],
      problems: [/loadBalancers\.alb-out: required key is missing; add it\. The internet-facing \(public\) load balancer .* either fixed .* or two-step/],
    },
    {
      name: "a missing domains list is reported",
      edit: (c) => delete c.domains,
      problems: [/^platform\.yaml:1:1: domains: required key is missing/],
    },
    {
      name: "an empty domains list needs at least one apex",
      edit: (c) => (c.domains = []),
      problems: [/domains: has 0 item\(s\), needs at least 1\./],
    },
    {
      name: "an uppercase apex is invalid and the message says what is expected",
      edit: (c) => ((c.domains as any[])[0].apex = "Example.com"),
      problems: [/domains\[0\]\.apex: "Example\.com" is not valid\. The zone's apex domain: a lowercase DNS name/],
    },
    {
      name: "an apex with a trailing dot is invalid",
      edit: (c) => ((c.domains as any[])[0].apex = "example.com."),
      problems: [/domains\[0\]\.apex: "example\.com\." is not valid/],
    },
    {
      name: "a zone ID with the /hostedzone/ prefix is invalid",
      edit: (c) => ((c.domains as any[])[0].zoneId = "/hostedzone/Z0123456789ABC"),
      problems: [/domains\[0\]\.zoneId: "\/hostedzone\/Z0123456789ABC" is not valid\. Route53 hosted zone ID/],
    },
    {
      name: "a duplicate apex is reported at the second occurrence",
      edit: (c) => (c.domains as any[]).push({ apex: "example.com", zoneId: "Z0123456789ABC" }),
      problems: [/domains\[2\]\.apex: "example\.com" is already listed at domains\[0\]; remove one/],
    },
    {
      name: "an apex nested under another is reported",
      edit: (c) => (c.domains as any[]).push({ apex: "shop.example.com", zoneId: "Z0SHOP" }),
      problems: [/domains\[2\]\.apex: "shop\.example\.com" is under domains\[0\]\.apex "example\.com"; apexes must not nest/],
    },
    {
      name: "an apex nested under a later one is reported too",
      edit: (c) => (c.domains as any[]).unshift({ apex: "eu.corp.example.net", zoneId: "Z0EU" }),
      problems: [/domains\[0\]\.apex: "eu\.corp\.example\.net" is under domains\[2\]\.apex "corp\.example\.net"/],
    },
    {
      name: "a zone ID shared by two apexes is reported",
      edit: (c) => ((c.domains as any[])[1].zoneId = "Z0123456789ABC"),
      problems: [/domains\[1\]\.zoneId: "Z0123456789ABC" is also the zone of domains\[0\] \("example\.com"\)/],
    },
    {
      name: "the same load balancer for public and internal is refused",
      edit: (c) => (section(c, "loadBalancers")["alb-in"].dnsName = "public-1.us-east-1.elb.amazonaws.com"),
      problems: [
        /loadBalancers\.alb-in\.dnsName: is the same load balancer as loadBalancers\.alb-out\.dnsName; internal routes would be reachable from the internet/,
      ],
    },
    {
      name: "a duplicate provider is reported",
      edit: (c) => (section(c, "protection").providers = ["sso", "sso"]),
      problems: [/protection\.providers\[1\]: repeats protection\.providers\[0\] \("sso"\); remove the duplicate/],
    },
    {
      name: "an uppercase identity header is invalid",
      edit: (c) => (section(c, "protection").identityHeader = "X-App-Id"),
      problems: [/protection\.identityHeader: "X-App-Id" is not valid\. Lowercase HTTP header/],
    },
    {
      name: "a string where a boolean belongs says which type is needed",
      edit: (c) => (section(c, "serviceBackends").allowCrossNamespace = "no"),
      problems: [/serviceBackends\.allowCrossNamespace: is "no", must be a boolean \(true or false\)\./],
    },
    {
      name: "an invalid CIDR is reported by index",
      edit: (c) => (section(c, "externalBackends").deniedCidrs = ["10.0.0.0/8", "10.0.0.0/33", "fd00::/8", "metadata"]),
      problems: [
        /externalBackends\.deniedCidrs\[1\]: "10\.0\.0\.0\/33" is not valid\. An IPv4 or IPv6 CIDR/,
        /externalBackends\.deniedCidrs\[3\]: "metadata" is not valid/,
      ],
    },
    {
      name: "an empty gateway selector is refused because it would select every pod",
      edit: (c) => (section(c, "gateway").selector = {}),
      problems: [/gateway\.selector: is empty, needs at least 1 entry\./],
    },
    {
      name: "an invalid label key in the selector is reported by key",
      edit: (c) => (section(c, "gateway").selector = { "bad key": "x" }),
      problems: [/gateway\.selector\["bad key"\]: "bad key" is not a valid key here\./],
    },
    {
      name: "a wrong kind is reported with the expected value",
      edit: (c) => (c.kind = "PlatformConfiguration"),
      problems: [/^platform\.yaml:2:7: kind: is "PlatformConfiguration", must be "PlatformConfig"$/],
    },
    {
      name: "every problem is listed, in file order, not just the first",
      edit: (c) => {
        (c.domains as any[])[0].zoneId = "nope";
        section(c, "protection").identityHeader = "Bad Header";
        section(c, "serviceBackends").allowCrossNamespace = 1;
      },
      problems: [/domains\[0\]\.zoneId/, /protection\.identityHeader/, /serviceBackends\.allowCrossNamespace/],
    },
    {
      name: "a YAML syntax error names the line and column",
      text: "apiVersion: hostgate.dev/v1alpha1\nkind: [PlatformConfig\n",
      problems: [/^platform\.yaml:\d+:\d+: invalid YAML: /],
    },
    {
      name: "an empty file says what to write",
      text: "# nothing yet\n",
      problems: [/^platform\.yaml: the file is empty; write a PlatformConfig/],
    },
    {
      name: "several documents are refused",
      text: `${configYaml()}---\n${configYaml()}`,
      problems: [/^platform\.yaml:\d+:\d+: found 2 YAML documents; the platform config is a single document/],
    },
    {
      name: "an alias bomb is refused before it expands",
      text: `x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [${Array(10).fill("*a").join(", ")}]\nz: &c [${Array(10).fill("*b").join(", ")}]\nw: [${Array(10).fill("*c").join(", ")}]\n`,
      problems: [/^platform\.yaml:1:1: too many YAML alias expansions/],
    },
    {
      name: "a list instead of a mapping is refused at the top level",
      text: "- example.com\n",
      problems: [/^platform\.yaml:1:1: \(top level\): is a list, must be a mapping\./],
    },
  ];

  for (const c of invalid) {
    it(`refuses a config where ${c.name}`, () => {
      const problems = problemsOf(c.text ?? configYaml(c.edit));
      assert.equal(problems.length, c.problems.length, problems.join("\n"));
      for (const [i, pattern] of c.problems.entries()) assert.match(problems[i], pattern);
    });
  }

  it("points at the exact line of the offending value", () => {
    const text = [
      "apiVersion: hostgate.dev/v1alpha1",
      "kind: PlatformConfig",
      "domains:",
      "  - apex: example.com",
      "    zoneId: Z0123456789ABC",
      "loadBalancers:",
      "  alb-out: {dnsName: public-1.us-east-1.elb.amazonaws.com, hostedZoneId: Z35SXDOTRQ7X7K}",
      "  alb-in:",
      "    dnsName: internal_1",
      "    hostedZoneId: Z35SXDOTRQ7X7K",
      "",
    ].join("\n");
    assert.match(problemsOf(text)[0], /^platform\.yaml:9:14: loadBalancers\.alb-in\.dnsName: "internal_1" is not valid/);
  });

  it("names the whole message after the config and lists problems one per line", () => {
    const error = (() => {
      try {
        parsePlatformConfig(
          configYaml((c) => {
            c.kind = "X";
            c.apiVersion = "v1";
          }),
          "p.yaml",
        );
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    assert.match(error.message, /^invalid platform config \(2 problems\):\n {2}- p\.yaml:1:\d+: apiVersion: .*\n {2}- p\.yaml:2:\d+: kind: /);
  });
});

describe("loadPlatformConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads and validates a file", () => {
    const path = join(dir, "ok.yaml");
    writeFileSync(path, configYaml());
    assert.equal(loadPlatformConfig(path).kind, "PlatformConfig");
  });

  it("names the file in every problem", () => {
    const path = join(dir, "bad.yaml");
    writeFileSync(
      path,
      configYaml((c) => (c.extra = true)),
    );
    assert.throws(
      () => loadPlatformConfig(path),
      (e: ConfigError) => e.problems[0].startsWith(`${path}:`),
    );
  });

  const unreadable: { name: string; path: string; problem: RegExp }[] = [
    { name: "a missing file is reported as not found", path: join(dir, "missing.yaml"), problem: /missing\.yaml: not found; check the path/ },
    { name: "a folder is reported as a folder", path: dir, problem: /: is a folder; pass the platform config file itself/ },
  ];
  for (const c of unreadable) {
    it(c.name, () => {
      assert.throws(
        () => loadPlatformConfig(c.path),
        (e: unknown) => e instanceof ConfigError && e.exitCode === 2 && c.problem.test(e.problems[0]),
      );
    });
  }
});
