import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SecretCertificateStore } from "./secret-store.ts";
import { StoreConflictError } from "./store.ts";
import { FakeSecretsClient } from "./testing/fake-secrets-client.ts";

const NAME = "hostgate-webhook-tls";
const data = { "ca.crt": "CA PEM\n", "tls.crt": "CERT PEM\n", "tls.key": "KEY PEM\n", "ca.key": "CA KEY\n" };

function setUp() {
  const client = new FakeSecretsClient();
  return { client, store: new SecretCertificateStore(client, "hostgate-system", NAME) };
}

describe("SecretCertificateStore", () => {
  it("reads nothing when the Secret does not exist", async () => {
    assert.equal(await setUp().store.read(), undefined);
  });

  it("creates an Opaque Secret with hostgate's labels and base64 data", async () => {
    const { client, store } = setUp();
    const { version } = await store.write(data);
    const secret = client.secrets.get(NAME);
    assert.equal(secret?.type, "Opaque");
    assert.equal(secret?.metadata.labels?.["app.kubernetes.io/managed-by"], "hostgate");
    assert.equal(secret?.data?.["tls.crt"], Buffer.from("CERT PEM\n").toString("base64"));
    assert.equal(version, secret?.metadata.resourceVersion);
    assert.deepEqual(await store.read(), { data, version });
  });

  it("turns a create that finds the Secret already there into a conflict (two replicas starting at once)", async () => {
    const client = new FakeSecretsClient();
    const first = new SecretCertificateStore(client, "hostgate-system", NAME);
    const second = new SecretCertificateStore(client, "hostgate-system", NAME);
    assert.equal(await first.read(), undefined);
    assert.equal(await second.read(), undefined);
    await first.write(data);
    await assert.rejects(second.write({ ...data, "tls.crt": "MINE\n" }), StoreConflictError);
    assert.equal((await first.read())?.data["tls.crt"], "CERT PEM\n");
  });

  it("replaces only the version it read, and refuses a stale one", async () => {
    const { client, store } = setUp();
    await store.write(data);
    const read = await store.read();
    client.edit(NAME, (s) => (s.data = { ...s.data, "tls.crt": Buffer.from("OTHER\n").toString("base64") }));
    await assert.rejects(store.write({ ...data, "tls.crt": "MINE\n" }, read?.version), StoreConflictError);
    assert.equal((await store.read())?.data["tls.crt"], "OTHER\n");
  });

  it("keeps the labels and annotations others put on the Secret when it replaces the data", async () => {
    const { client, store } = setUp();
    await store.write(data);
    client.edit(NAME, (s) => {
      s.metadata.annotations = { "example.com/owner": "platform" };
      s.metadata.labels = { ...s.metadata.labels, team: "platform" };
    });
    const read = await store.read();
    await store.write({ ...data, "tls.crt": "NEW\n" }, read?.version);
    const secret = client.secrets.get(NAME);
    assert.equal(secret?.metadata.annotations?.["example.com/owner"], "platform");
    assert.equal(secret?.metadata.labels?.team, "platform");
    assert.equal((await store.read())?.data["tls.crt"], "NEW\n");
  });

  it("treats a Secret deleted between read and write as a conflict, so the manager starts over", async () => {
    const { client, store } = setUp();
    await store.write(data);
    const read = await store.read();
    client.secrets.delete(NAME);
    await assert.rejects(store.write(data, read?.version), StoreConflictError);
  });
});
