import assert from "node:assert/strict";
import { describe, it } from "node:test";
import express from "express";
import request from "supertest";
import { ADMISSION_API_VERSION, ADMISSION_KIND } from "./admission-review.ts";
import type { Verdict } from "../policies/verdict.ts";
import type { ParsedReview } from "./admission-review.ts";
import { denialCauses, internalErrorAnswer, MAX_CAUSE_FIELD, MAX_DENIAL_CAUSES, sendReview, unavailableAnswer, verdictAnswer } from "./admission-response.ts";
import { MAX_DENIAL_LINE, MAX_DENIAL_MESSAGE } from "../policies/denial-message.ts";
import type { Finding } from "../policies/verdict.ts";
import type { AdmissionReviewResponse, ReviewAnswer } from "./admission-response.ts";

/** Sends `body` the given way from an express app like the webhook's, and reads back the exact bytes. */
function sentBy(send: (res: express.Response, body: AdmissionReviewResponse) => void, body: AdmissionReviewResponse) {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.post("/", (_req, res) => {
    send(res, body);
  });
  return request(app)
    .post("/")
    .buffer(true)
    .parse((res, done) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      res.on("end", () => done(null, text));
    });
}

/** What express's res.json sends, the way the webhook answered reviews before sendReview. */
const viaExpress = (body: AdmissionReviewResponse) =>
  sentBy((res, b) => {
    res.json(b);
  }, body);
const viaSendReview = (body: AdmissionReviewResponse) => sentBy(sendReview, body);

const envelope = (response: AdmissionReviewResponse["response"]): AdmissionReviewResponse => ({
  apiVersion: ADMISSION_API_VERSION,
  kind: ADMISSION_KIND,
  response,
});

describe("sendReview", () => {
  const cases: { name: string; body: AdmissionReviewResponse }[] = [
    { name: "an allowed review", body: envelope({ uid: "u-1", allowed: true }) },
    {
      name: "an allowed review with a warning",
      body: envelope({ uid: "u-2", allowed: true, warnings: ["checkout.team-42.example.com is not covered by the *.example.com certificate"] }),
    },
    {
      name: "a denial whose message holds characters outside ASCII",
      body: envelope({ uid: "u-3", allowed: false, status: { code: 403, reason: "Forbidden", message: 'größe … 😀 "quoted"\nsecond line' } }),
    },
    { name: "a mutation's patch", body: envelope({ uid: "u-4", allowed: true, patchType: "JSONPatch", patch: Buffer.from("[]").toString("base64") }) },
  ];
  for (const c of cases) {
    it(`sends ${c.name} with the status, headers and bytes express's res.json sent`, async () => {
      const [expected, actual] = await Promise.all([viaExpress(c.body), viaSendReview(c.body)]);
      assert.equal(actual.status, expected.status);
      assert.equal(actual.headers["content-type"], expected.headers["content-type"]);
      assert.equal(actual.headers["content-length"], expected.headers["content-length"]);
      assert.equal(actual.body, expected.body);
      assert.deepEqual(JSON.parse(actual.body as string), c.body);
    });
  }
});

const review: ParsedReview = {
  uid: "u-9",
  input: {
    operation: "CREATE",
    kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
    namespace: "team-a",
    object: { metadata: { generateName: "web-" } },
    oldObject: null,
  },
};
const verdict = (over: Partial<Verdict>): Verdict => ({
  allowed: true,
  denials: [],
  warnings: [],
  audits: [],
  patch: [],
  object: null,
  applied: { policies: ["p"], schema: false },
  ...over,
});

