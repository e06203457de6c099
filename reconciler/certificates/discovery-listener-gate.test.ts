import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CertificateOutcomeLookup } from "./certificate-outcomes.ts";
import { listenerCertificateReady } from "./discovery-listener-gate.ts";
import { gatewayApiCertConfig } from "./testing/gateway-api-fixtures.ts";
import { routeFor } from "./testing/plan-fixtures.ts";

const CERT = { domains: ["*.example.com", "example.com"], arn: "arn:mine" };
const LBC = gatewayApiCertConfig("aws-load-balancer-controller");
const route = () => routeFor("shop", "shop.example.com").route;
const decided = (outcome: NonNullable<Extract<CertificateOutcomeLookup, { known: true }>["outcome"]>): CertificateOutcomeLookup => ({ known: true, outcome });
const seen = { uid: "uid-shop", domain: "shop.example.com" };

describe("listenerCertificateReady: a route's listener waits for its certificate where the AWS Load Balancer Controller discovers it", () => {
  const cases: { name: string; config?: ReturnType<typeof gatewayApiCertConfig>; lookup: CertificateOutcomeLookup; listed: boolean; ready: boolean }[] = [
    { name: "issued: the listener may go on the Gateway", lookup: decided({ ...seen, kind: "ready", certificate: CERT }), listed: false, ready: true },
    {
      name: "still being validated: it waits (the controller would fail the whole Gateway on a host without a certificate)",
      lookup: decided({ ...seen, kind: "pending", stage: "validation", certificate: CERT, detail: "validating" }),
      listed: false,
      ready: false,
    },
    {
      name: "two issued certificates match the host: it is taken off (the controller would fail the whole Gateway)",
      lookup: decided({ ...seen, kind: "failed", certificate: CERT, message: "ACM holds 2 issued certificates matching shop.example.com" }),
      listed: true,
      ready: false,
    },
    {
      name: "an outcome decided for another incarnation of the route: it waits",
      lookup: decided({ ...seen, uid: "uid-before", kind: "ready", certificate: CERT }),
      listed: false,
      ready: false,
    },
    { name: "before the certificate controller's first pass, a listed listener stays", lookup: { known: false }, listed: true, ready: true },
    { name: "before the certificate controller's first pass, a new listener is not added", lookup: { known: false }, listed: false, ready: false },
    {
      name: "envoy-gateway with cert-manager: never waits (a listener without its Secret is invalid alone)",
      config: gatewayApiCertConfig("envoy-gateway", {
        provider: "cert-manager",
        certManager: { issuerRef: { kind: "ClusterIssuer", name: "x", group: "cert-manager.io" }, namespace: "edge", importToAcm: false },
      }),
      lookup: { known: false },
      listed: false,
      ready: true,
    },
    {
      name: "istio behind ALBs with ACM: never waits (TLS ends on the ALB in front)",
      config: gatewayApiCertConfig("istio"),
      lookup: { known: true },
      listed: false,
      ready: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(listenerCertificateReady(route(), c.lookup, c.config ?? LBC, c.listed), c.ready));
  }
});
