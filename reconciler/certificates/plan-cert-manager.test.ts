import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CertManagerConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { certificateName } from "./certificate-names.ts";
import type { AcmView, CertificateAction } from "./certificate-plan.ts";
import { actionKey } from "./certificate-plan.ts";
import { desiredCertificates } from "./desired-certificates.ts";
import { planCertManager, renderWildcardCertificate } from "./plan-cert-manager.ts";
import { serverPair } from "./testing/pem-fixtures.ts";
import { cert, certConfig, listeners, NOW, OUT, OWNER, routeFor, view, world } from "./testing/plan-fixtures.ts";

const NS = "hostgate-system";
const APEX = ["*.example.com", "example.com"];
const NAME = certificateName("*.example.com");
const ISSUER = { kind: "ClusterIssuer" as const, name: "letsencrypt-dns", group: "cert-manager.io" };

function certManager(importToAcm: boolean): CertManagerConfig {
  return { issuerRef: ISSUER, namespace: NS, importToAcm };
}

/** The Certificate hostgate renders for *.example.com, as the cluster holds it, with cert-manager's status. */
function stored(status: Record<string, unknown> | undefined, edit: (o: KubeObject) => void = () => {}): KubeObject {
  const desired = desiredCertificates(...routesAndClaims([routeFor("shop", "shop.example.com")]), certConfig(), { listeners: false }).certificates[0]!;
  const object = structuredClone(renderWildcardCertificate(desired, certManager(false)));
  object.metadata = { ...object.metadata, uid: "cert-uid", resourceVersion: "7", generation: 1 };
  if (status !== undefined) object.status = status;
  edit(object);
  return object;
}

const READY = { conditions: [{ type: "Ready", status: "True", observedGeneration: 1 }], notAfter: "2030-03-01T00:00:00Z", revision: 1 };

function routesAndClaims(entries: ReturnType<typeof routeFor>[]) {
  const { routes, claims } = world(...entries);
  return [routes, claims] as const;
}

function plan(
  entries: ReturnType<typeof routeFor>[],
  options: { importToAcm?: boolean; certificates?: KubeObject[]; secrets?: Map<string, KubeObject>; acm?: AcmView } = {},
) {
  const importToAcm = options.importToAcm ?? false;
  return planCertManager({
    desired: desiredCertificates(...routesAndClaims(entries), certConfig(), { listeners: importToAcm }),
    certManager: certManager(importToAcm),
    certificates: options.certificates ?? [],
    secrets: options.secrets ?? new Map(),
    view: options.acm ?? { certificates: [], listeners: new Map() },
    ownerId: OWNER,
    listenerCertificateLimit: 25,
    now: NOW,
  });
}

function keys(actions: readonly CertificateAction[]): string[] {
  return actions.map(actionKey);
}

async function secretFor(names: string[], days = 90): Promise<{ secret: KubeObject; notAfter: string }> {
  const pair = await serverPair(NOW, names, { days });
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: NAME, namespace: NS },
    type: "kubernetes.io/tls",
    data: { "tls.crt": b64(pair.certPem), "tls.key": b64(pair.keyPem), "ca.crt": b64(pair.caPem) },
  };
  const notAfter = new Date(Math.floor((NOW + days * 86_400_000) / 1000) * 1000).toISOString().replace(".000Z", "Z");
  return { secret, notAfter };
}

