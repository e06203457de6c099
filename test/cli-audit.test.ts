// `hostgate audit` and `hostgate diff`, run in process through main(): the
// example cluster state judged under the library and under temp copies of it
// made stricter, looser or broken.
import assert from "node:assert/strict";
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { EXAMPLES, hostgate, LIBRARY, STACK_TRACE, tempDir, writeYaml } from "./fixtures.ts";
import type { CliResult } from "./fixtures.ts";

const STATE = join(EXAMPLES, "state");

function policyModule(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PolicyModule",
    metadata: { name },
    spec: {
      description: `test module ${name}`,
      match: [{ apiGroups: ["hostgate.dev"], apiVersions: ["*"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }],
      ...spec,
    },
  };
}

/** The library plus one module denying the public load balancer (two example routes use it), at `enforcement`. */
function libraryWithNoPublicLb(enforcement: "Deny" | "Warn" | "Audit" = "Deny"): string {
  const dir = tempDir("audit-policies");
  cpSync(LIBRARY, dir, { recursive: true });
  writeYaml(
    dir,
    "no-public-lb.yaml",
    policyModule("no-public-lb", {
      enforcement,
      validations: [
        { expression: "object.spec.lb != 'alb-out'", message: "alb-out is public; move the route to alb-in", fieldPath: "spec.lb", reason: "Forbidden" },
      ],
    }),
  );
  return dir;
}

/** The library plus a module whose expression fails at run time on every route. */
function libraryWithBrokenModule(): string {
  const dir = tempDir("audit-broken");
  cpSync(LIBRARY, dir, { recursive: true });
  writeYaml(dir, "broken.yaml", policyModule("broken", { validations: [{ expression: "object.spec.nothing.here == 1", message: "never shown" }] }));
  return dir;
}

/** The library without certificate-coverage, the module that warns on two example routes. */
function libraryWithoutCertificateCoverage(): string {
  const dir = tempDir("audit-looser");
  cpSync(LIBRARY, dir, { recursive: true });
  rmSync(join(dir, "certificate-coverage.yaml"));
  return dir;
}

function assertUnusable(result: CliResult, command: string, messages: readonly RegExp[]): void {
  assert.equal(result.exitCode, 2, `expected exit 2; stderr:\n${result.stderr}`);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, new RegExp(`^hostgate ${command}: unusable input:\\n`));
  for (const message of messages) assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, STACK_TRACE);
}

interface AuditJson {
  results: Array<{ subject: { kind: string; namespace?: string; name: string }; policy: string; outcome: string; messages: string[]; fields: string[] }>;
  summary: Record<string, number>;
}

