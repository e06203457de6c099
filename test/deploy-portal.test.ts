// deploy/components/portal: the self-service page's ServiceAccount and RBAC,
// and the aggregated roles that give people DomainRoutes through the
// built-in edit/admin/view roles. Checked here: exactly what the page's
// ServiceAccount is granted (impersonate users and only the listed groups,
// list/watch HostnameGrants), that the shipped group list is a placeholder
// that lets it impersonate no real group, that the overlay the component's
// comment documents builds and replaces it, and what the aggregated roles
// give. (test/deploy-manifests.test.ts checks every object against its API
// schema, its namespace and its labels, with the other components.)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { ROOT } from "./fixtures.ts";
import { grants } from "./rbac/rbac-usage.ts";

const COMPONENT = join(ROOT, "deploy", "components", "portal");
const BASE = join(ROOT, "deploy", "base");
const SERVICE_ACCOUNT = { namespace: "hostgate-system", name: "hostgate-portal" };
const IMPERSONATOR = "hostgate-portal-impersonator";

type Json = any;
const kustomization = parse(readFileSync(join(COMPONENT, "kustomization.yaml"), "utf8")) as Json;
const FILES = (kustomization.resources as string[]).map((f) => join(COMPONENT, f));
const OBJECTS = FILES.flatMap((f) => parseAllDocuments(readFileSync(f, "utf8")).map((d) => d.toJS() as Json));
const byName = (kind: string, name: string) => {
  const found = OBJECTS.filter((o) => o.kind === kind && o.metadata.name === name);
  assert.equal(found.length, 1, `exactly one ${kind} ${name}`);
  return found[0];
};
const show = (g: { verb: string; group: string; resource: string; name?: string }) =>
  `${g.verb} ${g.resource}${g.group ? `.${g.group}` : ""}${g.name ? ` ${g.name}` : ""}`;

describe("the portal component (deploy/components/portal)", () => {
  it("is a kustomize Component of a ServiceAccount, its RBAC and the aggregated roles", () => {
    assert.equal(kustomization.apiVersion, "kustomize.config.k8s.io/v1alpha1");
    assert.equal(kustomization.kind, "Component");
    assert.deepEqual(OBJECTS.map((o) => `${o.kind} ${o.metadata.name}`).sort(), [
      "ClusterRole hostgate-domainroutes-edit",
      "ClusterRole hostgate-domainroutes-view",
      "ClusterRole hostgate-portal",
      "ClusterRole hostgate-portal-impersonator",
      "ClusterRoleBinding hostgate-portal",
      "ClusterRoleBinding hostgate-portal-impersonator",
      "ServiceAccount hostgate-portal",
    ]);
  });

  it("gives the page's ServiceAccount no token unless its Deployment opts in", () => {
    assert.equal(byName("ServiceAccount", "hostgate-portal").automountServiceAccountToken, false);
  });

  it("grants the page's ServiceAccount exactly: impersonate any user, impersonate the listed groups, list and watch HostnameGrants", () => {
    assert.deepEqual(grants(FILES, SERVICE_ACCOUNT).map(show).sort(), [
      "impersonate groups hostgate-portal-replace-with-your-groups",
      "impersonate users",
      "list hostnamegrants.hostgate.dev",
      "watch hostnamegrants.hostgate.dev",
    ]);
  });

  it("lists the impersonable groups by name, never empty (empty means every group) and never a system: group", () => {
    const groups = byName("ClusterRole", IMPERSONATOR).rules.filter((r: Json) => r.resources.includes("groups"));
    assert.equal(groups.length, 1);
    const names = groups[0].resourceNames as string[];
    assert.ok(Array.isArray(names) && names.length > 0, "no resourceNames: the page could claim any group, system:masters included");
    assert.deepEqual(
      names.filter((n) => n.startsWith("system:")),
      [],
    );
  });

  it("keeps the groups rule second, where the documented patch (/rules/1/resourceNames) replaces it", () => {
    const rules = byName("ClusterRole", IMPERSONATOR).rules as Json[];
    assert.deepEqual(rules[0], { apiGroups: [""], resources: ["users"], verbs: ["impersonate"] });
    assert.deepEqual(rules[1].resources, ["groups"]);
  });

  it("never lets the page impersonate ServiceAccounts, uids or extras, nor any other verb on users or groups", () => {
    for (const role of OBJECTS.filter((o) => o.kind === "ClusterRole")) {
      for (const rule of role.rules as Json[]) {
        for (const resource of rule.resources as string[]) {
          assert.ok(!["serviceaccounts", "uids"].includes(resource) && !resource.startsWith("userextras"), `${role.metadata.name}: ${resource}`);
          if (resource === "users" || resource === "groups") assert.deepEqual(rule.verbs, ["impersonate"], role.metadata.name);
        }
      }
    }
  });

  const aggregated = [
    {
      name: "hostgate-domainroutes-edit",
      labels: ["rbac.authorization.k8s.io/aggregate-to-admin", "rbac.authorization.k8s.io/aggregate-to-edit"],
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    },
    { name: "hostgate-domainroutes-view", labels: ["rbac.authorization.k8s.io/aggregate-to-view"], verbs: ["get", "list", "watch"] },
  ];
  for (const role of aggregated) {
    it(`${role.name} is aggregated by ${role.labels.join(" and ")} and grants ${role.verbs.join(", ")} on DomainRoutes, never their status or finalizers`, () => {
      const object = byName("ClusterRole", role.name);
      const aggregation = Object.entries(object.metadata.labels as Record<string, string>).filter(([key]) =>
        key.startsWith("rbac.authorization.k8s.io/aggregate-to-"),
      );
      assert.deepEqual(aggregation.sort(), role.labels.map((label) => [label, "true"]).sort());
      assert.deepEqual(object.rules, [{ apiGroups: ["hostgate.dev"], resources: ["domainroutes"], verbs: [...object.rules[0].verbs] }]);
      assert.deepEqual([...object.rules[0].verbs].sort(), role.verbs);
      assert.equal(object.aggregationRule, undefined, "it is aggregated into the built-in roles, it aggregates nothing");
    });
  }

  it("binds the aggregated roles to no one: the cluster's own edit/view bindings give them", () => {
    const bound = OBJECTS.filter((o) => o.kind.endsWith("Binding")).map((b) => b.roleRef.name);
    assert.deepEqual(
      bound.filter((name: string) => name.startsWith("hostgate-domainroutes-")),
      [],
    );
  });
});