describe("planCertManager: Certificate objects", () => {
  it("each needed wildcard gets one Certificate in the configured namespace, named from the wildcard, labelled hostgate's, with the issuer", () => {
    const p = plan([routeFor("shop", "shop.example.com"), routeFor("blog", "blog.example.com"), routeFor("x", "x.team-a.example.com")]);
    assert.deepEqual(keys(p.actions), ["createObject *.example.com", "createObject *.team-a.example.com"]);
    const action = p.actions[0]!;
    assert.ok(action.kind === "createObject");
    const object = action.object;
    assert.equal(object.metadata?.namespace, NS);
    assert.equal(object.metadata?.name, NAME);
    assert.deepEqual(object.metadata?.labels, { "app.kubernetes.io/managed-by": "hostgate" });
    const spec = object.spec as { dnsNames: string[]; issuerRef: object };
    assert.deepEqual(spec.dnsNames, ["*.example.com", "example.com"]);
    assert.deepEqual(spec.issuerRef, ISSUER);
    assert.deepEqual(Object.fromEntries([...p.outcomes].map(([k, o]) => [k, o.kind === "pending" ? `${o.kind} ${o.stage}` : o.kind])), {
      "team-a/shop": "pending issuance",
      "team-a/blog": "pending issuance",
      "team-a/x": "pending issuance",
    });
  });

  const cases: { name: string; certificates: KubeObject[]; actions: string[] }[] = [
    { name: "an unchanged Certificate of hostgate's is not written again", certificates: [stored(READY)], actions: [] },
    {
      name: "a Certificate of hostgate's whose spec someone edited is applied over",
      certificates: [stored(READY, (o) => ((o.spec as { dnsNames: string[] }).dnsNames = ["evil.example.org"]))],
      actions: ["applyObject *.example.com"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(keys(plan([routeFor("shop", "shop.example.com")], { certificates: c.certificates }).actions), c.actions));
  }

  it("a Certificate of hostgate's no route needs is deleted; one without its label, or in another namespace, is never touched", () => {
    const unused = stored(READY, (o) => (o.metadata!.name = certificateName("*.gone.example.com")));
    const unlabelled = stored(READY, (o) => {
      o.metadata!.name = "platform-wildcard";
      o.metadata!.labels = {};
    });
    const elsewhere = stored(READY, (o) => {
      o.metadata!.name = "tenant-copy";
      o.metadata!.namespace = "team-a";
    });
    const p = plan([routeFor("shop", "shop.example.com")], { certificates: [stored(READY), unused, unlabelled, elsewhere] });
    assert.deepEqual(keys(p.actions), [`deleteObject ${NS}/${unused.metadata!.name}`]);
  });

  it("a Ready Certificate makes its routes Issued, naming it and its not-after", () => {
    const p = plan([routeFor("shop", "shop.example.com")], { certificates: [stored(READY)] });
    assert.deepEqual(p.outcomes.get("team-a/shop"), {
      uid: "uid-shop",
      domain: "shop.example.com",
      kind: "ready",
      certificate: { domains: APEX, certificateName: `${NS}/${NAME}`, notAfter: "2030-03-01T00:00:00Z" },
    });
  });

  it("a failed issuance fails the routes with cert-manager's reason", () => {
    const failed = {
      conditions: [
        { type: "Ready", status: "False", observedGeneration: 1 },
        { type: "Issuing", status: "False", reason: "Failed", message: "ACME said no" },
      ],
    };
    const outcome = plan([routeFor("shop", "shop.example.com")], { certificates: [stored(failed)] }).outcomes.get("team-a/shop")!;
    assert.ok(outcome.kind === "failed" && outcome.message.includes("ACME said no"), JSON.stringify(outcome));
  });

  it("a deleted route's Certificate, needed by no one else, is deleted, and the route is released once it is gone", () => {
    const gone = [routeFor("shop", "shop.example.com", { deleting: true })];
    const first = plan(gone, { certificates: [stored(READY)] });
    assert.deepEqual(keys(first.actions), [`deleteObject ${NS}/${NAME}`]);
    assert.equal(first.outcomes.get("team-a/shop")!.kind, "releasing");
    assert.equal(plan(gone).outcomes.get("team-a/shop")!.kind, "released");
  });
});

describe("planCertManager: importToAcm", () => {
  it("a Ready Certificate's Secret is imported the first time with hostgate's tags", async () => {
    const { secret } = await secretFor(APEX);
    const p = plan([routeFor("shop", "shop.example.com")], {
      importToAcm: true,
      certificates: [stored(READY)],
      secrets: new Map([[NAME, secret]]),
      acm: view([]),
    });
    assert.deepEqual(keys(p.actions), ["import *.example.com"]);
    const action = p.actions[0]!;
    assert.ok(action.kind === "import");
    assert.equal(action.import.arn, undefined);
    assert.deepEqual(action.import.tags, { "hostgate.dev/owner": OWNER, "hostgate.dev/wildcard": "example.com" });
    const outcome = p.outcomes.get("team-a/shop")!;
    assert.ok(outcome.kind === "pending" && outcome.stage === "import");
  });

  it("the imported certificate goes on the listener; once there the route is Attached with its ARN and Certificate name", async () => {
    const { secret, notAfter } = await secretFor(APEX);
    const imported = cert({ arn: "arn:imported", names: APEX, type: "IMPORTED", notAfter });
    const input = { importToAcm: true, certificates: [stored(READY)], secrets: new Map([[NAME, secret]]) };
    const attach = plan([routeFor("shop", "shop.example.com")], { ...input, acm: view([imported]) });
    assert.deepEqual(keys(attach.actions), [`attach ${OUT} arn:imported`]);
    const attached = plan([routeFor("shop", "shop.example.com")], { ...input, acm: view([imported], listeners({ out: ["arn:imported"] })) });
    assert.deepEqual(keys(attached.actions), []);
    assert.deepEqual(attached.outcomes.get("team-a/shop"), {
      uid: "uid-shop",
      domain: "shop.example.com",
      kind: "ready",
      certificate: { domains: APEX, arn: "arn:imported", certificateName: `${NS}/${NAME}`, notAfter },
      listenerArn: OUT,
    });
  });

  it("a renewal (another not-after in the Secret) is re-imported into the same ARN, without tags, and the old one keeps serving meanwhile", async () => {
    const { secret } = await secretFor(APEX, 60);
    const imported = cert({ arn: "arn:imported", names: APEX, type: "IMPORTED", notAfter: "2030-02-01T00:00:00Z" });
    const p = plan([routeFor("shop", "shop.example.com")], {
      importToAcm: true,
      certificates: [stored(READY)],
      secrets: new Map([[NAME, secret]]),
      acm: view([imported], listeners({ out: ["arn:imported"] })),
    });
    assert.deepEqual(keys(p.actions), ["import *.example.com"]);
    const action = p.actions[0]!;
    assert.ok(action.kind === "import" && action.import.arn === "arn:imported" && action.import.tags === undefined);
    assert.equal(p.outcomes.get("team-a/shop")!.kind, "ready");
  });

  it("a Secret that cannot be imported fails the route with what is wrong; one not written yet keeps it pending", async () => {
    const { secret } = await secretFor(APEX);
    const other = await secretFor(APEX);
    const mismatched = { ...secret, data: { ...(secret.data as object), "tls.key": (other.secret.data as Record<string, string>)["tls.key"] } };
    const common = { importToAcm: true, certificates: [stored(READY)], acm: view([]) };
    const bad = plan([routeFor("shop", "shop.example.com")], { ...common, secrets: new Map([[NAME, mismatched]]) }).outcomes.get("team-a/shop")!;
    assert.ok(bad.kind === "failed" && bad.message.includes("is not the private key"), JSON.stringify(bad));
    const missing = plan([routeFor("shop", "shop.example.com")], common).outcomes.get("team-a/shop")!;
    assert.ok(missing.kind === "pending" && missing.stage === "import", JSON.stringify(missing));
  });

  it("a Certificate not Ready is not imported, even when its Secret holds something", async () => {
    const { secret } = await secretFor(APEX);
    const issuing = { conditions: [{ type: "Ready", status: "False", reason: "InProgress", message: "issuing", observedGeneration: 1 }] };
    const p = plan([routeFor("shop", "shop.example.com")], {
      importToAcm: true,
      certificates: [stored(issuing)],
      secrets: new Map([[NAME, secret]]),
      acm: view([]),
    });
    assert.deepEqual(keys(p.actions), []);
  });

  it("the last route's deletion takes the imported certificate off the listener, then out of ACM, and deletes the Certificate", async () => {
    const imported = cert({ arn: "arn:imported", names: APEX, type: "IMPORTED", inUseBy: ["lb"] });
    const gone = [routeFor("shop", "shop.example.com", { deleting: true })];
    const first = plan(gone, { importToAcm: true, certificates: [stored(READY)], acm: view([imported], listeners({ out: ["arn:imported"] })) });
    assert.deepEqual(keys(first.actions), [`detach ${OUT} arn:imported`, `deleteObject ${NS}/${NAME}`]);
    assert.equal(first.outcomes.get("team-a/shop")!.kind, "releasing");
    const second = plan(gone, { importToAcm: true, acm: view([{ ...imported, inUseBy: [] }]) });
    assert.deepEqual(keys(second.actions), ["delete arn:imported"]);
    assert.equal(second.outcomes.get("team-a/shop")!.kind, "released");
  });

  it("an imported certificate of another owner is never imported into, attached, detached or deleted", async () => {
    const { secret } = await secretFor(APEX);
    const theirs = cert({ arn: "arn:theirs", names: APEX, type: "IMPORTED", owner: "hostgate-staging", inUseBy: ["lb"] });
    const p = plan([routeFor("shop", "shop.example.com")], {
      importToAcm: true,
      certificates: [stored(READY)],
      secrets: new Map([[NAME, secret]]),
      acm: view([theirs], listeners({ out: ["arn:theirs"] })),
    });
    assert.deepEqual(keys(p.actions), ["import *.example.com"]);
    assert.ok(p.actions[0]!.kind === "import" && p.actions[0]!.import.arn === undefined);
  });
});
