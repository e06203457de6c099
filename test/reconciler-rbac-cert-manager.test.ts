// deploy/components/reconciler-cert-manager: what the reconciler needs for
// `certificates.provider: cert-manager`, and nothing more: Certificates
// written like its other produced objects, Secrets only read (importToAcm
// imports the issued Secret into ACM), both only in certManager.namespace.
// The cert-manager controller's code is not in this tree yet: when it lands,
// give it a usage test like reconciler-rbac-external-dns.test.ts, which runs
// the reconciler and compares what it asks for with what this grants.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { configYaml } from "../core/config/config-fixtures.ts";
import { parsePlatformConfig } from "../core/config/index.ts";
import { ROOT } from "./fixtures.ts";
import { grants } from "./rbac/rbac-usage.ts";

const SERVICE_ACCOUNT = { namespace: "hostgate-system", name: "hostgate-reconciler" };
const COMPONENT = join(ROOT, "deploy", "components", "reconciler-cert-manager", "rbac.yaml");

describe("the reconciler's RBAC for cert-manager (deploy/components/reconciler-cert-manager)", () => {
  it("grants Certificates' write verbs and Secrets' read verbs, in hostgate-system only, and nothing else", () => {
    const lines = grants([COMPONENT], SERVICE_ACCOUNT)
      .map((g) => `${g.namespace ?? "cluster"} | ${g.group || "core"} | ${g.resource} | ${g.name ?? "all"} | ${g.verb}`)
      .sort();
    const expected = [
      ...["create", "delete", "get", "list", "patch", "update", "watch"].map((v) => `hostgate-system | cert-manager.io | certificates | all | ${v}`),
      ...["get", "list", "watch"].map((v) => `hostgate-system | core | secrets | all | ${v}`),
    ].sort();
    assert.deepEqual(lines, expected);
  });

  it("lives in the namespace certificates.certManager.namespace defaults to", () => {
    const yaml = configYaml((data) => {
      data.certificates = { provider: "cert-manager", certManager: { issuerRef: { name: "letsencrypt-dns" } } };
    });
    const config = parsePlatformConfig(yaml, "platform.yaml");
    assert.equal(config.certificates.certManager?.namespace, SERVICE_ACCOUNT.namespace);
  });

  it("grants the webhook's ServiceAccount nothing", () => {
    assert.deepEqual(grants([COMPONENT], { namespace: "hostgate-system", name: "hostgate-webhook" }), []);
  });
});
