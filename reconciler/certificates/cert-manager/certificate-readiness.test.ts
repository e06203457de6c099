import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { CertificateReadiness } from "./certificate-readiness.ts";
import { certificateReadiness } from "./certificate-readiness.ts";

const FAILED_MESSAGE = "The certificate request has failed to complete and will be retried: Failed to wait for order resource to become ready";

function certificate(status: Record<string, unknown> | undefined, generation = 2): KubeObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: "wildcard-example-com", namespace: "hostgate-system", generation },
    spec: {},
    ...(status === undefined ? {} : { status }),
  };
}

const ready = (status: string, reason?: string, message?: string, observedGeneration = 2) => ({ type: "Ready", status, reason, message, observedGeneration });
const issuing = (status: string, reason?: string, message?: string) => ({ type: "Issuing", status, reason, message, observedGeneration: 2 });
const issued = { notAfter: "2031-03-01T00:00:00Z", revision: 3 };

describe("certificateReadiness", () => {
  /** `message` as a RegExp is matched, as a string compared; everything else must be equal. */
  const cases: {
    name: string;
    status?: Record<string, unknown>;
    want: { state: CertificateReadiness["state"]; message?: string | RegExp; [field: string]: unknown };
  }[] = [
    {
      name: "no status yet is pending: cert-manager has not looked",
      want: { state: "pending", reason: "NotObserved", message: /has not reported/ },
    },
    {
      name: "Ready True is ready, with not-after and revision",
      status: { conditions: [ready("True", "Ready", "Certificate is up to date and has not expired")], ...issued },
      want: { state: "ready", ...issued },
    },
    {
      name: "Ready False while issuing is pending with cert-manager's reason and message",
      status: { conditions: [ready("False", "DoesNotExist", "Issuing certificate as Secret does not exist"), issuing("True", "DoesNotExist", "Issuing")] },
      want: { state: "pending", reason: "DoesNotExist", message: "Issuing certificate as Secret does not exist" },
    },
    {
      name: "a failed issuance is failed, with the Issuing condition's reason, message and the attempts",
      status: {
        conditions: [ready("False", "DoesNotExist", "Issuing certificate as Secret does not exist"), issuing("False", "Failed", FAILED_MESSAGE)],
        lastFailureTime: "2030-01-01T00:00:00Z",
        failedIssuanceAttempts: 2,
      },
      want: { state: "failed", reason: "Failed", message: FAILED_MESSAGE, failedIssuanceAttempts: 2 },
    },
    {
      name: "a failure time without an Issuing condition is failed, with a reason of its own",
      status: { conditions: [ready("False", "DoesNotExist", "x")], lastFailureTime: "2030-01-01T00:00:00Z" },
      want: { state: "failed", reason: "Failed", message: /last issuance .* failed/ },
    },
    {
      name: "a retry in progress after a failure is pending",
      status: { conditions: [ready("False", "DoesNotExist", "Issuing"), issuing("True", "Issuing", "Issuing")], lastFailureTime: "2030-01-01T00:00:00Z" },
      want: { state: "pending", reason: "DoesNotExist", message: "Issuing" },
    },
    {
      name: "a failed renewal beside a still valid certificate is ready, saying the renewal failed",
      status: { conditions: [ready("True", "Ready", "ok"), issuing("False", "Failed", FAILED_MESSAGE)], lastFailureTime: "2030-01-01T00:00:00Z", ...issued },
      want: { state: "ready", ...issued, renewalFailure: { reason: "Failed", message: FAILED_MESSAGE } },
    },
    {
      name: "a Ready condition about an older generation is pending: the spec changed since",
      status: { conditions: [ready("True", "Ready", "ok", 1)], ...issued },
      want: { state: "pending", reason: "NotObserved", message: /generation 2 .*about generation 1/, ...issued },
    },
    {
      name: "an expired certificate is pending with cert-manager's Expired reason (it renews)",
      status: { conditions: [ready("False", "Expired", "Certificate expired on Sun, 31 Mar 2030")], ...issued },
      want: { state: "pending", reason: "Expired", message: "Certificate expired on Sun, 31 Mar 2030", ...issued },
    },
    {
      name: "a Ready False with neither reason nor message is pending with defaults",
      status: { conditions: [ready("False")] },
      want: { state: "pending", reason: "Pending", message: /has not issued Certificate hostgate-system\/wildcard-example-com yet/ },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = certificateReadiness(certificate(c.status));
      const { message: gotMessage, ...gotRest } = got as CertificateReadiness & { message?: string };
      const { message: wantMessage, ...wantRest } = c.want;
      assert.deepEqual(gotRest, wantRest);
      if (wantMessage instanceof RegExp) assert.match(gotMessage ?? "", wantMessage);
      else assert.equal(gotMessage, wantMessage);
    });
  }
});
