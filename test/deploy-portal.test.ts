// deploy/components/portal: the self-service page's Deployment (with its
// Service, PodDisruptionBudget and NetworkPolicy), ServiceAccount and RBAC,
// and the aggregated roles that give people DomainRoutes through the
// built-in edit/admin/view roles. Checked here: the Deployment's arguments,
// as serve itself reads them (the shipped placeholders refused, the
// overlay's values accepted, the page started from them answering its
// probe to an untrusted peer), its hardening, token and CSRF key; that only
// the login proxy's pods may connect; exactly what the page's
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
import { portalFactory } from "../bin/portal-factory.ts";
import { loadPlatformConfig } from "../core/config/load.ts";
import { silentLogger } from "../core/logger.ts";
import { memoryCluster } from "../portal/testing/memory-cluster.ts";
import { parseServeOptions } from "../webhook/serve-options.ts";
import type { ServeOptions } from "../webhook/serve-options.ts";
import { portalSettings } from "../webhook/serve-portal-part.ts";
import { EXAMPLES, ROOT } from "./fixtures.ts";
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
      "Deployment hostgate-portal",
      "NetworkPolicy hostgate-portal",
      "PodDisruptionBudget hostgate-portal",
      "Service hostgate-portal",
      "ServiceAccount hostgate-portal",
    ]);
    assert.deepEqual(
      OBJECTS.filter((o) => o.kind === "Secret"),
      [],
      "the CSRF key's Secret is created in the cluster, never shipped",
    );
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

/** The container's args as serve reads them, each `$(NAME)` expanded from its env as the kubelet does. */
function expandedArgs(container: Json): ServeOptions {
  const env = new Map<string, string>((container.env as Json[]).map((e) => [e.name, e.value]));
  const args = (container.args as string[]).map((a) => a.replaceAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name: string) => env.get(name) ?? all));
  assert.equal(args[0], "serve");
  return parseServeOptions(args.slice(1), {});
}

/** Exactly the options the page runs with once the overlay set the documented values (the trusted range, the origin). */
const OVERLAY_PORTAL_OPTIONS = {
  listen: { host: "0.0.0.0", port: 8080 },
  identity: { kind: "proxy", trustedProxies: ["10.42.0.0/16"], headers: { user: "X-Forwarded-User", groups: "X-Forwarded-Groups" } },
  origin: "https://routes.example.com",
  maxHeaderSize: 16_384,
  csrfKeyFile: "/etc/hostgate-portal/csrf-key",
};

