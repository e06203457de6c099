// `hostgate check` as the README documents it, run in process through main().
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { domainRoute, entriesOf, EXAMPLES, hostgate, STACK_TRACE, tempDir, writeText, writeYaml } from "./fixtures.ts";
import type { CheckEntry, CliResult } from "./fixtures.ts";

const STATE_ROUTES = join(EXAMPLES, "state", "domain-routes.yaml");

function assertCleanFailure(result: CliResult, messages: readonly RegExp[]): void {
  assert.equal(result.exitCode, 2, `expected exit 2; stderr:\n${result.stderr}`);
  assert.equal(result.stdout, "", "unusable input prints no verdicts");
  assert.match(result.stderr, /^hostgate check: unusable input:\n/);
  for (const message of messages) assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, STACK_TRACE);
}

/** Every object under a folder, counted independently of the CLI (Lists flattened, hostgate files left out). */
function countClusterObjects(dir: string): number {
  let count = 0;
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      count += countClusterObjects(path);
      continue;
    }
    if (!/\.(ya?ml|json)$/.test(entry)) continue;
    for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
      const value = doc.toJS() as { kind?: string; items?: unknown[] } | null;
      if (value === null || value === undefined) continue;
      if (value.kind === "PlatformConfig") continue;
      count += value.kind === "List" ? (value.items ?? []).length : 1;
    }
  }
  return count;
}

describe("hostgate check exit status", () => {
  test("the admitted examples are all allowed, so it exits 0 and says so in the summary", async () => {
    const result = await hostgate("check", "-f", join(EXAMPLES, "routes"));
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^5 objects: 5 allowed, 0 denied$/m);
    assert.doesNotMatch(result.stdout, /^DENIED/m);
    assert.equal(result.stderr, "");
  });

  test("the rejected examples are all denied, so it exits 1 and marks each DENIED", async () => {
    const result = await hostgate("check", "-f", join(EXAMPLES, "rejected"));
    assert.equal(result.exitCode, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^14 objects: 0 allowed, 14 denied$/m);
    assert.doesNotMatch(result.stdout, /^ALLOWED/m);
  });

  test("the whole examples folder mixes both verdicts and exits 1", async () => {
    const result = await hostgate("check", "-f", EXAMPLES);
    assert.equal(result.exitCode, 1);
    assert.match(result.stdout, /^ALLOWED /m);
    assert.match(result.stdout, /^DENIED /m);
  });
});

