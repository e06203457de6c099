import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DomainRoute } from "../../crds/types.ts";
import { certificateReleased, certificateStatus } from "./certificate-condition.ts";
import type { CertificateDecision, CertificateOutcomeLookup } from "./certificate-outcomes.ts";
import { certConfig, OUT, routeFor } from "./testing/plan-fixtures.ts";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import { gatewayApiCertConfig, placedOn } from "./testing/gateway-api-fixtures.ts";

const CERT = { domains: ["*.example.com", "example.com"], arn: "arn:mine", notAfter: "2031-01-01T00:00:00Z" };

function route(): DomainRoute {
  return routeFor("shop", "shop.example.com").route;
}

function decided(decision: CertificateDecision, uid = "uid-shop"): CertificateOutcomeLookup {
  return { known: true, outcome: { uid, domain: "shop.example.com", ...decision } };
}

describe("certificateStatus", () => {
  const cases: { name: string; lookup: CertificateOutcomeLookup; status: string; reason: string; certificate?: object; message?: RegExp }[] = [
    {
      name: "an issued certificate on the listener is Attached, and status.certificate names it",
      lookup: decided({ kind: "ready", certificate: CERT, listenerArn: OUT }),
      status: "True",
      reason: "Attached",
      certificate: CERT,
      message: /arn:mine .* attached to the HTTPS listener of alb-out/,
    },
    {
      name: "a cert-manager certificate without a listener is Issued",
      lookup: decided({ kind: "ready", certificate: { domains: CERT.domains, certificateName: "hostgate-system/wildcard-x" } }),
      status: "True",
      reason: "Issued",
      certificate: { domains: CERT.domains, certificateName: "hostgate-system/wildcard-x" },
    },
    {
      name: "a certificate ACM is validating is PendingValidation",
      lookup: decided({ kind: "pending", stage: "validation", certificate: CERT, detail: "ACM is validating" }),
      status: "False",
      reason: "PendingValidation",
      certificate: CERT,
    },
    {
      name: "a full listener is ListenerCertificateLimit, saying how many it holds and how to fix it",
      lookup: decided({ kind: "listenerLimit", certificate: CERT, listenerArn: OUT, limit: 25, held: 25 }),
      status: "False",
      reason: "ListenerCertificateLimit",
      certificate: CERT,
      message: /already holds 25 certificates besides its default, and certificates.listenerCertificateLimit is 25.*Raise/,
    },
    {
      name: "a listener ELBv2 refused for its quota is ListenerCertificateLimit with ELBv2's reason",
      lookup: decided({
        kind: "listenerLimit",
        certificate: CERT,
        listenerArn: OUT,
        limit: 25,
        held: 3,
        refused: "Listener x has no room for certificate y (TooManyCertificates: quota reached): raise it",
      }),
      status: "False",
      reason: "ListenerCertificateLimit",
      certificate: CERT,
      message: /^ELBv2 refused to attach .* to the HTTPS listener of \S+ \(\S+\): Listener x has no room .*TooManyCertificates/,
    },
    {
      name: "a failed certificate is CertificateFailed with the controller's message",
      lookup: decided({ kind: "failed", message: "ACM certificate arn:x for *.example.com is EXPIRED" }),
      status: "False",
      reason: "CertificateFailed",
      message: /EXPIRED/,
    },
    {
      name: "another issued certificate matching the host is CertificateConflict (not CertificateFailed), keeping status.certificate",
      lookup: decided({
        kind: "discoveryConflict",
        certificate: CERT,
        others: ["arn:theirs"],
        message: "ACM holds 2 issued certificates matching shop.example.com",
      }),
      status: "False",
      reason: "CertificateConflict",
      certificate: CERT,
      message: /ACM holds 2 issued certificates/,
    },
    { name: "a route without its claim is NotClaimed", lookup: decided({ kind: "notClaimed" }), status: "False", reason: "NotClaimed" },
    {
      name: "a domain under no apex is DomainOutsideApexes, naming the apexes",
      lookup: decided({ kind: "noApex" }),
      status: "False",
      reason: "DomainOutsideApexes",
      message: /example\.com/,
    },
    {
      name: "a load balancer without a listener is NoListener, naming the setting",
      lookup: decided({ kind: "noListener", lb: "alb-out" }),
      status: "False",
      reason: "NoListener",
      message: /loadBalancers\.alb-out\.listenerArn/,
    },
    {
      name: "an outcome decided for another incarnation of the route is pending",
      lookup: decided({ kind: "ready", certificate: CERT, listenerArn: OUT }, "uid-before"),
      status: "Unknown",
      reason: "CertificatePending",
    },
    { name: "a route the controller has nothing for is pending", lookup: { known: true }, status: "Unknown", reason: "CertificatePending" },
    {
      name: "before the controller's first pass, a route without the condition is pending",
      lookup: { known: false },
      status: "Unknown",
      reason: "CertificatePending",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = certificateStatus(route(), c.lookup, certConfig());
      assert.equal(result.condition.type, "CertificateReady");
      assert.equal(result.condition.status, c.status);
      assert.equal(result.condition.reason, c.reason);
      assert.deepEqual(result.certificate, c.certificate);
      if (c.message !== undefined) assert.match(result.condition.message, c.message);
    });
  }

  it("with provider none the route is True NotManaged whatever the controller says", () => {
    const result = certificateStatus(route(), { known: false }, aConfig());
    assert.deepEqual(result.condition, {
      type: "CertificateReady",
      status: "True",
      reason: "NotManaged",
      message: "certificates.provider is none: hostgate manages no certificate for this domain",
    });
  });

  it("before the controller's first pass after a restart, the condition and status.certificate stay as written, so nothing is rewritten", () => {
    const written = route();
    const condition = {
      type: "CertificateReady",
      status: "True" as const,
      reason: "Attached",
      message: "issued and attached",
      lastTransitionTime: "2029-01-01T00:00:00Z",
    };
    written.status = { conditions: [condition] };
    (written.status as { certificate?: object }).certificate = CERT;
    const result = certificateStatus(written, { known: false }, certConfig());
    assert.deepEqual(result, {
      condition: { type: "CertificateReady", status: "True", reason: "Attached", message: "issued and attached" },
      certificate: CERT,
    });
  });
});

