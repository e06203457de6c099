// readClusterObjects over a real kubeconfig file and an in-memory API server
// that serves each CRD at chosen versions only (ServedVersionsClient).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KubeApiError } from "../kube/api-error.ts";
import type { ClusterConnection } from "../kube/cluster-connection.ts";
import { KubeconfigError } from "../kube/cluster-connection.ts";
import type { KubeObject } from "../kube/object-key.ts";
import { FakeListWatchClient, networkError } from "../kube/testing/fake-list-watch.ts";
import { writeKubeconfig } from "../kube/testing/kubeconfig-file.ts";
import { ServedVersionsClient } from "../kube/testing/served-versions.ts";
import { AUDITED_RESOURCES, auditedResourceRef } from "../state/audited-resources.ts";
import type { AuditedResource } from "../state/audited-resources.ts";
import { UsageError } from "../errors.ts";
import { readClusterObjects } from "./cluster-objects.ts";

const KUBECONFIG = writeKubeconfig({ staging: "https://staging.example.com:6443", prod: "https://prod.example.com:6443" }, "staging");

const audited = (resource: string, group?: string): AuditedResource =>
  AUDITED_RESOURCES.find((r) => r.resource === resource && (group ?? r.group) === r.group)!;
const HTTP_ROUTES = audited("httproutes");
const GRANTS = audited("hostnamegrants");

/** Every audited kind installed at its newest version, but HTTPRoute only at v1beta1 and TLSRoute only at v1alpha2. */
function cluster(): { server: FakeListWatchClient; client: ServedVersionsClient } {
  const server = new FakeListWatchClient();
  const client = new ServedVersionsClient(server);
  for (const r of AUDITED_RESOURCES) client.install(r, r.resource === "httproutes" ? "v1beta1" : r.resource === "tlsroutes" ? "v1alpha2" : r.versions[0]!);
  return { server, client };
}

/** One object of `r`, as a list item that omits apiVersion and kind (the real API server may). */
function put(server: FakeListWatchClient, r: AuditedResource, name: string): void {
  const metadata = r.namespaced ? { namespace: "team-a", name } : { name };
  server.put(auditedResourceRef(r, r.versions[0]!), { metadata } as KubeObject);
}

const read = (client: ServedVersionsClient, context?: string) => readClusterObjects("audit", { kubeconfig: KUBECONFIG, context }, { clientFor: () => client });