describe("hostgate check on unusable input exits 2 with a clear message and no stack trace", () => {
  const dir = tempDir("check-input");
  const route = writeYaml(dir, "route.yaml", domainRoute());
  const brokenYaml = writeText(dir, "broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   namespace: y\n");
  const badConfig = writeText(dir, "bad-config.yaml", "apiVersion: hostgate.dev/v1alpha1\nkind: PlatformConfig\ndomains: nope\nbogus: 1\n");
  const brokenPolicies = join(dir, "policies");
  writeText(
    brokenPolicies,
    "broken.yaml",
    [
      "apiVersion: hostgate.dev/v1alpha1",
      "kind: PolicyModule",
      "metadata: {name: broken}",
      "spec:",
      "  description: a module whose expression does not compile",
      "  match: [{apiGroups: ['*'], kinds: ['*'], operations: ['*']}]",
      "  validations:",
      "    - expression: 'object.spec.foo +'",
      "      message: never shown",
      "",
    ].join("\n"),
  );
  const nameless = writeYaml(dir, "nameless.yaml", { ...domainRoute(), metadata: { namespace: "team-a" } });
  const onlyConfig = join(dir, "only-config");
  writeText(onlyConfig, "platform-config.yaml", readFileSync(join(EXAMPLES, "platform-config.yaml"), "utf8"));

  const cases: Array<{ name: string; args: string[]; messages: RegExp[] }> = [
    { name: "a path that does not exist is named", args: ["-f", join(dir, "nope.yaml")], messages: [/nope\.yaml: not found/] },
    { name: "a YAML syntax error names the file, line and column", args: ["-f", brokenYaml], messages: [/broken\.yaml:4:9: invalid YAML: /] },
    {
      name: "a bad --config lists every problem with its line",
      args: ["-f", route, "--config", badConfig],
      messages: [
        /bad-config\.yaml:1:1: loadBalancers: required key is missing/,
        /bad-config\.yaml:3:\d+: domains: is "nope", must be a list/,
        /bad-config\.yaml:4:1: bogus: unknown key/,
      ],
    },
    {
      name: "a policies folder with a module that does not compile names the module, field and column",
      args: ["-f", route, "--policies", brokenPolicies],
      messages: [/broken\.yaml: policy "broken": spec\.validations\[0\]\.expression \(line 1, column \d+\): syntax error/],
    },
    {
      name: "--operation UPDATE without --old asks for the stored objects",
      args: ["-f", route, "--operation", "UPDATE"],
      messages: [/--operation UPDATE needs --old FILE/],
    },
    { name: "--old without --operation UPDATE is refused", args: ["-f", route, "--old", route], messages: [/--old only applies to --operation UPDATE/] },
    {
      name: "an operation that is not CREATE, UPDATE or DELETE is refused",
      args: ["-f", route, "--operation", "PATCH"],
      messages: [/--operation must be CREATE, UPDATE or DELETE \(got "PATCH"\)/],
    },
    {
      name: "an unknown flag is named, with a pointer to --help",
      args: ["-f", route, "--bogus"],
      messages: [/Unknown option '--bogus'/, /hostgate check --help/],
    },
    { name: "-o yaml is refused, naming the formats there are", args: ["-f", route, "-o", "yaml"], messages: [/-o must be text or json \(got "yaml"\)/] },
    { name: "no -f at all asks for one", args: [], messages: [/no objects given; pass -f PATH/] },
    {
      name: "an object without metadata.name names the file and the kind",
      args: ["-f", nameless],
      messages: [/nameless\.yaml: DomainRoute has no metadata\.name/],
    },
    {
      name: "--namespace that conflicts with the object's own namespace names both",
      args: ["-f", route, "--namespace", "team-b"],
      messages: [/route\.yaml: the object's namespace "team-a" does not match --namespace "team-b"/],
    },
    {
      name: "an UPDATE whose --old file lacks the object names the object",
      args: ["-f", route, "--operation", "UPDATE", "--old", STATE_ROUTES],
      messages: [/route\.yaml: --old holds no DomainRoute team-a\/fixture to update/],
    },
    {
      name: "a folder holding only hostgate files has no objects to check",
      args: ["-f", onlyConfig],
      messages: [/no Kubernetes objects found in .*only-config/],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      assertCleanFailure(await hostgate("check", ...c.args), c.messages);
    });
  }
});

