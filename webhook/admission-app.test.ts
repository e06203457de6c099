import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import request from "supertest";
import { readManifestsSync } from "../core/objects/index.ts";
import { EXAMPLES } from "../core/cli/paths.ts";
import { applyPatch } from "../policies/engine/json-patch.ts";
import type { JsonPatchOperation } from "../policies/engine/types.ts";
import type { LoadedEnvironment } from "../core/environment.ts";
import type { Logger } from "../core/logger.ts";
import { RecordingLogger } from "../core/testing/recording-logger.ts";
import { createAdmissionApp } from "./admission-app.ts";
import { createWebhookMetrics } from "./metrics.ts";
import { MAX_WARNING_LENGTH } from "../policies/denial-message.ts";
import { admissionReview, exampleEnvironment } from "./testing/reviews.ts";

const example = (file: string): Record<string, unknown> => readManifestsSync([join(EXAMPLES, file)])[0]!.object as Record<string, unknown>;
const clone = <T>(value: T): T => structuredClone(value);

const recordingLogger = () => new RecordingLogger();

let env: LoadedEnvironment;
before(async () => {
  env = await exampleEnvironment();
});

function appWith(
  options: { logger?: Logger; bodyLimitBytes?: number; environment?: () => ReturnType<typeof envOf>; notReady?: () => string | undefined } = {},
) {
  const metrics = createWebhookMetrics(
    {
      cacheCounts: () => ({ hostnameGrants: 0, domainRoutes: 0, domains: 0, appIds: 0, grantedNamespaces: 0 }),
      cacheSynced: () => true,
      certificateNotAfter: () => undefined,
      policiesLoaded: () => 1,
    },
    { defaultMetrics: false },
  );
  const app = createAdmissionApp({
    environment: options.environment ?? (() => envOf()),
    logger: options.logger ?? recordingLogger(),
    metrics,
    ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.notReady !== undefined ? { notReady: options.notReady } : {}),
  });
  return { app, metrics };
}

const envOf = () => env.verdict;

async function post(path: string, body: unknown, app = appWith().app) {
  return request(app).post(path).set("Content-Type", "application/json").send(JSON.stringify(body));
}

describe("admission reviews", () => {
  it("echoes the request uid and allows an admissible DomainRoute on /validate", async () => {
    const review = admissionReview(example("routes/team-a-catalog.yaml"), { uid: "7f3c2a4e-uid-echo" });
    const res = await post("/validate", review);
    assert.equal(res.status, 200);
    assert.equal(res.body.apiVersion, "admission.k8s.io/v1");
    assert.equal(res.body.kind, "AdmissionReview");
    assert.equal(res.body.response.uid, "7f3c2a4e-uid-echo");
    assert.equal(res.body.response.allowed, true);
    assert.equal(res.body.response.status, undefined);
    assert.equal(res.body.response.patch, undefined, "/validate never returns a patch");
  });

  it("denies a public DomainRoute without protection with a Forbidden status naming policy, field and fix", async () => {
    const res = await post("/validate", admissionReview(example("rejected/public-without-protection.yaml"), { uid: "u-deny" }));
    assert.equal(res.status, 200, "a denial is a verdict, not an HTTP error");
    const { response } = res.body;
    assert.equal(response.uid, "u-deny");
    assert.equal(response.allowed, false);
    assert.equal(response.status.code, 403);
    assert.equal(response.status.reason, "Forbidden");
    const lines: string[] = response.status.message.split("\n");
    assert.match(lines[0]!, /^DomainRoute team-a\/deals violates 1 policy:$/);
    assert.match(lines[1]!, /^- public-needs-protection: deals\.shop\.example\.com is published on alb-out .*Add spec\.protection/);
    assert.ok(lines.length === 2, `one line per violation: ${response.status.message}`);
  });

  it("lists every violated policy on its own line when several deny", async () => {
    const res = await post("/validate", admissionReview(example("rejected/domain-outside-apex.yaml")));
    const lines: string[] = res.body.response.status.message.split("\n");
    assert.match(lines[0]!, /violates 2 policies:$/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(":")[0]),
      ["- domain-allowlist", "- hostname-granted"],
    );
  });

  it("uses the Invalid reason and code 422 when the first violation is Invalid", async () => {
    const res = await post("/validate", admissionReview(example("rejected/external-mode-with-backend.yaml")));
    assert.equal(res.body.response.allowed, false);
    assert.equal(res.body.response.status.reason, "Invalid");
    assert.equal(res.body.response.status.code, 422);
  });

  it("returns warnings without a Warning: prefix and at most 120 characters each", async () => {
    const route = example("routes/team-a-catalog.yaml") as { spec: Record<string, unknown> };
    route.spec.domain = "deep.catalog.shop.example.com";
    const res = await post("/validate", admissionReview(route));
    const warnings: string[] = res.body.response.warnings;
    assert.ok(Array.isArray(warnings) && warnings.length > 0, `expected a certificate-coverage warning, got ${JSON.stringify(res.body.response)}`);
    for (const w of warnings) {
      assert.ok(w.length <= MAX_WARNING_LENGTH, `too long (${w.length}): ${w}`);
      assert.doesNotMatch(w, /^warning:/i);
    }
    assert.match(warnings[0]!, /not covered by the \*\.example\.com certificate/);
  });

  it("denies with the policy's message when a policy cannot be evaluated (fail closed), answering 200", async () => {
    // A spec that is not a map makes CEL field access fail inside policies.
    const route = example("routes/team-a-catalog.yaml");
    route.spec = "not-a-map";
    const res = await post("/validate", admissionReview(route));
    assert.equal(res.status, 200);
    assert.equal(res.body.response.allowed, false);
    assert.ok(res.body.response.status.message.length > 0);
  });

  it("turns an unexpected failure while judging a valid review into an InternalError denial, not a 5xx", async () => {
    const logger = recordingLogger();
    const { app } = appWith({
      logger,
      environment: () => {
        throw new Error("cache exploded");
      },
    });
    const res = await post("/validate", admissionReview(example("routes/team-a-catalog.yaml"), { uid: "u-bug" }), app);
    assert.equal(res.status, 200);
    assert.equal(res.body.response.uid, "u-bug");
    assert.equal(res.body.response.allowed, false);
    assert.equal(res.body.response.status.code, 500);
    assert.equal(res.body.response.status.reason, "InternalError");
    assert.match(res.body.response.status.message, /cache exploded.*fails closed/);
    assert.ok(logger.entries.some((l) => l.level === "error" && l.fields.uid === "u-bug"));
  });
});

