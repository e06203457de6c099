import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KubeApiError } from "./api-error.ts";
import { firstServedVersion } from "./served-version.ts";
import { FakeListWatchClient, networkError } from "./testing/fake-list-watch.ts";
import { ServedVersionsClient } from "./testing/served-versions.ts";

const HTTP_ROUTES = { group: "gateway.networking.k8s.io", resource: "httproutes", kind: "HTTPRoute", namespaced: true };
const CANDIDATES = ["v1", "v1beta1", "v1alpha2"];
const signal = new AbortController().signal;

describe("firstServedVersion", () => {
  const cases: { name: string; served: string[]; expected: string | undefined; probes: string[] }[] = [
    { name: "is the first candidate when it is served, asked once", served: ["v1", "v1beta1"], expected: "v1", probes: ["v1"] },
    { name: "falls back past a version that is 404 to the next one served", served: ["v1beta1"], expected: "v1beta1", probes: ["v1", "v1beta1"] },
    { name: "takes the newest candidate served, not the newest the cluster serves", served: ["v1alpha2", "v2"], expected: "v1alpha2", probes: CANDIDATES },
    { name: "is undefined when every candidate is 404 (the CRD is not installed)", served: [], expected: undefined, probes: CANDIDATES },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const inner = new FakeListWatchClient();
      const client = new ServedVersionsClient(inner).install(HTTP_ROUTES, ...c.served);
      assert.equal(await firstServedVersion(client, HTTP_ROUTES, CANDIDATES, signal), c.expected);
      assert.deepEqual(
        client.lists,
        c.probes.map((v) => `httproutes.gateway.networking.k8s.io/${v}`),
      );
      // A probe, not a read: one item at most.
      assert.ok(inner.listCalls.every((call) => call.limit === 1));
    });
  }

  it("is undefined for no candidates, asking nothing", async () => {
    const client = new ServedVersionsClient(new FakeListWatchClient()).install(HTTP_ROUTES, "v1");
    assert.equal(await firstServedVersion(client, HTTP_ROUTES, [], signal), undefined);
    assert.deepEqual(client.lists, []);
  });

  const failures: { name: string; error: KubeApiError }[] = [
    { name: "403 Forbidden", error: new KubeApiError("403 Forbidden: httproutes.gateway.networking.k8s.io is forbidden", 403, "Forbidden") },
    { name: "an unreachable server", error: networkError() },
    { name: "500", error: new KubeApiError("500 InternalError: etcd timeout", 500, "InternalError") },
  ];
  for (const f of failures) {
    it(`throws ${f.name} at once instead of trying the next version, which would hide it`, async () => {
      const inner = new FakeListWatchClient();
      const client = new ServedVersionsClient(inner).install(HTTP_ROUTES, ...CANDIDATES);
      inner.failLists({ ...HTTP_ROUTES, version: "v1" }, f.error);
      await assert.rejects(firstServedVersion(client, HTTP_ROUTES, CANDIDATES, signal), (e: unknown) => e === f.error);
      assert.deepEqual(client.lists, ["httproutes.gateway.networking.k8s.io/v1"]);
    });
  }
});
