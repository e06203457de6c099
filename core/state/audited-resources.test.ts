// AUDITED_RESOURCES and the webhook configurations say the same thing twice:
// which kinds hostgate judges. This test holds them together, so a kind added
// to the webhooks is audited too, and the audit never reads a kind no request
// is ever judged for.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { AUDITED_RESOURCES, auditedResourceRef } from "./audited-resources.ts";

const WEBHOOKS = fileURLToPath(new URL("../../deploy/base/webhooks.yaml", import.meta.url));

interface Rule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope: string;
}

/** `group/resource (scope)`, the identity both sides are compared by. */
const id = (group: string, resource: string, scope: string) => `${group}/${resource} (${scope})`;

/** Every (group, resource, scope) the webhooks intercept, with the apiVersions their rules list for it. */
function intercepted(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const documents = parseAllDocuments(readFileSync(WEBHOOKS, "utf8"));
  for (const document of documents) {
    const configuration = document.toJS() as { kind: string; webhooks: { name: string; rules: Rule[] }[] };
    for (const webhook of configuration.webhooks) {
      for (const rule of webhook.rules) {
        const wildcard = [...rule.apiGroups, ...rule.apiVersions, ...rule.resources].find((v) => v.includes("*"));
        assert.equal(wildcard, undefined, `${configuration.kind} ${webhook.name}: a wildcard rule cannot be audited kind by kind; list the resources`);
        for (const group of rule.apiGroups) {
          for (const resource of rule.resources) {
            const key = id(group, resource, rule.scope);
            const versions = found.get(key) ?? new Set<string>();
            for (const version of rule.apiVersions) versions.add(version);
            found.set(key, versions);
          }
        }
      }
    }
  }
  return found;
}

const audited = (r: (typeof AUDITED_RESOURCES)[number]) => id(r.group, r.resource, r.namespaced ? "Namespaced" : "Cluster");

describe("AUDITED_RESOURCES", () => {
  const webhooks = intercepted();
  // A PolicyModule is the policy, not a subject of it: intercepted (so a broken one is refused) but never audited.
  const subjects = [...webhooks.keys()].filter((key) => key !== id("hostgate.dev", "policymodules", "Cluster"));

  it("reads exactly the resources the webhooks intercept, PolicyModules aside, each at the webhooks' scope", () => {
    assert.equal(webhooks.has(id("hostgate.dev", "policymodules", "Cluster")), true, "the webhooks intercept PolicyModules");
    assert.deepEqual(AUDITED_RESOURCES.map(audited).sort(), subjects.sort());
  });

  for (const resource of AUDITED_RESOURCES) {
    it(`reads ${resource.kind} (${resource.resource}.${resource.group}) only at versions the webhooks intercept`, () => {
      assert.ok(resource.versions.length > 0, "at least one version to read it by");
      const intercepted = webhooks.get(audited(resource)) ?? new Set<string>();
      assert.deepEqual(
        resource.versions.filter((v) => !intercepted.has(v)),
        [],
        `versions the webhooks do not intercept (they list ${[...intercepted].join(", ")})`,
      );
      assert.equal(new Set(resource.versions).size, resource.versions.length, "no version twice");
    });
  }

  it("names each resource once", () => {
    const ids = AUDITED_RESOURCES.map(audited);
    assert.deepEqual(
      ids.filter((x, i) => ids.indexOf(x) !== i),
      [],
    );
  });

  it("gives auditedResourceRef the resource at the version asked, every namespace", () => {
    const httpRoutes = AUDITED_RESOURCES.find((r) => r.resource === "httproutes")!;
    assert.deepEqual(auditedResourceRef(httpRoutes, "v1beta1"), {
      group: "gateway.networking.k8s.io",
      version: "v1beta1",
      resource: "httproutes",
      kind: "HTTPRoute",
      namespaced: true,
    });
  });
});