describe("readiness inside a review", () => {
  it("denies with ServiceUnavailable, echoing the uid, while the cache is not synced", async () => {
    const { app } = appWith({ notReady: () => "the cluster cache has not completed its first sync" });
    const res = await post("/validate", admissionReview(example("routes/team-a-catalog.yaml"), { uid: "u-early" }), app);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.response.uid, "u-early");
    assert.equal(res.body.response.allowed, false);
    assert.equal(res.body.response.status.code, 503);
    assert.match(res.body.response.status.message, /cannot judge this request yet \(the cluster cache has not completed its first sync\)/);
  });

  it("turns a failing readiness check into an InternalError denial with the uid, not a 4xx", async () => {
    const { app } = appWith({
      notReady: () => {
        throw new Error("state source broke");
      },
    });
    const res = await post("/validate", admissionReview(example("routes/team-a-catalog.yaml"), { uid: "u-broken" }), app);
    assert.equal(res.status, 200);
    assert.equal(res.body.response.uid, "u-broken");
    assert.equal(res.body.response.allowed, false);
    assert.equal(res.body.response.status.reason, "InternalError");
    assert.match(res.body.response.status.message, /state source broke/);
  });
});

describe("mutation", () => {
  it("returns a base64 JSONPatch on /mutate that applies and is idempotent", async () => {
    const route = example("routes/team-a-catalog.yaml");
    assert.equal((route.spec as Record<string, unknown>).routing, undefined, "fixture has no routing section");
    const res = await post("/mutate", admissionReview(route));
    const { response } = res.body;
    assert.equal(response.allowed, true);
    assert.equal(response.patchType, "JSONPatch");
    const patch = JSON.parse(Buffer.from(response.patch, "base64").toString("utf8")) as JsonPatchOperation[];
    const patched = applyPatch(clone(route), patch) as { spec: { routing?: { mode?: string } } };
    assert.equal(patched.spec.routing?.mode, "Managed");

    const again = await post("/mutate", admissionReview(patched));
    assert.equal(again.body.response.allowed, true);
    assert.equal(again.body.response.patch, undefined, "mutating the mutated object changes nothing");
    assert.equal(again.body.response.patchType, undefined);
  });

  it("returns no patch on /mutate for an object with nothing to default", async () => {
    const res = await post("/mutate", admissionReview(example("routes/team-b-api-httproute.yaml")));
    assert.equal(res.body.response.allowed, true);
    assert.equal(res.body.response.patch, undefined);
    assert.equal(res.body.response.patchType, undefined);
  });

  it("does not run validations on /mutate (validation is the validating webhook's job)", async () => {
    const res = await post("/mutate", admissionReview(example("rejected/public-without-protection.yaml")));
    assert.equal(res.body.response.allowed, true);
  });
});