describe("readClusterObjects", () => {
  it("lists every audited kind at the first version the cluster serves, each object stamped with that apiVersion and its kind", async () => {
    const { server, client } = cluster();
    for (const r of AUDITED_RESOURCES) put(server, r, `a-${r.resource}`);
    const { objects, notes } = await read(client);
    assert.deepEqual(notes, []);
    assert.deepEqual(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.name}`).sort(), [
      "gateway.networking.k8s.io/v1 GRPCRoute a-grpcroutes",
      "gateway.networking.k8s.io/v1 Gateway a-gateways",
      "gateway.networking.k8s.io/v1alpha2 TLSRoute a-tlsroutes",
      "gateway.networking.k8s.io/v1beta1 HTTPRoute a-httproutes",
      "hostgate.dev/v1alpha1 DomainRoute a-domainroutes",
      "hostgate.dev/v1alpha1 HostnameGrant a-hostnamegrants",
      "hostgate.dev/v1alpha1 RegionPolicy a-regionpolicies",
      "networking.istio.io/v1 Gateway a-gateways",
      "networking.istio.io/v1 VirtualService a-virtualservices",
    ]);
    // v1 first, then the version served; a probe of one item, then the list.
    assert.deepEqual(
      client.lists.filter((l) => l.startsWith("httproutes.")),
      ["httproutes.gateway.networking.k8s.io/v1", "httproutes.gateway.networking.k8s.io/v1beta1", "httproutes.gateway.networking.k8s.io/v1beta1"],
    );
  });

  it("keeps the apiVersion and kind an item carries", async () => {
    const { server, client } = cluster();
    server.put(auditedResourceRef(HTTP_ROUTES, "v1"), {
      apiVersion: "gateway.networking.k8s.io/v1beta1",
      kind: "HTTPRoute",
      metadata: { namespace: "a", name: "x" },
    });
    const { objects } = await read(client);
    assert.deepEqual(
      objects.map((o) => [o.apiVersion, o.kind]),
      [["gateway.networking.k8s.io/v1beta1", "HTTPRoute"]],
    );
  });

  it("reads a kind whose CRD is not installed (404 at every version) as none, with one note naming the versions tried", async () => {
    const server = new FakeListWatchClient();
    const client = new ServedVersionsClient(server);
    for (const r of AUDITED_RESOURCES) if (r.group !== "networking.istio.io") client.install(r, ...r.versions);
    put(server, audited("virtualservices"), "never-read");
    put(server, GRANTS, "g");
    const { objects, notes } = await read(client);
    assert.deepEqual(
      objects.map((o) => o.metadata?.name),
      ["g"],
    );
    assert.deepEqual(notes, [
      "audit: the cluster serves no virtualservices.networking.istio.io at v1, v1beta1 or v1alpha3 (404; its CRD is not installed): read as none",
      "audit: the cluster serves no gateways.networking.istio.io at v1, v1beta1 or v1alpha3 (404; its CRD is not installed): read as none",
    ]);
  });

  it("reads a kind whose CRD goes away between the version probe and the list as none, with the note", async () => {
    const { server, client } = cluster();
    server.failLists(
      auditedResourceRef(GRANTS, "v1alpha1"),
      undefined,
      new KubeApiError("404 NotFound: the server could not find the requested resource", 404, "NotFound"),
    );
    const { notes } = await read(client);
    assert.deepEqual(notes, ["audit: the cluster serves no hostnamegrants.hostgate.dev at v1alpha1 (404; its CRD is not installed): read as none"]);
  });

  const forbidden = (name: string) => new KubeApiError(`403 Forbidden: ${name} is forbidden: User "dev" cannot list resource`, 403, "Forbidden");
  const failures: { name: string; resource: AuditedResource; failures: (KubeApiError | undefined)[]; line: string }[] = [
    {
      name: "403 on the version probe of a namespaced kind",
      resource: HTTP_ROUTES,
      failures: [forbidden("httproutes.gateway.networking.k8s.io")],
      line:
        'audit: cannot list httproutes.gateway.networking.k8s.io from fake API server: 403 Forbidden: httproutes.gateway.networking.k8s.io is forbidden: User "dev" cannot list resource; ' +
        "RBAC must allow this identity to list httproutes.gateway.networking.k8s.io in every namespace (a ClusterRole), or pass --state DIR with the objects exported by someone who can",
    },
    {
      name: "403 on the list of a cluster-scoped kind after its probe",
      resource: GRANTS,
      failures: [undefined, forbidden("hostnamegrants.hostgate.dev")],
      line:
        'audit: cannot list hostnamegrants.hostgate.dev from fake API server: 403 Forbidden: hostnamegrants.hostgate.dev is forbidden: User "dev" cannot list resource; ' +
        "RBAC must allow this identity to list hostnamegrants.hostgate.dev (cluster-scoped: a ClusterRole), or pass --state DIR with the objects exported by someone who can",
    },
    {
      name: "an unreachable API server",
      resource: audited("domainroutes"),
      failures: [networkError()],
      line: "audit: cannot list domainroutes.hostgate.dev from fake API server: connect ECONNREFUSED 10.0.0.1:443",
    },
  ];
  for (const f of failures) {
    it(`fails with one line naming the resource for ${f.name}`, async () => {
      const { server, client } = cluster();
      server.failLists(auditedResourceRef(f.resource, f.resource.versions[0]!), ...f.failures);
      await assert.rejects(read(client), (e: unknown) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.equal(e.exitCode, 2);
        assert.deepEqual(e.problems, [f.line]);
        return true;
      });
    });
  }

  const contexts: { name: string; context: string | undefined; server: string }[] = [
    { name: "the kubeconfig's current-context without --context", context: undefined, server: "https://staging.example.com:6443" },
    { name: "the --context named", context: "prod", server: "https://prod.example.com:6443" },
  ];
  for (const c of contexts) {
    it(`reads the cluster of ${c.name}`, async () => {
      const seen: ClusterConnection[] = [];
      const { client } = cluster();
      const clientFor = (connection: ClusterConnection) => {
        seen.push(connection);
        return client;
      };
      await readClusterObjects("audit", { kubeconfig: KUBECONFIG, context: c.context }, { clientFor });
      assert.deepEqual(
        seen.map((s) => [s.server, s.config.getCurrentCluster()?.server]),
        [[c.server, c.server]],
      );
    });
  }

  it("refuses a --context the kubeconfig does not define, listing its contexts, before asking any API server", async () => {
    const { client } = cluster();
    await assert.rejects(read(client, "qa"), (e: unknown) => {
      assert.ok(e instanceof KubeconfigError, String(e));
      assert.deepEqual(e.problems, [`${KUBECONFIG}: --context "qa" names no context; contexts are: staging, prod`]);
      return true;
    });
    assert.deepEqual(client.lists, []);
  });
});
