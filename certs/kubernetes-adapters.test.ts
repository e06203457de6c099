// The certificate store's adapters on the ObjectApi port (client-node's
// KubernetesObjectApi) against a fake API server on localhost: the requests
// they send (paths, methods, content type, bodies) and how they read the
// answers and errors, without a cluster.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { ManualClock } from "../core/clock.ts";
import { ClientNodeObjectApi } from "../core/kube/client-node-object-api.ts";
import { clusterCertificates } from "./cluster-certificates.ts";
import { kubernetesSecretsClient } from "./kubernetes-secrets-client.ts";
import { kubernetesWebhookClient } from "./kubernetes-webhook-client.ts";
import { StoreConflictError } from "./store.ts";

interface Recorded {
  method: string;
  path: string;
  contentType: string | undefined;
  body: unknown;
}

const requests: Recorded[] = [];
let respond: (request: Recorded) => { status: number; body: unknown } = () => ({ status: 500, body: {} });
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let text = "";
  req.on("data", (chunk: Buffer) => (text += chunk.toString()));
  req.on("end", () => {
    const recorded = {
      method: req.method ?? "",
      path: req.url ?? "",
      contentType: req.headers["content-type"],
      body: text === "" ? undefined : JSON.parse(text),
    };
    requests.push(recorded);
    const answer = respond(recorded);
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer.body));
  });
});
const status = (code: number, reason: string, message: string) => ({
  status: code,
  body: { kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message },
});

let core: ClientNodeObjectApi;
let admission: ClientNodeObjectApi;
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "fake", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: "fake", token: "test-token" }],
    contexts: [{ name: "fake", cluster: "fake", user: "fake" }],
    currentContext: "fake",
  });
  core = new ClientNodeObjectApi(kubeConfig);
  admission = core;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const SECRET_PATH = "/api/v1/namespaces/hostgate-system/secrets";

describe("kubernetesSecretsClient", () => {
  it("reads a Secret by name in its namespace", async () => {
    requests.length = 0;
    respond = () => ({
      status: 200,
      body: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "tls", namespace: "hostgate-system", resourceVersion: "42" },
        type: "Opaque",
        data: { "tls.crt": "Q0VSVA==" },
      },
    });
    const secret = await kubernetesSecretsClient(core, "hostgate-system").read("tls");
    assert.deepEqual([requests[0]?.method, requests[0]?.path], ["GET", `${SECRET_PATH}/tls`]);
    assert.equal(secret?.metadata.resourceVersion, "42");
    assert.equal(secret?.data?.["tls.crt"], "Q0VSVA==");
  });

  it("reads a missing Secret as undefined", async () => {
    respond = () => status(404, "NotFound", 'secrets "tls" not found');
    assert.equal(await kubernetesSecretsClient(core, "hostgate-system").read("tls"), undefined);
  });

  it("says which permission is missing when reading is forbidden", async () => {
    respond = () => status(403, "Forbidden", 'secrets "tls" is forbidden: User "system:serviceaccount:hostgate-system:hostgate" cannot get resource "secrets"');
    await assert.rejects(
      kubernetesSecretsClient(core, "hostgate-system").read("tls"),
      /reading Secret hostgate-system\/tls failed: GET secrets hostgate-system\/tls: 403 Forbidden: secrets "tls" is forbidden: .*; the hostgate ServiceAccount needs get on secrets in namespace/,
    );
  });

  it("creates with POST and turns AlreadyExists into a conflict", async () => {
    requests.length = 0;
    respond = () => status(409, "AlreadyExists", 'secrets "tls" already exists');
    await assert.rejects(
      kubernetesSecretsClient(core, "hostgate-system").create({ metadata: { name: "tls", namespace: "hostgate-system" }, type: "Opaque", data: {} }),
      StoreConflictError,
    );
    const [request] = requests;
    assert.ok(request, "the create was sent");
    assert.deepEqual([request.method, request.path], ["POST", SECRET_PATH]);
    assert.equal((request.body as { type?: string }).type, "Opaque");
  });

  it("replaces with PUT carrying the resourceVersion, and turns a stale one into a conflict", async () => {
    requests.length = 0;
    respond = () => status(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again");
    await assert.rejects(
      kubernetesSecretsClient(core, "hostgate-system").replace({ metadata: { name: "tls", namespace: "hostgate-system", resourceVersion: "41" }, data: {} }),
      StoreConflictError,
    );
    const [request] = requests;
    assert.ok(request, "the replace was sent");
    assert.deepEqual([request.method, request.path], ["PUT", `${SECRET_PATH}/tls`]);
    assert.equal((request.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, "41");
  });

  it("reports a connection failure as an error naming the action", async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: "x", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: "x" }],
      contexts: [{ name: "x", cluster: "x", user: "x" }],
      currentContext: "x",
    });
    await assert.rejects(
      kubernetesSecretsClient(new ClientNodeObjectApi(kubeConfig), "hostgate-system").read("tls"),
      /reading Secret hostgate-system\/tls failed: .*ECONNREFUSED/,
    );
  });
});