describe("operations that are not policy-checked", () => {
  const cases: Array<{ name: string; review: () => Record<string, unknown> }> = [
    {
      name: "a DELETE (object null, oldObject set) is allowed",
      review: () => admissionReview(null, { operation: "DELETE", oldObject: example("rejected/public-without-protection.yaml") }),
    },
    {
      name: "a CONNECT (neither object) is allowed",
      review: () => admissionReview(null, { operation: "CONNECT", kind: { group: "", version: "v1", kind: "PodExecOptions" } }),
    },
    {
      name: "a status subresource UPDATE of a route that policies would deny is allowed",
      review: () => admissionReview(example("rejected/public-without-protection.yaml"), { operation: "UPDATE", subResource: "status" }),
    },
    {
      name: "a kind no policy matches is allowed",
      review: () => admissionReview({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "team-a" }, data: {} }),
    },
  ];
  for (const endpoint of ["/validate", "/mutate"]) {
    for (const c of cases) {
      it(`${c.name} on ${endpoint}`, async () => {
        const review = c.review();
        const res = await post(endpoint, review);
        assert.equal(res.status, 200);
        assert.equal(res.body.response.uid, (review.request as { uid: string }).uid);
        assert.equal(res.body.response.allowed, true);
        assert.equal(res.body.response.patch, undefined);
      });
    }
  }

  it("answers a dryRun request exactly like the real one", async () => {
    for (const file of ["routes/team-a-catalog.yaml", "rejected/public-without-protection.yaml", "rejected/domain-outside-apex.yaml"]) {
      for (const endpoint of ["/validate", "/mutate"]) {
        const real = await post(endpoint, admissionReview(example(file), { uid: "same" }));
        const dry = await post(endpoint, admissionReview(example(file), { uid: "same", dryRun: true }));
        assert.deepEqual(dry.body, real.body, `${endpoint} ${file}`);
      }
    }
  });
});

