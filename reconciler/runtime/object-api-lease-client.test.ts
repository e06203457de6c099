import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KubeApiError } from "../../core/kube/api-error.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { LeaderElector } from "./leader-election.ts";
import { LEASES, objectApiLeaseClient } from "./object-api-lease-client.ts";

const status = (code: number, reason: string) => (e: unknown) => e instanceof KubeApiError && e.status === code && e.reason === reason;
const lease = (holder: string) => ({
  metadata: { namespace: "hostgate-system", name: "hostgate-reconciler" },
  spec: { holderIdentity: holder, leaseDurationSeconds: 15 },
});

describe("the Lease client over the API-server port", () => {
  it("reads an absent lease as undefined, creates it once, and refuses a second create with 409 AlreadyExists", async () => {
    const client = objectApiLeaseClient(new FakeKubeApi());
    assert.equal(await client.get("hostgate-system", "hostgate-reconciler"), undefined);
    const created = await client.create(lease("pod-a"));
    assert.ok(created.metadata.resourceVersion, "the stored lease carries its resourceVersion");
    assert.equal(created.spec.holderIdentity, "pod-a");
    await assert.rejects(client.create(lease("pod-b")), status(409, "AlreadyExists"));
  });

  it("updates with the resourceVersion it read, and a stale one gets 409 Conflict", async () => {
    const client = objectApiLeaseClient(new FakeKubeApi());
    const created = await client.create(lease("pod-a"));
    const renewed = await client.update({ ...created, spec: { ...created.spec, holderIdentity: "pod-b" } });
    assert.notEqual(renewed.metadata.resourceVersion, created.metadata.resourceVersion);
    await assert.rejects(client.update({ ...created, spec: { holderIdentity: "pod-c" } }), status(409, "Conflict"));
    assert.equal((await client.get("hostgate-system", "hostgate-reconciler"))?.spec.holderIdentity, "pod-b");
  });

  it("writes back the metadata it read (labels stay), not a stripped copy", async () => {
    const api = new FakeKubeApi();
    await api.create(LEASES, {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { namespace: "hostgate-system", name: "hostgate-reconciler", labels: { team: "platform" } },
      spec: {},
    });
    const client = objectApiLeaseClient(api);
    const read = (await client.get("hostgate-system", "hostgate-reconciler"))!;
    await client.update({ ...read, spec: { holderIdentity: "pod-a" } });
    assert.deepEqual(api.server.get(LEASES, { namespace: "hostgate-system", name: "hostgate-reconciler" })?.metadata?.labels, { team: "platform" });
  });

  it("lets exactly one of two electors lead over the same API server", async () => {
    const api = new FakeKubeApi();
    const leading: string[] = [];
    const electors = ["pod-a", "pod-b"].map(
      (holderId) =>
        new LeaderElector({
          client: objectApiLeaseClient(api),
          namespace: "hostgate-system",
          name: "hostgate-reconciler",
          holderId,
          onStartedLeading: () => void leading.push(holderId),
          onStoppedLeading: () => {},
        }),
    );
    for (const elector of electors) elector.start();
    for (let i = 0; i < 20 && leading.length === 0; i++) await new Promise(setImmediate);
    await new Promise(setImmediate);
    assert.equal(leading.length, 1, "one leader");
    assert.equal(electors.filter((e) => e.isLeader()).length, 1);
    const stored = api.server.get(LEASES, { namespace: "hostgate-system", name: "hostgate-reconciler" });
    assert.ok(stored, "the leader created the Lease");
    assert.equal((stored.spec as { holderIdentity?: string }).holderIdentity, leading[0]);
    await Promise.all(electors.map((e) => e.stop()));
    const released = api.server.get(LEASES, { namespace: "hostgate-system", name: "hostgate-reconciler" });
    assert.ok(released, "the Lease stays after stop");
    assert.equal((released.spec as { holderIdentity?: string }).holderIdentity ?? "", "", "released on stop");
  });
});
