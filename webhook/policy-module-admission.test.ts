// `kubectl apply` of a PolicyModule through the webhook (issue 16): a module
// that does not compile is refused with the same findings decide() gives
// (policies/policy-module-admission.test.ts), as the API server shows them.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import request from "supertest";
import type { LoadedEnvironment } from "../core/environment.ts";
import { RecordingLogger } from "../core/testing/recording-logger.ts";
import { decide } from "../policies/verdict.ts";
import { admissionInput } from "../policies/testing/admission-scenarios.ts";
import { asStored, DENIED_MODULES, VALID_MODULE } from "../policies/testing/policy-module-cases.ts";
import { createAdmissionApp, ENDPOINT_PHASES } from "./admission-app.ts";
import { admissionReview, exampleEnvironment } from "./testing/reviews.ts";
import type { Operation } from "../policies/engine/types.ts";

let env: LoadedEnvironment;
before(async () => {
  env = await exampleEnvironment();
});

async function validate(object: unknown, operation: Operation, oldObject?: unknown) {
  const app = createAdmissionApp({ environment: () => env.verdict, logger: new RecordingLogger() });
  const review = admissionReview(object, { operation, ...(oldObject !== undefined ? { oldObject } : {}) });
  const res = await request(app).post("/validate").set("Content-Type", "application/json").send(JSON.stringify(review));
  assert.equal(res.status, 200);
  return res.body.response as { allowed: boolean; status?: { code: number; reason: string; message: string } };
}

describe("the webhook admits a PolicyModule that compiles", () => {
  const cases: Array<{ name: string; operation: Operation; object: unknown; oldObject?: unknown }> = [
    { name: "a valid module is allowed on CREATE", operation: "CREATE", object: asStored(VALID_MODULE) },
    { name: "a valid module is allowed on UPDATE", operation: "UPDATE", object: asStored(VALID_MODULE), oldObject: asStored(VALID_MODULE) },
    { name: "a DELETE of a module that does not compile is allowed", operation: "DELETE", object: null, oldObject: asStored(DENIED_MODULES[0]!.module) },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const response = await validate(c.object, c.operation, c.oldObject);
      assert.equal(response.allowed, true, response.status?.message);
    });
  }
});

describe("the webhook denies a PolicyModule that does not compile, with the problem and its position", () => {
  for (const operation of ["CREATE", "UPDATE"] as const) {
    for (const c of DENIED_MODULES) {
      test(`${operation}: ${c.name}`, async () => {
        const object = asStored(c.module);
        const oldObject = operation === "UPDATE" ? asStored(VALID_MODULE) : undefined;
        const response = await validate(object, operation, oldObject);
        assert.equal(response.allowed, false);
        assert.equal(response.status!.reason, c.reason);
        assert.equal(response.status!.code, c.reason === "Conflict" ? 409 : 422);
        const name = (c.module.metadata as { name: string }).name;
        // The API server prints "admission webhook ... denied the request: " and then this.
        const [header, ...lines] = response.status!.message.split("\n");
        assert.equal(header, `PolicyModule ${name} violates 1 policy:`);
        // The same finding decide() gives, on one line.
        const verdict = decide(admissionInput(operation, object, oldObject ?? null, null), env.verdict, ENDPOINT_PHASES.validate);
        assert.deepEqual(lines, [`- policy-module-compiles: ${verdict.denials[0]!.message.replace(/\s*\n\s*/g, " ")}`]);
        for (const pattern of c.says) assert.match(lines[0]!, new RegExp(pattern.source.replace(/\$$/, "").replace(/^\^/, "")));
        assert.doesNotMatch(response.status!.message, /\n\s+at /, "no stack trace");
      });
    }
  }
});
