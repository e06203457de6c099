import assert from "node:assert/strict";
import { describe, it } from "node:test";
import express from "express";
import request from "supertest";
import { ADMISSION_API_VERSION, ADMISSION_KIND } from "./admission-review.ts";
import type { Verdict } from "../policies/verdict.ts";
import type { ParsedReview } from "./admission-review.ts";
import { internalErrorAnswer, sendReview, unavailableAnswer, verdictAnswer } from "./admission-response.ts";
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

describe("the answers to a review", () => {
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