describe("the answers to a review", () => {
  const denial = { policy: "needs-lb", message: "lb is required", reason: "Invalid" };
  const patch = [{ op: "add" as const, path: "/spec/x", value: 1 }];
  type Case = { name: string; answer: ReviewAnswer; response: AdmissionReviewResponse["response"]; outcome: Partial<ReviewAnswer["outcome"]> };
  const cases: Case[] = [
    {
      name: "an allowed verdict admits",
      answer: verdictAnswer(review, "validate", verdict({}), 0.5),
      response: { uid: "u-9", allowed: true },
      outcome: { verdict: "allowed", evaluated: true, evaluationSeconds: 0.5 },
    },
    {
      name: "a denial carries its reason's code and names the object by its generateName",
      answer: verdictAnswer(review, "validate", verdict({ allowed: false, denials: [denial, denial] }), 0),
      response: {
        uid: "u-9",
        allowed: false,
        status: {
          code: 422,
          reason: "Invalid",
          message: "DomainRoute team-a/web-* violates 1 policy:\n- needs-lb: lb is required\n- needs-lb: lb is required",
          details: {
            group: "hostgate.dev",
            kind: "DomainRoute",
            causes: [
              { reason: "FieldValueInvalid", message: "needs-lb: lb is required" },
              { reason: "FieldValueInvalid", message: "needs-lb: lb is required" },
            ],
          },
        },
      },
      outcome: { verdict: "denied", denyingPolicies: ["needs-lb"] },
    },
    {
      name: "a mutation's patch is sent from /mutate",
      answer: verdictAnswer(review, "mutate", verdict({ patch }), 0),
      response: { uid: "u-9", allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") },
      outcome: { patched: true },
    },
    {
      name: "a patch is never sent from /validate",
      answer: verdictAnswer(review, "validate", verdict({ patch }), 0),
      response: { uid: "u-9", allowed: true },
      outcome: { patched: false },
    },
    {
      name: "a review before the cache is ready is denied with 503",
      answer: unavailableAnswer(review, "not synced"),
      response: {
        uid: "u-9",
        allowed: false,
        status: {
          code: 503,
          reason: "ServiceUnavailable",
          message: "hostgate cannot judge this request yet (not synced); it is denied rather than judged against incomplete state. Retry in a few seconds",
        },
      },
      outcome: { verdict: "denied", evaluated: false },
    },
    {
      name: "a review whose judging failed is denied with 500",
      answer: internalErrorAnswer(review, "boom"),
      response: {
        uid: "u-9",
        allowed: false,
        status: {
          code: 500,
          reason: "InternalError",
          message:
            "the webhook could not evaluate this request (boom); it is denied because hostgate fails closed. " +
            "Retry; if it persists, the platform team should check the webhook's logs",
        },
      },
      outcome: { verdict: "denied", evaluated: true },
    },
  ];
  for (const c of cases) {
    it(`${c.name}, in an AdmissionReview v1 envelope echoing the uid`, () => {
      assert.deepEqual(c.answer.body, envelope(c.response));
      for (const [key, value] of Object.entries(c.outcome)) assert.deepEqual(c.answer.outcome[key as keyof ReviewAnswer["outcome"]], value, key);
    });
  }
});

describe("the causes of a denial (status.details.causes)", () => {
  const named: ParsedReview = { uid: "u-10", input: { ...review.input, name: "shop", object: { metadata: { name: "shop", namespace: "team-a" } } } };
  const denied = (denials: Finding[]) => verdictAnswer(named, "validate", verdict({ allowed: false, denials }), 0).body.response.status;
  const granted: Finding = {
    policy: "hostname-granted",
    message: "spec.domain shop.example.com is granted to no namespace",
    field: "spec.domain",
    reason: "Forbidden",
  };
  const taken: Finding = { policy: "domain-unique", message: "shop.example.com is claimed by team-b/shop", field: "spec.domain", reason: "Conflict" };
  const port: Finding = {
    policy: "crd-schema",
    message: "spec.backend.external.port: Invalid value: 0",
    field: "spec.backend.external.port",
    reason: "FieldValueInvalid",
  };
  const general: Finding = { policy: "quota", message: "team-a has 50 routes already", reason: "Invalid" };

  type Case = { name: string; denials: Finding[]; causes: ReturnType<typeof denialCauses> };
  const cases: Case[] = [
    {
      name: "a policy's Forbidden becomes FieldValueForbidden on the policy's field, the message prefixed with the policy",
      denials: [granted],
      causes: [{ reason: "FieldValueForbidden", field: "spec.domain", message: "hostname-granted: spec.domain shop.example.com is granted to no namespace" }],
    },
    {
      name: "a Conflict (another object holds the value) becomes FieldValueDuplicate",
      denials: [taken],
      causes: [{ reason: "FieldValueDuplicate", field: "spec.domain", message: "domain-unique: shop.example.com is claimed by team-b/shop" }],
    },
    {
      name: "a reason that is already a cause type is kept, with an indexed or nested field as written",
      denials: [port],
      causes: [{ reason: "FieldValueInvalid", field: "spec.backend.external.port", message: "crd-schema: spec.backend.external.port: Invalid value: 0" }],
    },
    {
      name: "a denial naming no field gives a cause without a field, in the order of the denials",
      denials: [granted, general],
      causes: [
        { reason: "FieldValueForbidden", field: "spec.domain", message: "hostname-granted: spec.domain shop.example.com is granted to no namespace" },
        { reason: "FieldValueInvalid", message: "quota: team-a has 50 routes already" },
      ],
    },
  ];
  for (const c of cases) {
    it(`${c.name}`, () => {
      const status = denied(c.denials);
      assert.deepEqual(status?.details, { group: "hostgate.dev", kind: "DomainRoute", name: "shop", causes: c.causes });
    });
  }

  it("keeps the message as it was: the causes are beside it, not instead of it", () => {
    assert.equal(
      denied([granted])?.message,
      "DomainRoute team-a/shop violates 1 policy:\n- hostname-granted: spec.domain shop.example.com is granted to no namespace",
    );
  });

  it(`sends at most ${MAX_DENIAL_CAUSES} causes, the last saying how many more there are`, () => {
    const many = Array.from({ length: 80 }, (_, i) => ({ ...granted, message: `violation ${i}` }));
    const causes = denialCauses(many);
    assert.equal(causes.length, MAX_DENIAL_CAUSES);
    assert.equal(causes.at(-2)?.message, `hostname-granted: violation ${MAX_DENIAL_CAUSES - 2}`);
    assert.deepEqual(causes.at(-1), {
      reason: "FieldValueForbidden",
      message: `… and ${80 - MAX_DENIAL_CAUSES + 1} more violations (\`hostgate check\` lists them all)`,
    });
  });

  it(`sends exactly ${MAX_DENIAL_CAUSES} causes for ${MAX_DENIAL_CAUSES} denials, with no "more" cause`, () => {
    const causes = denialCauses(Array.from({ length: MAX_DENIAL_CAUSES }, (_, i) => ({ ...granted, message: `violation ${i}` })));
    assert.equal(causes.length, MAX_DENIAL_CAUSES);
    assert.equal(causes.at(-1)?.message, `hostname-granted: violation ${MAX_DENIAL_CAUSES - 1}`);
  });

  it("clips each cause's message and field, and keeps the causes' total length within the message's bound", () => {
    const long = Array.from({ length: 20 }, () => ({ ...granted, message: "x".repeat(5000), field: `spec.${"y".repeat(1000)}` }));
    const causes = denialCauses(long);
    for (const cause of causes) {
      assert.ok(cause.message.length <= MAX_DENIAL_LINE, `a message of ${cause.message.length}`);
      assert.ok((cause.field ?? "").length <= MAX_CAUSE_FIELD, `a field of ${cause.field?.length}`);
    }
    assert.ok(causes.length < long.length, "every long cause was sent");
    const total = causes.reduce((sum, c) => sum + c.message.length + (c.field?.length ?? 0), 0);
    assert.ok(total <= MAX_DENIAL_MESSAGE, `${total} characters of causes`);
    assert.match(causes.at(-1)!.message, /^… and \d+ more violations/);
  });

  it("leaves details out of the answers that are not a verdict's (503 and 500 get the API server's own)", () => {
    assert.equal(unavailableAnswer(named, "x").body.response.status?.details, undefined);
    assert.equal(internalErrorAnswer(named, "x").body.response.status?.details, undefined);
  });
});
