// deploy/components/reconciler-gateway-api/gateways-rbac.yaml against what the
// reconciler does to the pooled Gateways with `gateway.provider: gateway-api`
// (on Envoy Gateway, with their identity-header ClientTrafficPolicies):
// the whole reconciler runs against the in-memory API server through every
// path that touches them (cache, create, revert of a hand edit, read by name
// of one that lost its label, delete once its last route is gone), and both
// directions are checked for Gateways: every request on them is allowed by
// the file, and every permission it grants was used. The route's own Gateway
// API objects are reconciler-rbac-gateway-api.test.ts's; the base's rights
// reconciler-rbac-usage.test.ts's.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadPlatformConfig } from "../core/config/index.ts";
import type { PlatformConfig } from "../core/config/platform-config.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { DomainRoute } from "../crds/types.ts";
import { DOMAIN_ROUTES, GATEWAYS } from "../reconciler/resources.ts";
import { CLIENT_TRAFFIC_POLICY_RESOURCE as POLICIES } from "../reconciler/domainroute/render/gateway-api/identity-header-strip.ts";
import { ROOT } from "./fixtures.ts";
import type { Request } from "./rbac/rbac-usage.ts";
import { deniedRequests, eventually, grants, recordedManager, unusedGrants } from "./rbac/rbac-usage.ts";

const SERVICE_ACCOUNT = { namespace: "hostgate-system", name: "hostgate-reconciler" };
const GATEWAYS_RBAC = join(ROOT, "deploy", "components", "reconciler-gateway-api", "gateways-rbac.yaml");
const loaded = loadPlatformConfig(join(ROOT, "deploy", "base", "platform-config.yaml"));
const config: PlatformConfig = {
  ...loaded,
  gateway: { ...loaded.gateway, provider: "gateway-api", gatewayApi: { implementation: "envoy-gateway", gatewayClassName: "eg", authServices: {} } },
};
const NS = config.gateway.namespace;

/** External mode: the team writes its own HTTPRoute, so hostgate writes only the listener (and DNS, off here). */
function route(name: string, domain: string, lb: "alb-in" | "alb-out"): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: { domain, lb, routing: { mode: "External" } },
  };
}

const hostnames = (object: KubeObject | undefined) =>
  ((object?.spec as { listeners?: { hostname: string }[] } | undefined)?.listeners ?? []).map((l) => l.hostname);
const isGateways = (r: { group: string; resource: string }) =>
  (r.group === GATEWAYS.group && r.resource === GATEWAYS.resource) || (r.group === POLICIES.group && r.resource === POLICIES.resource);

describe("the reconciler's RBAC for the pooled Gateways (deploy/components/reconciler-gateway-api/gateways-rbac.yaml)", () => {
  const requests: Request[] = [];
  const granted = grants([GATEWAYS_RBAC], SERVICE_ACCOUNT);
  let scenarios: Promise<void> | undefined;

  const runScenarios = async () => {
    const api = new FakeKubeApi();
    const manager = recordedManager(api, requests, config);
    const gateway = (name: string) => api.server.get(GATEWAYS, { namespace: NS, name });
    const get = (name: string) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute | undefined;
    try {
      await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", "alb-in"));
      await api.create(DOMAIN_ROUTES, route("blog", "blog.example.com", "alb-out"));
      manager.start();
      await eventually("both members' Gateways are written", () => hostnames(gateway("alb-in")).length === 1 && hostnames(gateway("alb-out")).length === 1);
      // A hand edit of the spec is reverted: update (moving the fields to the apply entry), then apply.
      const current = gateway("alb-in")!;
      const spec = current.spec as { listeners: { hostname: string }[] };
      await api.update(
        GATEWAYS,
        { ...current, spec: { ...spec, listeners: [{ ...spec.listeners[0]!, hostname: "evil.example.com" }] } },
        { fieldManager: "kubectl-edit" },
      );
      await eventually("the hand edit is reverted", () => hostnames(gateway("alb-in"))[0] === "shop.example.com");
      // Its labels removed: out of the cache, so the create finds the name taken and it is read by name, then applied over.
      const unlabelled = gateway("alb-in")!;
      await api.update(GATEWAYS, { ...unlabelled, metadata: { ...unlabelled.metadata, labels: {} } }, { fieldManager: "kubectl-edit" });
      const member = () => (gateway("alb-in")?.metadata?.labels as Record<string, string> | undefined)?.["hostgate.dev/edge-member"];
      await eventually("alb-in's Gateway is labelled again", () => member() === "alb-in");
      // The same for a Gateway's identity-header ClientTrafficPolicy (Envoy Gateway): a hand edit reverted, lost labels put back.
      const policy = () => api.server.get(POLICIES, { namespace: NS, name: "alb-in-identity-header" });
      const removed = () => (policy()?.spec as { headers?: { earlyRequestHeaders?: { remove?: string[] } } } | undefined)?.headers?.earlyRequestHeaders?.remove;
      const edited = policy()!;
      const header = removed()![0]!;
      await api.update(
        POLICIES,
        { ...edited, spec: { ...(edited.spec as object), headers: { earlyRequestHeaders: { remove: ["x-other"] } } } },
        { fieldManager: "kubectl-edit" },
      );
      await eventually("the policy's hand edit is reverted", () => removed()?.[0] === header);
      const unlabelledPolicy = policy()!;
      await api.update(POLICIES, { ...unlabelledPolicy, metadata: { ...unlabelledPolicy.metadata, labels: {} } }, { fieldManager: "kubectl-edit" });
      const policyMember = () => (policy()?.metadata?.labels as Record<string, string> | undefined)?.["hostgate.dev/edge-member"];
      await eventually("alb-in's policy is labelled again", () => policyMember() === "alb-in");
      // The last route of a member goes: its Gateway is deleted.
      await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "blog" });
      await eventually(
        "blog is gone with alb-out's Gateway and its policy",
        () =>
          get("blog") === undefined &&
          gateway("alb-out") === undefined &&
          api.server.get(POLICIES, { namespace: NS, name: "alb-out-identity-header" }) === undefined,
      );
    } finally {
      await manager.stop();
    }
  };
  const recorded = () => (scenarios ??= runScenarios());
  after(() => recorded());
  const onGateways = () => requests.filter(isGateways);

  it("allows every request the reconciler makes on Gateway API Gateways", async () => {
    await recorded();
    assert.ok(onGateways().length > 5, "the scenarios touched Gateways");
    assert.deepEqual(deniedRequests(onGateways(), granted), [], "requests the RBAC would refuse with 403");
  });

  it("grants nothing the reconciler does not use", async () => {
    await recorded();
    assert.deepEqual(unusedGrants(granted, requests), [], "permissions no request needed");
  });

  it("grants only Gateways and their ClientTrafficPolicies, only in the gateway namespace, and only to the reconciler's ServiceAccount", () => {
    assert.deepEqual([...new Set(granted.map((g) => `${g.resource}.${g.group} in ${g.namespace}`))].sort(), [
      `clienttrafficpolicies.gateway.envoyproxy.io in ${NS}`,
      `gateways.gateway.networking.k8s.io in ${NS}`,
    ]);
    assert.deepEqual(grants([GATEWAYS_RBAC], { namespace: "hostgate-system", name: "hostgate-webhook" }), []);
  });

  it("is checked by a comparison that notices a missing verb", async () => {
    await recorded();
    const narrowed = granted.filter((g) => g.verb !== "get");
    assert.ok(deniedRequests(onGateways(), narrowed).length > 0, "without get, the read by name of a Gateway that lost its label is refused");
  });
});
