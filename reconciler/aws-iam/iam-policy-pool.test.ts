// On a load balancer pool the reconciler attaches certificates to every
// member's listener, so its IAM policy must allow exactly those listeners.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { certConfig } from "../certificates/testing/plan-fixtures.ts";
import { LISTENER_1, LISTENER_2, pooled } from "../dns/testing/pool-fixtures.ts";
import { reconcilerIamPolicy } from "./iam-policy.ts";

describe("the IAM policy on a load balancer pool", () => {
  it("allows attaching certificates to every member's listener, and to no other", () => {
    const policy = reconcilerIamPolicy(pooled(certConfig()));
    const attach = policy.Statement.find((s) => s.Sid === "AttachCertificatesToConfiguredListeners");
    assert.deepEqual(attach?.Resource, [LISTENER_1, LISTENER_2]);
  });
});