describe("certificateStatus with the AWS Load Balancer Controller (it finds the certificate in ACM by hostname)", () => {
  const lbc = gatewayApiCertConfig("aws-load-balancer-controller");
  const cases: { name: string; placed: boolean; lookup: CertificateOutcomeLookup; status: string; reason: string; message: RegExp }[] = [
    {
      name: "an issued certificate is True Issued, saying the load balancer controller picks it up by the route's hostname on its member's ALB",
      placed: true,
      lookup: decided({ kind: "ready", certificate: CERT }),
      status: "True",
      reason: "Issued",
      message: new RegExp(
        "^the certificate arn:mine for \\*\\.example\\.com, example\\.com is issued; the AWS Load Balancer Controller picks it up from ACM " +
          "by the hostname of the route's listener \\(shop\\.example\\.com\\) and serves it on the HTTPS listener of the ALB of member public-1 of alb-out",
      ),
    },
    {
      name: "a route not placed yet is WaitingForPlacement, saying no certificate is requested for it yet",
      placed: false,
      lookup: decided({ kind: "unplaced" }),
      status: "Unknown",
      reason: "WaitingForPlacement",
      message: /so hostgate requests no certificate for it yet/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const entry = routeFor("shop", "shop.example.com");
      const result = certificateStatus((c.placed ? placedOn(entry, "public-1") : entry).route, c.lookup, lbc);
      assert.equal(result.condition.status, c.status);
      assert.equal(result.condition.reason, c.reason);
      assert.match(result.condition.message, c.message);
    });
  }
});

describe("certificateReleased", () => {
  const cases: { name: string; lookup: CertificateOutcomeLookup; released: boolean }[] = [
    { name: "released for this incarnation: the finalizer may go", lookup: decided({ kind: "released" }), released: true },
    { name: "still being detached: not yet", lookup: decided({ kind: "releasing", detail: "detaching" }), released: false },
    { name: "released for an earlier incarnation: not yet", lookup: decided({ kind: "released" }, "uid-before"), released: false },
    { name: "an outcome from before the deletion: not yet", lookup: decided({ kind: "ready", certificate: CERT, listenerArn: OUT }), released: false },
    { name: "before the controller's first pass: not yet", lookup: { known: false }, released: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(certificateReleased(route(), c.lookup, certConfig()), c.released));
  }

  it("with provider none nothing is held, so a deleted route is released at once", () => {
    assert.equal(certificateReleased(route(), { known: false }, aConfig()), true);
  });
});
