import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KubeApiError } from "../../../core/kube/api-error.ts";
import type { Lease } from "../lease-client.ts";
import { FakeLeaseClient, leaseNetworkError } from "./fake-lease-client.ts";

function lease(holder: string, resourceVersion?: string): Lease {
  return { metadata: { namespace: "ns", name: "lock", ...(resourceVersion === undefined ? {} : { resourceVersion }) }, spec: { holderIdentity: holder } };
}

const status = (code: number, reason: string) => (e: unknown) => e instanceof KubeApiError && e.status === code && e.reason === reason;

describe("FakeLeaseClient", () => {
  it("creates once, then refuses a second create with 409 AlreadyExists", async () => {
    const client = new FakeLeaseClient();
    assert.equal(await client.get("ns", "lock"), undefined);
    const created = await client.create(lease("a"));
    assert.equal(created.metadata.resourceVersion, "1001");
    await assert.rejects(client.create(lease("b")), status(409, "AlreadyExists"));
    assert.equal((await client.get("ns", "lock"))?.spec.holderIdentity, "a");
  });

  it("updates only with the current resourceVersion, else 409 Conflict; a missing lease is 404", async () => {
    const client = new FakeLeaseClient();
    await assert.rejects(client.update(lease("a", "1")), status(404, "NotFound"));
    const created = await client.create(lease("a"));
    const updated = await client.update({ ...created, spec: { holderIdentity: "b" } });
    assert.notEqual(updated.metadata.resourceVersion, created.metadata.resourceVersion);
    await assert.rejects(client.update({ ...created, spec: { holderIdentity: "c" } }), status(409, "Conflict"));
    await assert.rejects(client.update(lease("c")), status(409, "Conflict"), "no resourceVersion: never a blind write");
    assert.equal(client.peek("ns", "lock")?.spec.holderIdentity, "b");
  });

  it("hands out copies: changing one does not change what it stores", async () => {
    const client = new FakeLeaseClient();
    const created = await client.create(lease("a"));
    created.spec.holderIdentity = "mutated";
    assert.equal(client.peek("ns", "lock")?.spec.holderIdentity, "a");
  });

  it("fails every call during an outage, the scripted next calls once each, and holds calls while paused", async () => {
    const client = new FakeLeaseClient();
    client.outage();
    await assert.rejects(client.get("ns", "lock"), status(0, "NetworkError"));
    client.endOutage();
    client.failNext(leaseNetworkError("first"));
    await assert.rejects(client.get("ns", "lock"), /first/);
    assert.equal(await client.get("ns", "lock"), undefined);
    client.pause();
    let answered = false;
    const call = client.create(lease("a")).then(() => (answered = true));
    await new Promise(setImmediate);
    assert.equal(answered, false);
    client.resume();
    await call;
    assert.equal(answered, true);
    assert.deepEqual(
      client.calls.map((c) => c.operation),
      ["get", "get", "get", "create"],
    );
  });
});
