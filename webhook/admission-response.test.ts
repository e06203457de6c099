import assert from "node:assert/strict";
import { describe, it } from "node:test";
import express from "express";
import request from "supertest";
import { ADMISSION_API_VERSION, ADMISSION_KIND } from "./admission-review.ts";
import { sendReview } from "./admission-response.ts";
import type { AdmissionReviewResponse } from "./admission-response.ts";

/** What express's res.json sends, the way the webhook answered reviews before sendReview. */
function viaExpress(body: AdmissionReviewResponse) {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.post("/", (_req, res) => {
    res.json(body);
  });
  return request(app).post("/").buffer(true).parse((res, done) => {
    let text = "";
    res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    res.on("end", () => done(null, text));
  });
}

function viaSendReview(body: AdmissionReviewResponse) {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.post("/", (_req, res) => sendReview(res, body));
  return request(app).post("/").buffer(true).parse((res, done) => {
    let text = "";
    res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    res.on("end", () => done(null, text));
  });
}

const envelope = (response: AdmissionReviewResponse["response"]): AdmissionReviewResponse => ({ apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response });

describe("sendReview", () => {
  const cases: { name: string; body: AdmissionReviewResponse }[] = [
    { name: "an allowed review", body: envelope({ uid: "u-1", allowed: true }) },
    { name: "an allowed review with a warning", body: envelope({ uid: "u-2", allowed: true, warnings: ["checkout.team-42.example.com is not covered by the *.example.com certificate"] }) },
    { name: "a denial whose message holds characters outside ASCII", body: envelope({ uid: "u-3", allowed: false, status: { code: 403, reason: "Forbidden", message: "größe … 😀 \"quoted\"\nsecond line" } }) },
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