describe("hostgate check -o json", () => {
  let entries: CheckEntry[] = [];
  let result: CliResult;
  before(async () => {
    result = await hostgate("check", "-f", EXAMPLES, "-o", "json");
    entries = entriesOf(result);
  });

  test("prints an array with one entry per object in the files", () => {
    assert.ok(Array.isArray(entries));
    assert.equal(entries.length, countClusterObjects(EXAMPLES));
  });

  test("every entry has exactly the documented keys, with namespace only for namespaced objects", () => {
    const namespaced = new Set(["DomainRoute", "RegionPolicy", "HTTPRoute", "Gateway", "Service"]);
    for (const e of entries) {
      const expected = ["apiVersion", "kind", ...(namespaced.has(e.kind) ? ["namespace"] : []), "name", "source", "allowed", "denials", "warnings", "patch"];
      assert.deepEqual(Object.keys(e).sort(), expected.sort(), `${e.kind} ${e.name}`);
      assert.equal(typeof e.apiVersion, "string");
      assert.equal(typeof e.name, "string");
      assert.equal(typeof e.source, "string");
      assert.equal(typeof e.allowed, "boolean");
      assert.ok(Array.isArray(e.patch));
      assert.equal(e.allowed, e.denials.length === 0, `${e.name}: allowed exactly when nothing denies`);
      for (const finding of [...e.denials, ...e.warnings]) {
        const keys = Object.keys(finding).sort();
        assert.ok(
          JSON.stringify(keys) === JSON.stringify(["message", "policy"]) || JSON.stringify(keys) === JSON.stringify(["field", "message", "policy"]),
          `${e.name}: a finding has keys ${keys.join(", ")}`,
        );
        assert.equal(typeof finding.policy, "string");
        assert.ok(finding.message.length > 0);
      }
    }
  });

  test("a cluster-scoped HostnameGrant has no namespace key at all", () => {
    const grant = entries.find((e) => e.kind === "HostnameGrant");
    assert.ok(grant, "examples/state holds HostnameGrants");
    assert.equal(Object.hasOwn(grant, "namespace"), false);
  });

  test("the PlatformConfig in examples/ is skipped with a note on stderr, not checked", () => {
    assert.match(result.stderr, /^skipped .*platform-config\.yaml: a PlatformConfig is a hostgate file, not a cluster object$/m);
    assert.equal(
      entries.some((e) => e.kind === "PlatformConfig"),
      false,
    );
    assert.doesNotMatch(result.stdout, /PlatformConfig/);
  });

  test("entries of a multi-document file name their document in source", () => {
    const sources = entries.filter((e) => e.source.includes("domain-routes.yaml")).map((e) => e.source.replace(/^.*examples\//, ""));
    assert.deepEqual(sources, ["state/domain-routes.yaml#1", "state/domain-routes.yaml#2", "state/domain-routes.yaml#3", "state/domain-routes.yaml#4"]);
  });
});

describe("hostgate check names the policies that deny each rejected example", () => {
  let byFile = new Map<string, CheckEntry>();
  before(async () => {
    const result = await hostgate("check", "-f", join(EXAMPLES, "rejected"), "-o", "json");
    assert.equal(result.exitCode, 1);
    byFile = new Map(entriesOf(result).map((e) => [e.source.replace(/^.*\//, ""), e]));
  });

  const expected: Array<{ file: string; policies: string[]; message?: RegExp }> = [
    { file: "cross-namespace-service-backend.yaml", policies: ["cross-namespace-service"] },
    {
      file: "domain-outside-apex.yaml",
      policies: ["domain-allowlist", "hostname-granted"],
      message: /shop\.example\.org is not in a DNS zone this platform manages/,
    },
    { file: "duplicate-app-id.yaml", policies: ["appid-unique"], message: /appId "shop-web" is already used by DomainRoute team-a\/shop-web/ },
    { file: "duplicate-domain.yaml", policies: ["domain-unique"], message: /already routed by DomainRoute team-a\/shop-web/ },
    { file: "external-backend-metadata-ip.yaml", policies: ["safe-external-backend"], message: /169\.254\.169\.254/ },
    { file: "external-backend-tcp.yaml", policies: ["safe-external-backend"], message: /protocol TCP is not yet served/ },
    { file: "external-mode-with-backend.yaml", policies: ["backend-union", "crd-schema"] },
    { file: "hostname-not-granted.yaml", policies: ["hostname-granted"], message: /api\.example\.com, which is not granted to namespace team-a/ },
    { file: "httproute-without-hostnames.yaml", policies: ["hostname-granted"], message: /has no spec\.hostnames/ },
    {
      file: "istio-gateway-not-granted.yaml",
      policies: ["hostname-granted"],
      message: /api\.example\.com, which is not granted to namespace team-a for Gateways/,
    },
    { file: "missing-lb.yaml", policies: ["crd-schema", "lb-explicit"], message: /spec\.lb: Required value/ },
    { file: "public-without-protection.yaml", policies: ["public-needs-protection"] },
    {
      file: "protection-allowing-every-path.yaml",
      policies: ["public-needs-protection"],
      message: /spec\.protection\.rules\[0\]\.paths\[1\] \("\/\{\*\*\}"\) has a wildcard/,
    },
    { file: "unknown-protection-provider.yaml", policies: ["registered-provider"], message: /"okta" is not a protection provider/ },
  ];

  test("every rejected example is in the table below", () => {
    assert.deepEqual([...byFile.keys()].sort(), expected.map((e) => e.file).sort());
  });

  for (const { file, policies, message } of expected) {
    test(`${file} is denied by exactly ${policies.join(" and ")}`, () => {
      const entry = byFile.get(file);
      assert.ok(entry, `${file} was checked`);
      assert.equal(entry.allowed, false);
      assert.deepEqual([...new Set(entry.denials.map((d) => d.policy))].sort(), policies);
      if (message)
        assert.ok(
          entry.denials.some((d) => message.test(d.message)),
          `no denial matches ${message}: ${JSON.stringify(entry.denials)}`,
        );
    });
  }
});

describe("hostgate check runs the API server's phases", () => {
  const dir = tempDir("check-phases");

  test("a domain with upper-case letters and a trailing dot is normalised by the mutation and then admitted", async () => {
    const file = writeYaml(dir, "upper.yaml", domainRoute({ name: "upper", spec: { domain: "Upper.Shop.Example.com." } }));
    const [entry, ...rest] = entriesOf(await hostgate("check", "-f", file, "-o", "json"));
    assert.equal(rest.length, 0);
    assert.ok(entry);
    assert.equal(entry.allowed, true, JSON.stringify(entry.denials));
    assert.deepEqual(
      entry.patch.filter((p) => p.path === "/spec/domain"),
      [{ op: "replace", path: "/spec/domain", value: "upper.shop.example.com" }],
    );
  });

  test("spec.routing is defaulted by the CRD schema before the mutation runs, so the mutation adds none", async () => {
    // README: schema defaults are applied when the API server decodes the
    // request, before any mutating webhook; the mutation patch therefore
    // holds only what the mutation policies changed on the defaulted object.
    const file = writeYaml(dir, "no-routing.yaml", domainRoute({ name: "norouting", spec: { domain: "NoRouting.Shop.Example.com." } }));
    const [entry] = entriesOf(await hostgate("check", "-f", file, "-o", "json"));
    assert.ok(entry);
    assert.deepEqual(entry.patch, [{ op: "replace", path: "/spec/domain", value: "norouting.shop.example.com" }]);
  });

  test("a value outside the CRD's enum is reported under the policy crd-schema with its field", async () => {
    const file = writeYaml(dir, "alb-x.yaml", domainRoute({ name: "albx", spec: { lb: "alb-x" } }));
    const result = await hostgate("check", "-f", file, "-o", "json");
    assert.equal(result.exitCode, 1);
    const [entry] = entriesOf(result);
    assert.ok(entry);
    const schema = entry.denials.filter((d) => d.policy === "crd-schema" && d.field === "spec.lb");
    assert.equal(schema.length, 1, JSON.stringify(entry.denials));
    assert.match(schema[0]!.message, /^spec\.lb: Unsupported value: "alb-x": supported values: "alb-out", "alb-in"$/);
  });

  test("an unknown field is denied as a strict decoding error, as kubectl apply's strict field validation does", async () => {
    const file = writeYaml(dir, "unknown-field.yaml", domainRoute({ name: "colour", spec: { colour: "blue" } }));
    const result = await hostgate("check", "-f", file, "-o", "json");
    const [entry] = entriesOf(result);
    assert.ok(entry);
    assert.equal(result.exitCode, 1, `expected a denial; got ${JSON.stringify(entry)}`);
    const denial = entry.denials.find((d) => d.policy === "crd-schema" && d.field === "spec.colour");
    assert.ok(denial, `no crd-schema denial for spec.colour: ${JSON.stringify(entry.denials)}`);
    assert.match(denial.message, /strict decoding error: unknown field "spec\.colour"/);
  });

  test("--namespace is stamped onto an object that names no namespace", async () => {
    const file = writeYaml(dir, "namespaceless.yaml", domainRoute({ name: "stamped", namespace: null }));
    const result = await hostgate("check", "-f", file, "-n", "team-a", "-o", "json");
    const [entry] = entriesOf(result);
    assert.ok(entry);
    assert.equal(entry.namespace, "team-a");
    assert.equal(entry.allowed, true, JSON.stringify(entry.denials));
  });
});

describe("hostgate check --operation", () => {
  const dir = tempDir("check-operations");

  test("an UPDATE that changes an appId to one another route uses is denied, naming that route", async () => {
    // shop-admin exists in examples/state without protection; shop-web holds appId shop-web.
    const update = writeYaml(
      dir,
      "shop-admin.yaml",
      domainRoute({
        name: "shop-admin",
        spec: {
          domain: "admin.shop.example.com",
          backend: { service: { name: "shop-admin", port: 8080 } },
          dns: { ttl: 60 },
          protection: { provider: "sso", appId: "shop-web" },
        },
      }),
    );
    const result = await hostgate("check", "-f", update, "--operation", "UPDATE", "--old", STATE_ROUTES, "-o", "json");
    assert.equal(result.exitCode, 1, result.stderr);
    const [entry] = entriesOf(result);
    assert.ok(entry);
    assert.deepEqual(
      entry.denials.map((d) => d.policy),
      ["appid-unique"],
    );
    assert.match(entry.denials[0]!.message, /appId "shop-web" is already used by DomainRoute team-a\/shop-web/);
  });

  test("re-applying the stored routes unchanged as an UPDATE is allowed", async () => {
    const result = await hostgate("check", "-f", STATE_ROUTES, "--operation", "UPDATE", "--old", STATE_ROUTES, "-o", "json");
    assert.equal(result.exitCode, 0, result.stdout);
    const entries = entriesOf(result);
    assert.equal(entries.length, 4);
    for (const e of entries) assert.deepEqual(e.denials, [], e.name);
  });

  test("an UPDATE that changes the immutable domain is denied by the CRD's transition rule", async () => {
    const moved = writeYaml(
      dir,
      "moved.yaml",
      domainRoute({ name: "shop-admin", spec: { domain: "admin2.shop.example.com", backend: { service: { name: "shop-admin", port: 8080 } } } }),
    );
    const result = await hostgate("check", "-f", moved, "--operation", "UPDATE", "--old", STATE_ROUTES, "-o", "json");
    assert.equal(result.exitCode, 1);
    const [entry] = entriesOf(result);
    assert.ok(
      entry?.denials.some((d) => d.policy === "crd-schema" && /domain is immutable/.test(d.message)),
      JSON.stringify(entry?.denials),
    );
  });

  test("DELETE is allowed, even for objects a CREATE would deny", async () => {
    const result = await hostgate("check", "-f", join(EXAMPLES, "rejected"), "--operation", "DELETE", "-o", "json");
    assert.equal(result.exitCode, 0, result.stdout);
    const entries = entriesOf(result);
    assert.equal(entries.length, 14);
    for (const e of entries) {
      assert.equal(e.allowed, true, `${e.name}: ${JSON.stringify(e.denials)}`);
      assert.deepEqual(e.patch, []);
    }
  });
});

describe("hostgate check on kinds it has no CRD for", () => {
  test("a built-in cluster-scoped kind such as Namespace gets no namespace", async () => {
    const dir = tempDir("cluster-scoped");
    const file = writeYaml(
      dir,
      "ns.yaml",
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-z" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } },
    );
    const result = await hostgate("check", "-f", file, "-o", "json");
    assert.equal(result.exitCode, 0, result.stderr);
    const [namespace, configMap] = JSON.parse(result.stdout) as Array<{ kind: string; namespace?: string }>;
    assert.equal(namespace?.kind, "Namespace");
    assert.equal("namespace" in namespace!, false);
    assert.equal(configMap?.namespace, "default");
  });
});

describe("hostgate check says when nothing applies", () => {
  test("an object no policy or CRD covers is allowed with a note saying why, and a DomainRoute gets no such note", async () => {
    const dir = tempDir("uncovered");
    const ingress = writeYaml(dir, "ingress.yaml", {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "x", namespace: "team-a" },
      spec: {},
    });
    const uncovered = await hostgate("check", "-f", ingress);
    assert.equal(uncovered.exitCode, 0);
    assert.match(uncovered.stdout, /\(no hostgate policy or CRD schema applies to networking\.k8s\.io\/v1 Ingress\)/);
    const covered = await hostgate("check", "-f", join(EXAMPLES, "routes"));
    assert.doesNotMatch(covered.stdout, /no hostgate policy/);
  });
});
