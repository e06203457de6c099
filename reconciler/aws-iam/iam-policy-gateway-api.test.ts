// On the Gateway API data plane with the AWS Load Balancer Controller the
// controller puts the certificates on its own ALBs' listeners, so the
// reconciler's policy grants no ELBv2 action at all; with envoy-gateway or
// istio behind ALBs hostgate attaches them as on the Istio data plane.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gatewayApiCertConfig } from "../certificates/testing/gateway-api-fixtures.ts";
import { IN, OUT } from "../certificates/testing/plan-fixtures.ts";
import { reconcilerIamPolicy } from "./iam-policy.ts";

const ISSUER = { kind: "ClusterIssuer" as const, name: "letsencrypt-dns", group: "cert-manager.io" };
const elbActions = (policy: ReturnType<typeof reconcilerIamPolicy>) =>
  policy.Statement.flatMap((s) => s.Action)
    .filter((a) => a.startsWith("elasticloadbalancing:"))
    .sort();

describe("the IAM policy on the Gateway API data plane", () => {
  const cases = [
    {
      name: "aws-load-balancer-controller with ACM: ACM requests and deletes, and no ELBv2 action (nothing is attached by hostgate)",
      config: gatewayApiCertConfig("aws-load-balancer-controller"),
      elb: [],
      acm: ["acm:RequestCertificate", "acm:DeleteCertificate"],
    },
    {
      name: "aws-load-balancer-controller with cert-manager importing into ACM: imports, and no ELBv2 action",
      config: gatewayApiCertConfig("aws-load-balancer-controller", {
        provider: "cert-manager",
        certManager: { issuerRef: ISSUER, namespace: "edge", importToAcm: true },
      }),
      elb: [],
      acm: ["acm:ImportCertificate", "acm:DeleteCertificate"],
    },
    {
      name: "istio behind ALBs with ACM: the configured listeners' attach and detach, as on the Istio data plane",
      config: gatewayApiCertConfig("istio"),
      elb: [
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
      ],
      acm: ["acm:RequestCertificate"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const policy = reconcilerIamPolicy(c.config);
      assert.deepEqual(elbActions(policy), c.elb);
      const actions = policy.Statement.flatMap((s) => s.Action);
      for (const action of c.acm) assert.ok(actions.includes(action), action);
    });
  }

  it("istio behind ALBs attaches to the configured listeners only", () => {
    const attach = reconcilerIamPolicy(gatewayApiCertConfig("istio")).Statement.find((s) => s.Sid === "AttachCertificatesToConfiguredListeners");
    assert.deepEqual(attach?.Resource, [IN, OUT]);
  });
});