/** The container with the overlay's values in env (as the documented patch sets them). */
function withOverlayValues(container: Json, trusted = "10.42.0.0/16"): Json {
  const values: Record<string, string> = { PORTAL_TRUSTED_PROXY: trusted, PORTAL_ORIGIN: "https://routes.example.com" };
  return { ...container, env: (container.env as Json[]).map((e) => (e.name in values ? { ...e, value: values[e.name] } : e)) };
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("the page's Deployment, Service, PodDisruptionBudget and NetworkPolicy", () => {
  const deployment = byName("Deployment", "hostgate-portal");
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const webhook = parse(readFileSync(join(BASE, "deployment.yaml"), "utf8")) as Json;
  const webhookPod = webhook.spec.template.spec;
  const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;

  it("runs one container, `hostgate serve --only portal` with the base's platform config", () => {
    assert.equal(pod.containers.length, 1);
    assert.equal(container.image, webhookPod.containers[0].image);
    const options = expandedArgs(withOverlayValues(container));
    assert.equal(options.only, "portal");
    const mounted = (container.volumeMounts as Json[]).find((m) => m.name === "platform-config").mountPath;
    const webhookConfig = (webhookPod.containers[0].args as string[])[(webhookPod.containers[0].args as string[]).indexOf("--config") + 1];
    assert.equal(options.config, webhookConfig, "the same config file as the webhook");
    assert.ok(webhookConfig!.startsWith(`${mounted}/`));
    assert.deepEqual(
      (pod.volumes as Json[]).find((v) => v.name === "platform-config").configMap,
      (webhookPod.volumes as Json[]).find((v) => v.name === "platform-config").configMap,
    );
  });

  it("is refused by serve as shipped: the trusted range and the origin are placeholders the overlay must replace", () => {
    assert.throws(
      () => expandedArgs(container),
      (error: Error & { problems?: string[] }) => {
        const text = error.problems?.join("\n") ?? "";
        return /--portal-trusted-proxy "replace-with-the-login-proxy-pod-cidr" is not a CIDR/.test(text) && /--portal-origin "replace-with-https:/.test(text);
      },
    );
  });

  it("with the overlay's values, runs the page on 8080 behind the trusted proxy, with the origin and the shared CSRF key file", () => {
    assert.deepEqual(expandedArgs(withOverlayValues(container)).portal, OVERLAY_PORTAL_OPTIONS);
  });

  it("keeps the two values the documented patch replaces first in env (env/0 and env/1)", () => {
    assert.deepEqual(
      (container.env as Json[]).slice(0, 2).map((e) => e.name),
      ["PORTAL_TRUSTED_PROXY", "PORTAL_ORIGIN"],
    );
  });

  it("reads the CSRF key from the Secret hostgate-portal-csrf, key csrf-key, mounted where --portal-csrf-key-file looks, readable by the pod's group only", () => {
    const volume = (pod.volumes as Json[]).find((v) => v.secret);
    assert.equal(volume.secret.secretName, "hostgate-portal-csrf");
    assert.equal(volume.secret.optional, undefined, "a missing Secret keeps the pod from starting instead of a per-process key");
    assert.equal(volume.secret.defaultMode, 0o440);
    assert.equal(pod.securityContext.fsGroup, pod.securityContext.runAsGroup);
    const mount = (container.volumeMounts as Json[]).find((m) => m.name === volume.name);
    assert.equal(mount.readOnly, true);
    const [item] = volume.secret.items as Json[];
    assert.deepEqual(item, { key: "csrf-key", path: "csrf-key" });
    assert.equal(`${mount.mountPath}/${item.path}`, OVERLAY_PORTAL_OPTIONS.csrfKeyFile);
  });

  it("runs as hostgate-portal with a one-hour projected token where the in-cluster client reads it, and no automounted one", () => {
    assert.equal(pod.serviceAccountName, "hostgate-portal");
    assert.equal(pod.automountServiceAccountToken, false);
    const volume = (pod.volumes as Json[]).find((v) => v.projected);
    const sources = volume.projected.sources as Json[];
    const token = sources.find((s) => s.serviceAccountToken).serviceAccountToken;
    assert.equal(token.path, "token");
    assert.ok(token.expirationSeconds <= 3600, `a token valid ${token.expirationSeconds} s`);
    assert.equal(token.audience, undefined, "the API server's own audience");
    assert.deepEqual(sources.find((s) => s.configMap).configMap, { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] });
    const mount = (container.volumeMounts as Json[]).find((m) => m.name === volume.name);
    assert.deepEqual([mount.mountPath, mount.readOnly], ["/var/run/secrets/kubernetes.io/serviceaccount", true]);
  });

  it("is hardened as the webhook: the same container security context, and the pod's plus the key's fsGroup", () => {
    assert.deepEqual(container.securityContext, webhookPod.containers[0].securityContext);
    assert.deepEqual(pod.securityContext, { ...webhookPod.securityContext, fsGroup: webhookPod.securityContext.runAsGroup });
    assert.equal(pod.hostNetwork, undefined);
    assert.equal(pod.enableServiceLinks, false);
    assert.equal(pod.priorityClassName, undefined, "not on the admission path");
    const nodeOptions = (container.env as Json[]).find((e) => e.name === "NODE_OPTIONS").value as string;
    assert.match(nodeOptions, /--max-old-space-size-percentage=\d+/);
    assert.ok(container.resources.limits.memory && container.resources.requests.memory && container.resources.limits.cpu === undefined);
  });

  it("runs two replicas, never fewer during a rollout, one disrupted at a time", () => {
    assert.equal(deployment.spec.replicas, 2);
    assert.deepEqual(deployment.spec.strategy.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
    const pdb = byName("PodDisruptionBudget", "hostgate-portal");
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.equal(pdb.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
    assert.ok(matches(pdb.spec.selector.matchLabels, podLabels));
  });

  it("selects only its own pods (not the webhook's nor the reconciler's) in its Deployment, Service, PodDisruptionBudget and NetworkPolicy", () => {
    const others = [webhook, parse(readFileSync(join(BASE, "reconciler-deployment.yaml"), "utf8")) as Json].map(
      (d) => d.spec.template.metadata.labels as Record<string, string>,
    );
    const selectors = {
      Deployment: deployment.spec.selector.matchLabels,
      Service: byName("Service", "hostgate-portal").spec.selector,
      PodDisruptionBudget: byName("PodDisruptionBudget", "hostgate-portal").spec.selector.matchLabels,
      NetworkPolicy: byName("NetworkPolicy", "hostgate-portal").spec.podSelector.matchLabels,
    };
    for (const [kind, selector] of Object.entries(selectors)) {
      assert.ok(matches(selector, podLabels), `${kind} misses the page's pods`);
      for (const labels of others) assert.ok(!matches(selector, labels), `${kind} selects ${labels["app.kubernetes.io/component"]} pods`);
    }
  });

  it("exposes the page's port, by name, in the Service", () => {
    assert.deepEqual(container.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    assert.deepEqual(byName("Service", "hostgate-portal").spec.ports, [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP", appProtocol: "http" }]);
  });

  it("admits connections to the page's port only from the login proxy's pods, by namespace and labels together; the shipped selector names no real pod", () => {
    const policy = byName("NetworkPolicy", "hostgate-portal");
    assert.deepEqual(policy.spec.policyTypes, ["Ingress"]);
    assert.equal(policy.spec.ingress.length, 1);
    const [rule] = policy.spec.ingress;
    assert.deepEqual(rule.ports, [{ protocol: "TCP", port: "http" }]);
    assert.equal(rule.from.length, 1, "one peer: the proxy");
    const [peer] = rule.from;
    assert.deepEqual(Object.keys(peer).sort(), ["namespaceSelector", "podSelector"], "both in one peer (AND), never an ipBlock");
    for (const selector of [peer.namespaceSelector, peer.podSelector]) {
      assert.ok(Object.keys(selector.matchLabels ?? {}).length > 0, "an empty selector admits everything it covers");
      assert.match(Object.values(selector.matchLabels as Record<string, string>).join(), /^replace-with-/);
    }
  });

  it("probes GET /assets/app.css on the page's port: a file the page serves", () => {
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      assert.deepEqual(probe.httpGet, { path: "/assets/app.css", port: "http" });
    }
    assert.ok(readFileSync(join(ROOT, "portal", "client", "app.css"), "utf8").length > 0);
  });

  it("started from its own args (the overlay's values), answers the probe to a peer outside the trusted range, and believes no header from it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hostgate-portal-probe-"));
    try {
      const keyFile = join(dir, "csrf-key");
      writeFileSync(keyFile, "k".repeat(48));
      // The kubelet's probe and this test both come from outside 10.42.0.0/16; listen on loopback, any port.
      const options = expandedArgs(withOverlayValues(container));
      const portal = { ...options.portal!, listen: { host: "127.0.0.1", port: 0 }, csrfKeyFile: keyFile };
      const cluster = await memoryCluster();
      const factory = portalFactory(() => ({ client: cluster.api, own: cluster.api }), { shutdownTimeoutMs: 200 });
      const settings = portalSettings(portal, loadPlatformConfig(join(EXAMPLES, "platform-config.yaml")));
      const running = await factory({ mode: "cluster", cluster }, settings, silentLogger);
      try {
        const probe = await fetch(`${running.url}/assets/app.css`, { headers: { Host: "10.42.3.4:8080" } });
        assert.equal(probe.status, 200);
        await probe.body?.cancel();
        const claimed = await fetch(`${running.url}/api/session`, { headers: { "X-Forwarded-User": "admin" } });
        assert.equal(claimed.status, 401, "a peer outside the trusted range names no one");
        await claimed.body?.cancel();
      } finally {
        await running.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
  it("builds with the base as its comment shows, and the documented patches replace every placeholder", () => {
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

      const deployment = rendered.find((o) => o.kind === "Deployment" && o.metadata.name === "hostgate-portal");
      const container = deployment.spec.template.spec.containers[0];
      assert.deepEqual(expandedArgs(container).portal, {
        ...OVERLAY_PORTAL_OPTIONS,
        identity: { ...OVERLAY_PORTAL_OPTIONS.identity, trustedProxies: ["10.42.0.0/16"] },
        origin: "https://routes.example.com",
      });
      const base = rendered.find((o) => o.kind === "Deployment" && o.metadata.name === "hostgate-webhook");
      assert.equal(container.image, base.spec.template.spec.containers[0].image, "the page runs the base's tagged image");
      const configMap = (pod: Json) => (pod.spec.template.spec.volumes as Json[]).find((v) => v.name === "platform-config").configMap.name;
      assert.match(configMap(deployment), /^hostgate-platform-config-[a-z0-9]+$/, "the generated ConfigMap's hashed name");
      assert.equal(configMap(deployment), configMap(base));

      const policy = rendered.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "hostgate-portal");
      assert.deepEqual(policy.spec.ingress[0].from, [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "oauth2-proxy" } },
          podSelector: { matchLabels: { "app.kubernetes.io/name": "oauth2-proxy" } },
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
