// Issue 10, items 1, 2 and 5 through the webhook's HTTP face: the deletion
// window, Terminating routes in the live index, and request.namespace. The
// same scenarios as policies/deletion-window.test.ts (decide) and
// test/cli-check-admission.test.ts (hostgate check), as AdmissionReviews.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import request from "supertest";
import { RecordingLogger } from "../core/testing/recording-logger.ts";
import {
  domainRoute,
  FINALIZER_RELEASES,
  NOT_ONLY_RELEASES,
  scenarioEnvironment,
  STATE,
  terminating,
  TERMINATING_ATTACKS,
  withMetadata,
  withSpec,
} from "../policies/testing/admission-scenarios.ts";
import type { Json } from "../policies/testing/admission-scenarios.ts";
import { createAdmissionApp } from "./admission-app.ts";
import { admissionReview } from "./testing/reviews.ts";

// team-b's route squatted team-a's appId while Terminating: the live index must not hold it for team-b.
const squatter = terminating(domainRoute("team-b", "squat", { domain: "api.example.com", protection: { provider: "sso", appId: "shop-web" } }));
const owner = STATE.find((o) => (o.metadata as Json).name === "shop-web")!;

const environment = scenarioEnvironment([...STATE, squatter]);
const app = createAdmissionApp({ environment: () => environment, logger: new RecordingLogger() });

interface ReviewAnswer {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  patch?: string;
}

async function review(endpoint: "validate" | "mutate", body: Record<string, unknown>): Promise<ReviewAnswer> {
  const res = await request(app).post(`/${endpoint}`).set("Content-Type", "application/json").send(JSON.stringify(body));
  assert.equal(res.status, 200, res.text);
  return res.body.response as ReviewAnswer;
}

const update = (updated: Json, stored: Json) => admissionReview(updated, { operation: "UPDATE", oldObject: stored });

/** The review with request.namespace replaced: what a direct caller can send. */
function inNamespace(body: Record<string, unknown>, namespace: string): Record<string, unknown> {
  return { ...body, request: { ...(body.request as Json), namespace } };
}

describe("the webhook judges updates of Terminating objects", () => {
  for (const scenario of [...TERMINATING_ATTACKS, ...NOT_ONLY_RELEASES]) {
    it(`/validate: ${scenario.name}`, async () => {
      const answer = await review("validate", update(scenario.updated, scenario.stored));
      assert.equal(answer.allowed, false, "admitted");
      for (const policy of scenario.deniedBy) assert.match(answer.status!.message, new RegExp(`^- ${policy}: `, "m"), answer.status!.message);
    });
  }

  for (const scenario of FINALIZER_RELEASES) {
    for (const endpoint of ["validate", "mutate"] as const) {
      it(`/${endpoint}: ${scenario.name}, with no patch`, async () => {
        const { uid: _uid, ...answer } = await review(endpoint, update(scenario.updated, scenario.stored));
        assert.deepEqual(answer, { allowed: true }, "no status, no warnings, no patch");
      });
    }
  }
});

describe("the webhook's index leaves Terminating routes out", () => {
  it("/validate: the owner of an appId a Terminating route squats can still update its route", async () => {
    const changed = withSpec(owner, { backend: { service: { name: "shop-web", port: 9090 } } });
    const answer = await review("validate", update(changed, owner));
    assert.equal(answer.allowed, true, answer.status?.message);
  });

  it("/validate: the control: a live route's appId is still refused to others", async () => {
    const copy = domainRoute("team-a", "copy", { domain: "copy.shop.example.com", protection: { provider: "sso", appId: "shop-web" } });
    const answer = await review("validate", admissionReview(copy));
    assert.equal(answer.allowed, false);
    assert.match(
      answer.status!.message,
      /^- appid-unique: spec\.protection\.appId "shop-web" is already used by DomainRoute team-a\/shop-web \(shop\.example\.com\);/m,
    );
  });
});

describe("the webhook takes the namespace from request.namespace", () => {
  // team-a's granted route, sent by a direct caller as a team-b request.
  const teamARoute = domainRoute("team-a", "web", { domain: "web.shop.example.com" });
  for (const endpoint of ["validate", "mutate"] as const) {
    it(`/${endpoint}: an object naming another namespace than its request is denied with 400 BadRequest, naming both`, async () => {
      const answer = await review(endpoint, inNamespace(admissionReview(teamARoute), "team-b"));
      assert.equal(answer.allowed, false);
      assert.equal(answer.status!.code, 400);
      assert.equal(answer.status!.reason, "BadRequest");
      assert.match(answer.status!.message, /^DomainRoute team-b\/web violates 1 policy:$/m);
      assert.match(
        answer.status!.message,
        /^- request-namespace: object\.metadata\.namespace is "team-a", but the request is for namespace "team-b" \(request\.namespace\); /m,
      );
      assert.equal(answer.patch, undefined);
    });
  }

  it("/validate: a stored object in another namespace is denied as not sent by the API server", async () => {
    const stored = withMetadata(teamARoute, { namespace: "team-c" });
    const answer = await review("validate", inNamespace(update(teamARoute, stored), "team-a"));
    assert.equal(answer.allowed, false);
    assert.match(
      answer.status!.message,
      /^- request-namespace: oldObject\.metadata\.namespace is "team-c", but the request is for namespace "team-a" .*not sent by the API server\.$/m,
    );
  });

  it("/validate: the control: the same object in its own namespace is admitted", async () => {
    const answer = await review("validate", admissionReview(teamARoute));
    assert.equal(answer.allowed, true, answer.status?.message);
  });
});
