// Who puts an ACM certificate on the ALB listener, by data plane
// (core/config/acm-settings.ts): hostgate on configured listeners, or the AWS
// Load Balancer Controller on its own ALBs by hostname discovery.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { certificatesByDiscovery, certificatesInAcm, certificatesOnListeners } from "../../core/config/acm-settings.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { desiredOptions } from "./desired-certificates.ts";
import { gatewayApiCertConfig } from "./testing/gateway-api-fixtures.ts";
import { certConfig } from "./testing/plan-fixtures.ts";

const ISSUER = { kind: "ClusterIssuer" as const, name: "letsencrypt-dns", group: "cert-manager.io" };
const certManager = (importToAcm: boolean) => ({ provider: "cert-manager" as const, certManager: { issuerRef: ISSUER, namespace: "edge", importToAcm } });

describe("where ACM certificates go, by data plane", () => {
  const cases: { name: string; config: PlatformConfig; inAcm: boolean; onListeners: boolean; discovery: boolean }[] = [
    {
      name: "Istio data plane with ACM: hostgate attaches to the configured listeners",
      config: certConfig(),
      inAcm: true,
      onListeners: true,
      discovery: false,
    },
    {
      name: "Gateway API on envoy-gateway with ACM: TLS ends on the ALB in front, hostgate attaches",
      config: gatewayApiCertConfig("envoy-gateway"),
      inAcm: true,
      onListeners: true,
      discovery: false,
    },
    {
      name: "Gateway API on istio with ACM: TLS ends on the ALB in front, hostgate attaches",
      config: gatewayApiCertConfig("istio"),
      inAcm: true,
      onListeners: true,
      discovery: false,
    },
    {
      name: "AWS Load Balancer Controller with ACM: the controller finds them by hostname, hostgate attaches nothing",
      config: gatewayApiCertConfig("aws-load-balancer-controller"),
      inAcm: true,
      onListeners: false,
      discovery: true,
    },
    {
      name: "AWS Load Balancer Controller with cert-manager importing into ACM: the same",
      config: gatewayApiCertConfig("aws-load-balancer-controller", certManager(true)),
      inAcm: true,
      onListeners: false,
      discovery: true,
    },
    {
      name: "Gateway API on envoy-gateway with cert-manager alone: the Gateway serves the Secret, nothing is in ACM",
      config: gatewayApiCertConfig("envoy-gateway", certManager(false)),
      inAcm: false,
      onListeners: false,
      discovery: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        { inAcm: certificatesInAcm(c.config), onListeners: certificatesOnListeners(c.config), discovery: certificatesByDiscovery(c.config) },
        { inAcm: c.inAcm, onListeners: c.onListeners, discovery: c.discovery },
      );
      // A certificate in ACM serves on a member's ALB either way, so it waits for the route's placement either way.
      assert.deepEqual(desiredOptions(c.config), { listeners: c.onListeners, placement: c.inAcm });
    });
  }
});