describe("hostgate audit", () => {
  test("the example cluster under the library has warnings but nothing denied, so it exits 0, warnings first, with counts", async () => {
    const result = await hostgate("audit", "--state", STATE);
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const headers = result.stdout.split("\n").filter((line) => /^[A-Z]+ +\S/.test(line));
    assert.deepEqual(headers, [
      "WARN  DomainRoute platform/grafana",
      "WARN  DomainRoute team-a/shop-admin",
      "PASS  DomainRoute marketing/website",
      "PASS  DomainRoute team-a/shop-web",
    ]);
    assert.match(result.stdout, /^ {2}! warning certificate-coverage: admin\.shop\.example\.com is not covered/m);
    // Policies whose matchConditions exclude a route ran no check: skip, listed on one line, never counted as pass.
    assert.match(result.stdout, /^ {2}– 5 skipped \(a matchCondition excludes the object\): cname-at-apex, cross-namespace-service, dns-zone-allowed, /m);
    assert.match(result.stdout, /^8 objects, 4 matched by a policy, 60 results: 0 fail, 0 error, 2 warn, 0 audit, 32 pass, 26 skip$/m);
    assert.equal(result.stderr, "");
  });

  test("-o json prints every result, sorted by namespace, kind, name and policy, and a summary", async () => {
    const result = await hostgate("audit", "--state", STATE, "-o", "json");
    assert.equal(result.exitCode, 0);
    const parsed = JSON.parse(result.stdout) as AuditJson;
    assert.deepEqual(parsed.summary, { objects: 8, matched: 4, results: 60, fail: 0, error: 0, warn: 2, audit: 0, pass: 32, skip: 26 });
    const keys = parsed.results.map((r) => `${r.subject.namespace}/${r.subject.name}/${r.policy}`);
    assert.deepEqual(keys, [...keys].sort());
    const warning = parsed.results.find((r) => r.outcome === "warn" && r.subject.name === "shop-admin");
    assert.equal(warning?.policy, "certificate-coverage");
    assert.deepEqual(
      parsed.results.filter((r) => r.outcome === "pass" && r.messages.length > 0),
      [],
    );
    const skip = parsed.results.find((r) => r.outcome === "skip" && r.subject.name === "shop-web" && r.policy === "dns-zone-allowed");
    assert.deepEqual(skip?.messages, ['excluded by matchCondition "has-zone-and-domain"']);
  });

  test("a stricter policy set denies two existing routes, so it exits 1 and lists them first", async () => {
    const result = await hostgate("audit", "--state", STATE, "--policies", libraryWithNoPublicLb());
    assert.equal(result.exitCode, 1, result.stdout + result.stderr);
    const headers = result.stdout.split("\n").filter((line) => /^[A-Z]+ +\S/.test(line));
    assert.deepEqual(headers.slice(0, 2), ["FAIL  DomainRoute marketing/website", "FAIL  DomainRoute team-a/shop-web"]);
    assert.match(result.stdout, /^ {2}✗ no-public-lb: alb-out is public; move the route to alb-in$/m);
    assert.match(result.stdout, /: 2 fail, 0 error, 2 warn, 0 audit, 34 pass, 26 skip$/m);
    const json = JSON.parse((await hostgate("audit", "--state", STATE, "--policies", libraryWithNoPublicLb(), "-o", "json")).stdout) as AuditJson;
    const failed = json.results.filter((r) => r.outcome === "fail");
    assert.deepEqual(
      failed.map((r) => [r.subject.name, r.policy, r.fields]),
      [
        ["website", "no-public-lb", ["spec.lb"]],
        ["shop-web", "no-public-lb", ["spec.lb"]],
      ],
    );
  });

  test("the same rule under Audit enforcement only records, so it exits 0", async () => {
    const result = await hostgate("audit", "--state", STATE, "--policies", libraryWithNoPublicLb("Audit"));
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^ {2}· audit no-public-lb: alb-out is public/m);
    assert.match(result.stdout, /: 0 fail, 0 error, 2 warn, 2 audit, 34 pass, 26 skip$/m);
  });

  test("a DomainClaim in the state folder is not audited, as no webhook ever judges one: a module matching DomainClaims finds nothing", async () => {
    const dir = tempDir("audit-claims");
    writeYaml(
      dir,
      "no-claims.yaml",
      policyModule("no-claims", {
        match: [{ apiGroups: ["hostgate.dev"], apiVersions: ["*"], kinds: ["DomainClaim"], operations: ["CREATE", "UPDATE"] }],
        validations: [{ expression: "false", message: "no claims" }],
      }),
    );
    const result = await hostgate("audit", "--state", STATE, "--policies", dir, "-o", "json");
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const parsed = JSON.parse(result.stdout) as AuditJson;
    assert.deepEqual(parsed.results, []);
  });

  test("a policy that cannot be evaluated is an error, denied as at admission, so it exits 1", async () => {
    const result = await hostgate("audit", "--state", STATE, "--policies", libraryWithBrokenModule());
    assert.equal(result.exitCode, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^ {2}✗ error broken: policy could not be evaluated/m);
    assert.match(result.stdout, /: 0 fail, 4 error, 2 warn, 0 audit, 32 pass, 26 skip$/m);
  });

  const unusable: Array<{ name: string; args: () => string[]; messages: RegExp[] }> = [
    { name: "a state folder that does not exist", args: () => ["--state", join(EXAMPLES, "no-such-state")], messages: [/no-such-state/] },
    {
      name: "--state and --kubeconfig together",
      args: () => ["--state", STATE, "--kubeconfig", "/tmp/kubeconfig"],
      messages: [/audit: --state and --kubeconfig both name the cluster's objects; pass one/],
    },
    {
      name: "a --kubeconfig file that does not exist",
      args: () => ["--kubeconfig", join(EXAMPLES, "no-such-kubeconfig")],
      messages: [/--kubeconfig .*no-such-kubeconfig: no such file/],
    },
    { name: "an output format other than text or json", args: () => ["-o", "yaml"], messages: [/-o must be text or json \(got "yaml"\)/] },
    {
      name: "a state object without a name",
      args: () => {
        const dir = tempDir("audit-state");
        writeYaml(dir, "routes.yaml", { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { namespace: "team-a" }, spec: {} });
        return ["--state", dir];
      },
      messages: [/routes\.yaml: the object has no metadata\.name; objects read from a cluster always have them/],
    },
    { name: "a policy folder that does not exist", args: () => ["--policies", join(EXAMPLES, "no-such-policies")], messages: [/no-such-policies/] },
    { name: "--current, which only diff has", args: () => ["--current", LIBRARY], messages: [/--current only applies to diff/] },
    { name: "an unknown option", args: () => ["--frobnicate"], messages: [/audit: Unknown option '--frobnicate'/] },
  ];
  for (const c of unusable) {
    test(`${c.name} is unusable input: exit 2 with a clear message`, async () => {
      assertUnusable(await hostgate("audit", ...c.args()), "audit", c.messages);
    });
  }
});

interface DiffJson {
  newlyDenied: Array<{ subject: { name: string }; policy: string; before?: string; after?: string; messages: string[] }>;
  newlyAllowed: Array<{ subject: { name: string }; policy: string }>;
  newWarnings: Array<{ subject: { name: string }; policy: string; messages: string[] }>;
  removedWarnings: Array<{ subject: { name: string }; policy: string }>;
  summary: Record<string, number>;
}

