// cert-manager with importToAcm under the AWS Load Balancer Controller: the
// import is what the controller finds by hostname, so a route is ready once its
// Secret is imported (not merely once cert-manager issued it), and nothing is
// attached to a listener.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { certificatesByDiscovery } from "../../core/config/acm-settings.ts";
import type { AcmCertificate } from "./acm-port.ts";
import { actionKey } from "./certificate-plan.ts";
import { desiredCertificates, desiredOptions } from "./desired-certificates.ts";
import { planCertManager, renderWildcardCertificate } from "./plan-cert-manager.ts";
import { GATEWAY_NAMESPACE, gatewayApiCertConfig, placedOn } from "./testing/gateway-api-fixtures.ts";
import { cert, NOW, OWNER, routeFor, world } from "./testing/plan-fixtures.ts";

const ISSUER = { kind: "ClusterIssuer" as const, name: "letsencrypt-dns", group: "cert-manager.io" };
const CERT_MANAGER = { issuerRef: ISSUER, namespace: GATEWAY_NAMESPACE, importToAcm: true };
const CONFIG = gatewayApiCertConfig("aws-load-balancer-controller", { provider: "cert-manager", certManager: CERT_MANAGER });
const READY = { conditions: [{ type: "Ready", status: "True", observedGeneration: 1 }], notAfter: "2030-03-01T00:00:00Z", revision: 1 };
const ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-edge-public1/0123456789abcdef";

function plan(acm: AcmCertificate[]) {
  const { routes, claims } = world(placedOn(routeFor("shop", "shop.example.com"), "public-1"));
  const desired = desiredCertificates(routes, claims, CONFIG, desiredOptions(CONFIG));
  const issued: KubeObject = { ...structuredClone(renderWildcardCertificate(desired.certificates[0]!, CERT_MANAGER)), status: READY };
  issued.metadata = { ...issued.metadata, uid: "cert-uid", resourceVersion: "7", generation: 1 };
  return planCertManager({
    desired,
    certManager: CERT_MANAGER,
    certificates: [issued],
    secrets: new Map(),
    view: { certificates: acm, listeners: new Map() },
    ownerId: OWNER,
    listenerCertificateLimit: 25,
    discovery: certificatesByDiscovery(CONFIG),
    now: NOW,
  });
}

describe("planCertManager with importToAcm and the AWS Load Balancer Controller", () => {
  const cases = [
    {
      name: "cert-manager's Certificate is Ready but nothing is imported yet: the route waits for the import (the controller finds nothing in ACM)",
      acm: [],
      kind: "pending",
      stage: "import",
    },
    {
      name: "the imported certificate is issued: the route is ready with no listener step",
      acm: [cert({ arn: "arn:imported", names: ["*.example.com", "example.com"], type: "IMPORTED", inUseBy: [ALB] })],
      kind: "ready",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(c.acm);
      const outcome = p.outcomes.get("team-a/shop");
      assert.equal(outcome?.kind, c.kind);
      if (c.stage !== undefined) assert.equal(outcome?.kind === "pending" ? outcome.stage : undefined, c.stage);
      if (outcome?.kind === "ready") assert.equal(outcome.listenerArn, undefined);
      assert.deepEqual(
        p.actions.map(actionKey).filter((k) => k.startsWith("attach") || k.startsWith("detach")),
        [],
      );
    });
  }

  it("writes its Certificate in certManager.namespace, the gateway namespace the listeners' Secrets are read from", () => {
    const { routes, claims } = world(placedOn(routeFor("shop", "shop.example.com"), "public-1"));
    const desired = desiredCertificates(routes, claims, CONFIG, desiredOptions(CONFIG));
    const p = planCertManager({
      desired,
      certManager: CERT_MANAGER,
      certificates: [],
      secrets: new Map(),
      view: { certificates: [], listeners: new Map() },
      ownerId: OWNER,
      listenerCertificateLimit: 25,
      discovery: true,
      now: NOW,
    });
    const created = p.actions.find((a) => a.kind === "createObject");
    assert.equal(created?.kind === "createObject" ? created.object.metadata?.namespace : undefined, GATEWAY_NAMESPACE);
  });
});