describe("bad input", () => {
  const valid = () => JSON.stringify(admissionReview(example("routes/team-a-catalog.yaml")));
  const cases: Array<{ name: string; send: (app: ReturnType<typeof appWith>["app"]) => request.Test; status: number; message: RegExp }> = [
    {
      name: "a body that is not JSON gets 400",
      send: (app) => request(app).post("/validate").set("Content-Type", "application/json").send("{not json"),
      status: 400,
      message: /not valid JSON/,
    },
    {
      name: "a JSON array gets 400",
      send: (app) => request(app).post("/validate").set("Content-Type", "application/json").send("[]"),
      status: 400,
      message: /is an array, not an AdmissionReview/,
    },
    {
      name: "an AdmissionReview v1beta1 gets 400",
      send: (app) =>
        request(app).post("/validate").set("Content-Type", "application/json").send(valid().replace("admission.k8s.io/v1", "admission.k8s.io/v1beta1")),
      status: 400,
      message: /expected apiVersion "admission\.k8s\.io\/v1".*admissionReviewVersions/,
    },
    {
      name: "a review without request.uid gets 400",
      send: (app) => {
        const review = JSON.parse(valid());
        delete review.request.uid;
        return request(app).post("/validate").set("Content-Type", "application/json").send(JSON.stringify(review));
      },
      status: 400,
      message: /request\.uid is missing/,
    },
    {
      name: "a review without a request gets 400",
      send: (app) =>
        request(app)
          .post("/mutate")
          .set("Content-Type", "application/json")
          .send(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" })),
      status: 400,
      message: /request is missing/,
    },
    {
      name: "a CREATE review without an object gets 400",
      send: (app) => {
        const review = JSON.parse(valid());
        review.request.object = null;
        return request(app).post("/validate").set("Content-Type", "application/json").send(JSON.stringify(review));
      },
      status: 400,
      message: /request\.object is null; a CREATE review carries the object/,
    },
    {
      name: "an unknown operation gets 400",
      send: (app) => request(app).post("/validate").set("Content-Type", "application/json").send(valid().replace('"CREATE"', '"PATCH"')),
      status: 400,
      message: /request\.operation is "PATCH"/,
    },
    {
      name: "a uid far longer than the API server's UUIDs gets 400",
      send: (app) =>
        request(app)
          .post("/validate")
          .set("Content-Type", "application/json")
          .send(valid().replace(/"uid":"[^"]+"/, `"uid":"${"u".repeat(129)}"`)),
      status: 400,
      message: /request\.uid is 129 characters long/,
    },
    {
      name: "a text/plain body gets 415",
      send: (app) => request(app).post("/validate").set("Content-Type", "text/plain").send(valid()),
      status: 415,
      message: /Content-Type is "text\/plain"/,
    },
    {
      name: "a body without Content-Type gets 415",
      send: (app) => request(app).post("/validate").unset("Content-Type").send(Buffer.from(valid())),
      status: 415,
      message: /Content-Type is/,
    },
    {
      name: "a non-UTF-8 charset gets 415",
      send: (app) => request(app).post("/validate").set("Content-Type", "application/json; charset=latin1").send(valid()),
      status: 415,
      message: /application\/json/,
    },
    {
      name: "a body over the limit gets 413",
      send: (app) =>
        request(app)
          .post("/validate")
          .set("Content-Type", "application/json")
          .send(JSON.stringify({ pad: "x".repeat(5000) })),
      status: 413,
      message: /larger than 4096 bytes/,
    },
    { name: "GET /validate gets 405 with Allow: POST", send: (app) => request(app).get("/validate"), status: 405, message: /GET is not allowed on \/validate/ },
    {
      name: "PUT /mutate gets 405",
      send: (app) => request(app).put("/mutate").set("Content-Type", "application/json").send(valid()),
      status: 405,
      message: /PUT is not allowed on \/mutate/,
    },
    {
      name: "an unknown path gets 404",
      send: (app) => request(app).post("/admit").set("Content-Type", "application/json").send(valid()),
      status: 404,
      message: /no endpoint at \/admit/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { app, metrics } = appWith({ bodyLimitBytes: 4096 });
      const res = await c.send(app);
      assert.equal(res.status, c.status, JSON.stringify(res.body));
      assert.equal(res.body.kind, "Status");
      assert.equal(res.body.status, "Failure");
      assert.equal(res.body.code, c.status);
      assert.match(res.body.message, c.message);
      assert.doesNotMatch(res.text, /\n\s+at /, "no stack trace");
      if (c.status === 405) assert.equal(res.headers.allow, "POST");
      const scraped = await metrics.registry.metrics();
      assert.match(scraped, new RegExp(`hostgate_http_rejected_requests_total\\{status="${c.status}"\\} 1`));
    });
  }

  it("never echoes the body's content in a JSON syntax error", async () => {
    const { app } = appWith();
    const res = await request(app).post("/validate").set("Content-Type", "application/json").send('{"secret-token-value": nope}');
    assert.equal(res.status, 400);
    assert.doesNotMatch(res.text, /secret-token-value|nope/);
  });
});

describe("logging", () => {
  it("logs one line per review with uid, kind, object, operation, verdict, policies and duration, never the body", async () => {
    const logger = recordingLogger();
    const { app } = appWith({ logger });
    const object = example("rejected/public-without-protection.yaml");
    (object.metadata as Record<string, unknown>).annotations = { note: "do-not-log-me" };
    await post("/validate", admissionReview(object, { uid: "u-log" }), app);
    const reviews = logger.entries.filter((l) => l.message === "admission review");
    assert.equal(reviews.length, 1);
    const f = reviews[0]!.fields;
    assert.equal(f.uid, "u-log");
    assert.equal(f.kind, "hostgate.dev/v1alpha1/DomainRoute");
    assert.equal(f.object, "team-a/deals");
    assert.equal(f.operation, "CREATE");
    assert.equal(f.verdict, "denied");
    assert.deepEqual(f.denied, ["public-needs-protection"]);
    assert.equal(typeof f.durationMs, "number");
    assert.doesNotMatch(JSON.stringify(reviews[0]), /do-not-log-me|alb-out/);
  });
});

describe("metrics", () => {
  it("counts reviews by endpoint, operation, kind and verdict, and violations by policy", async () => {
    const { app, metrics } = appWith();
    await post("/validate", admissionReview(example("routes/team-a-catalog.yaml")), app);
    await post("/validate", admissionReview(example("rejected/public-without-protection.yaml")), app);
    await post("/validate", admissionReview({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }), app);
    const text = await metrics.registry.metrics();
    assert.match(text, /hostgate_admission_reviews_total\{endpoint="validate",operation="CREATE",kind="DomainRoute",verdict="allowed"\} 1/);
    assert.match(text, /hostgate_admission_reviews_total\{endpoint="validate",operation="CREATE",kind="DomainRoute",verdict="denied"\} 1/);
    assert.match(
      text,
      /hostgate_admission_reviews_total\{endpoint="validate",operation="CREATE",kind="other",verdict="allowed"\} 1/,
      "unknown kinds are not label values",
    );
    assert.match(text, /hostgate_admission_policy_violations_total\{endpoint="validate",policy="public-needs-protection",action="Deny"\} 1/);
    assert.match(text, /hostgate_admission_review_duration_seconds_count\{endpoint="validate"\} 3/);
    assert.match(text, /hostgate_policy_evaluation_duration_seconds_count\{endpoint="validate"\} 2/, "the unmatched kind evaluates nothing");
  });
});
