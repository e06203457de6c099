// The portal words verdicts as hostgate's webhook does (portal/backends/
// verdict-words.ts mirrors webhook/denial-message.ts, since portal/ may not
// import webhook/). This test, which may import both, keeps them equal.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { denialMessage, warningTexts as webhookWarnings } from "../webhook/denial-message.ts";
import { denialText, warningTexts } from "../portal/backends/verdict-words.ts";
import type { Finding } from "../policies/verdict.ts";

const FINDINGS: Finding[] = [
  { policy: "hostname-granted", message: "spec.domain names x.example.com,\n  which is not granted", field: "spec.domain", reason: "Forbidden" },
  { policy: "public-needs-protection", message: "x ".repeat(80), field: "spec.protection", reason: "Forbidden" },
  { policy: "hostname-granted", message: "Warning: second finding of the same policy", reason: "Invalid" },
];

describe("the portal's wording of verdicts", () => {
  test("warnings read as the webhook sends them (policy name kept when it fits, 120 characters at most)", () => {
    assert.deepEqual(warningTexts(FINDINGS), webhookWarnings(FINDINGS));
  });

  test("a denial reads as the webhook's message, for one policy and for several", () => {
    for (const denials of [FINDINGS.slice(0, 1), FINDINGS]) {
      const subject = { kind: "DomainRoute", namespace: "team-a", name: "shop" };
      assert.equal(denialText(subject, denials), denialMessage(subject, denials));
    }
    assert.equal(denialText({ kind: "DomainRoute" }, FINDINGS), denialMessage({ kind: "DomainRoute" }, FINDINGS));
  });
});