describe("hostgate diff", () => {
  test("the library against itself changes nothing, so it exits 0", async () => {
    const result = await hostgate("diff", "--policies", LIBRARY, "--state", STATE);
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.equal(result.stdout, "8 existing objects judged: 0 newly denied (0 objects), 0 newly allowed, 0 new warnings, 0 removed warnings\n");
  });

  test("a stricter set lists the routes it would deny with the message, and exits 1", async () => {
    const result = await hostgate("diff", "--policies", libraryWithNoPublicLb(), "--state", STATE);
    assert.equal(result.exitCode, 1, result.stdout + result.stderr);
    assert.equal(
      result.stdout,
      [
        "Newly denied (2):",
        "  ✗ DomainRoute marketing/website  no-public-lb (not matched → fail)",
        "      alb-out is public; move the route to alb-in",
        "  ✗ DomainRoute team-a/shop-web  no-public-lb (not matched → fail)",
        "      alb-out is public; move the route to alb-in",
        "",
        "8 existing objects judged: 2 newly denied (2 objects), 0 newly allowed, 0 new warnings, 0 removed warnings",
        "",
      ].join("\n"),
    );
  });

  test("-o json carries each change and a summary", async () => {
    const result = await hostgate("diff", "--policies", libraryWithNoPublicLb(), "--state", STATE, "-o", "json");
    assert.equal(result.exitCode, 1);
    const parsed = JSON.parse(result.stdout) as DiffJson;
    assert.deepEqual(
      parsed.newlyDenied.map((c) => [c.subject.name, c.policy, c.before, c.after, c.messages]),
      [
        ["website", "no-public-lb", undefined, "fail", ["alb-out is public; move the route to alb-in"]],
        ["shop-web", "no-public-lb", undefined, "fail", ["alb-out is public; move the route to alb-in"]],
      ],
    );
    assert.deepEqual(parsed.summary, { objects: 8, newlyDenied: 2, newlyDeniedObjects: 2, newlyAllowed: 0, newWarnings: 0, removedWarnings: 0 });
  });

  test("going back from the stricter set (--current) lists the routes newly allowed and exits 0", async () => {
    const result = await hostgate("diff", "--current", libraryWithNoPublicLb(), "--policies", LIBRARY, "--state", STATE, "-o", "json");
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const parsed = JSON.parse(result.stdout) as DiffJson;
    assert.deepEqual(
      parsed.newlyAllowed.map((c) => [c.subject.name, c.policy]),
      [
        ["website", "no-public-lb"],
        ["shop-web", "no-public-lb"],
      ],
    );
    assert.deepEqual(parsed.newlyDenied, []);
  });

  test("the new rule at Warn enforcement is new warnings, nothing stricter, so it exits 0", async () => {
    const result = await hostgate("diff", "--policies", libraryWithNoPublicLb("Warn"), "--state", STATE);
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^New warnings \(2\):\n {2}! DomainRoute marketing\/website {2}no-public-lb \(not matched → warn\)\n {6}alb-out is public/m);
  });

  test("dropping the module that warns lists the removed warnings and exits 0", async () => {
    const result = await hostgate("diff", "--policies", libraryWithoutCertificateCoverage(), "--state", STATE, "-o", "json");
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const parsed = JSON.parse(result.stdout) as DiffJson;
    assert.deepEqual(
      parsed.removedWarnings.map((c) => [c.subject.name, c.policy]),
      [
        ["grafana", "certificate-coverage"],
        ["shop-admin", "certificate-coverage"],
      ],
    );
    assert.deepEqual([parsed.newlyDenied, parsed.newlyAllowed, parsed.newWarnings], [[], [], []]);
  });

  const unusable: Array<{ name: string; args: () => string[]; messages: RegExp[] }> = [
    { name: "no --policies", args: () => ["--state", STATE], messages: [/no proposed policies given; pass --policies DIR/] },
    {
      name: "a proposed module that does not compile",
      args: () => {
        const dir = tempDir("diff-bad");
        writeYaml(dir, "bad.yaml", policyModule("bad", { validations: [{ expression: "object.spec.(", message: "x" }] }));
        return ["--policies", dir];
      },
      messages: [/bad\.yaml/],
    },
    {
      name: "a missing state folder and a missing config, both reported at once",
      args: () => ["--policies", LIBRARY, "--state", join(EXAMPLES, "no-such-state"), "--config", join(EXAMPLES, "no-such-config.yaml")],
      messages: [/no-such-state/, /no-such-config\.yaml/],
    },
    {
      name: "--state and --kubeconfig together",
      args: () => ["--policies", LIBRARY, "--state", STATE, "--kubeconfig", "/tmp/kubeconfig"],
      messages: [/diff: --state and --kubeconfig both name the cluster's objects; pass one/],
    },
  ];
  for (const c of unusable) {
    test(`${c.name} is unusable input: exit 2 with a clear message`, async () => {
      assertUnusable(await hostgate("diff", ...c.args()), "diff", c.messages);
    });
  }

  test("a problem with the state folder is said once, though both the index and the audit read it", async () => {
    const result = await hostgate("diff", "--policies", LIBRARY, "--state", join(EXAMPLES, "no-such-state"));
    assert.equal(result.stderr.split("\n").filter((line) => line.includes("no-such-state")).length, 1, result.stderr);
  });
});