describe("kubernetesWebhookClient", () => {
  const ref = { kind: "ValidatingWebhookConfiguration", name: "hostgate-validating" } as const;

  it("reads the caBundle of each webhook", async () => {
    requests.length = 0;
    respond = () => ({
      status: 200,
      body: {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "hostgate-validating", resourceVersion: "9" },
        webhooks: [
          {
            name: "a.hostgate.dev",
            clientConfig: { caBundle: "QQ==", service: { name: "hostgate-webhook", namespace: "hostgate-system" } },
            sideEffects: "None",
            admissionReviewVersions: ["v1"],
          },
          {
            name: "b.hostgate.dev",
            clientConfig: { service: { name: "hostgate-webhook", namespace: "hostgate-system" } },
            sideEffects: "None",
            admissionReviewVersions: ["v1"],
          },
        ],
      },
    });
    const state = await kubernetesWebhookClient(admission).read(ref);
    assert.equal(requests[0]?.path, "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/hostgate-validating");
    assert.deepEqual(state, { resourceVersion: "9", webhooks: [{ name: "a.hostgate.dev", caBundle: "QQ==" }, { name: "b.hostgate.dev" }] });
  });

  it("reads a missing configuration as undefined", async () => {
    respond = () => status(404, "NotFound", "not found");
    assert.equal(await kubernetesWebhookClient(admission).read({ kind: "MutatingWebhookConfiguration", name: "hostgate-mutating" }), undefined);
  });

  it("writes the bundle by server-side apply: each webhook by name with only its caBundle, the resourceVersion read as precondition", async () => {
    requests.length = 0;
    respond = () => ({
      status: 200,
      body: { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", metadata: { name: "hostgate-mutating" } },
    });
    const write = { resourceVersion: "9", webhooks: ["a.hostgate.dev", "b.hostgate.dev"], caBundle: "QQ==" };
    await kubernetesWebhookClient(admission).writeCaBundle({ kind: "MutatingWebhookConfiguration", name: "hostgate-mutating" }, write);
    assert.equal(requests[0]?.method, "PATCH");
    assert.equal(requests[0]?.path, "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/hostgate-mutating?fieldManager=hostgate&force=true");
    assert.equal(requests[0]?.contentType, "application/apply-patch+yaml");
    assert.deepEqual(requests[0]?.body, {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: "hostgate-mutating", resourceVersion: "9" },
      webhooks: [
        { name: "a.hostgate.dev", clientConfig: { caBundle: "QQ==" } },
        { name: "b.hostgate.dev", clientConfig: { caBundle: "QQ==" } },
      ],
    });
  });

  for (const answer of [status(409, "Conflict", "the object has been modified"), status(422, "Invalid", "webhooks[1].sideEffects: Required value")]) {
    it(`reports a configuration changed meanwhile (${answer.status}) as a change to retry`, async () => {
      respond = () => answer;
      const write = kubernetesWebhookClient(admission).writeCaBundle(ref, { resourceVersion: "9", webhooks: ["a"], caBundle: "QQ==" });
      await assert.rejects(write, /hostgate-validating changed while the CA bundle was being written; retrying/);
    });
  }

  it("says which permission is missing when writing is forbidden", async () => {
    respond = () => status(403, "Forbidden", "forbidden");
    const write = kubernetesWebhookClient(admission).writeCaBundle(ref, { resourceVersion: "9", webhooks: ["a"], caBundle: "QQ==" });
    await assert.rejects(write, /needs patch on validatingwebhookconfigurations named hostgate-validating/);
  });
});

describe("clusterCertificates", () => {
  it("creates the Secret and applies the bundle to both webhook configurations through the API", async () => {
    requests.length = 0;
    let secret: Record<string, unknown> | undefined;
    const configuration = (kind: string, name: string) => ({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind,
      metadata: { name, resourceVersion: "3" },
      webhooks: [
        {
          name: "a.hostgate.dev",
          clientConfig: { service: { name: "hostgate-webhook", namespace: "hostgate-system" } },
          sideEffects: "None",
          admissionReviewVersions: ["v1"],
        },
      ],
    });
    respond = (request) => {
      if (request.path === `${SECRET_PATH}/hostgate-webhook-tls` && request.method === "GET")
        return secret ? { status: 200, body: secret } : status(404, "NotFound", "not found");
      if (request.path === SECRET_PATH && request.method === "POST") {
        secret = { ...(request.body as Record<string, unknown>), metadata: { ...(request.body as { metadata: object }).metadata, resourceVersion: "1" } };
        return { status: 201, body: secret };
      }
      const match = /^\/apis\/admissionregistration\.k8s\.io\/v1\/(validating|mutating)webhookconfigurations\/(hostgate-(?:validating|mutating))/.exec(
        request.path,
      );
      if (match)
        return {
          status: 200,
          body: configuration(match[1] === "validating" ? "ValidatingWebhookConfiguration" : "MutatingWebhookConfiguration", match[2] as string),
        };
      return status(404, "NotFound", `unexpected ${request.method} ${request.path}`);
    };
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: "fake", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: "fake", token: "t" }],
      contexts: [{ name: "fake", cluster: "fake", user: "fake" }],
      currentContext: "fake",
    });
    const source = clusterCertificates({ kubeConfig, clock: new ManualClock(Date.UTC(2030, 0, 1)) });
    await source.start();
    source.stop();
    assert.equal(source.status().consecutiveFailures, 0, source.status().lastError);
    const bundle = Buffer.from(source.current().ca).toString("base64");
    const patches = requests.filter((r) => r.method === "PATCH");
    assert.deepEqual(
      patches.map((p) => p.path.replace(/\?.*/, "")),
      [
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/hostgate-validating",
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/hostgate-mutating",
      ],
    );
    for (const patch of patches) {
      assert.equal(patch.contentType, "application/apply-patch+yaml");
      assert.deepEqual((patch.body as { metadata: unknown }).metadata, { name: /hostgate-(validating|mutating)/.exec(patch.path)![0], resourceVersion: "3" });
      assert.deepEqual((patch.body as { webhooks: unknown }).webhooks, [{ name: "a.hostgate.dev", clientConfig: { caBundle: bundle } }]);
    }
    assert.ok(secret, "the Secret was created");
    assert.equal((secret.metadata as { labels: Record<string, string> }).labels["app.kubernetes.io/managed-by"], "hostgate");
  });
});