const KUBECTL_MISSING = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).error
  ? "kubectl is not on PATH: the kustomize build is not checked"
  : false;

/** The overlay the component's kustomization.yaml documents in its leading comment, with its paths made real. */
function documentedOverlay(dir: string): Json {
  const text = readFileSync(join(COMPONENT, "kustomization.yaml"), "utf8").split("\n");
  const start = text.findIndex((l) => l.startsWith("#   resources:"));
  const end = text.findIndex((l, i) => i > start && l === "#");
  assert.ok(start > 0 && end > start, "the kustomization's comment no longer shows an overlay");
  const yaml = text
    .slice(start, end)
    .map((l) => l.slice(2))
    .join("\n")
    .replaceAll("<path-to>/deploy/base", relative(dir, BASE))
    .replaceAll("<path-to>/deploy/components/portal", relative(dir, COMPONENT));
  return { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", ...(parse(yaml) as Json) };
}

describe("the portal component with kubectl kustomize", { skip: KUBECTL_MISSING }, () => {
  it("builds with the base as its comment shows, and the documented patch replaces the placeholder groups", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostgate-portal-"));
    try {
      writeFileSync(join(dir, "kustomization.yaml"), JSON.stringify(documentedOverlay(dir)));
      const result = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
      const rendered = parseAllDocuments(result.stdout).map((d) => d.toJS() as Json);
      const role = rendered.find((o) => o.kind === "ClusterRole" && o.metadata.name === IMPERSONATOR);
      assert.deepEqual(role.rules, [
        { apiGroups: [""], resources: ["users"], verbs: ["impersonate"] },
        { apiGroups: [""], resources: ["groups"], resourceNames: ["team-a", "team-b"], verbs: ["impersonate"] },
      ]);
      for (const name of ["hostgate-webhook", "hostgate-reconciler"]) {
        assert.ok(
          rendered.some((o) => o.kind === "Deployment" && o.metadata.name === name),
          `the base's ${name} is kept`,
        );
      }
      assert.ok(rendered.some((o) => o.kind === "ServiceAccount" && o.metadata.name === "hostgate-portal"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
