import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { errorFromStatus, KubeApiError, withContext } from "./api-error.ts";
import type { StatusCause } from "./api-error.ts";

describe("errorFromStatus reads a metav1.Status", () => {
  const invalid = {
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    code: 422,
    reason: "Invalid",
    message: 'DomainRoute.hostgate.dev "x" is invalid: [spec.domain: Invalid value: "Foo": must be lower case, spec.lb: Required value]',
    details: {
      name: "x",
      group: "hostgate.dev",
      kind: "DomainRoute",
      causes: [
        { reason: "FieldValueInvalid", message: 'Invalid value: "Foo": must be lower case', field: "spec.domain" },
        { reason: "FieldValueRequired", message: "Required value", field: "spec.lb" },
      ],
    },
  };
  const cases: { name: string; status: unknown; code: number; reason: string; causes: StatusCause[]; statusMessage: string }[] = [
    {
      name: "a 422 Invalid keeps each cause's field, reason and message, in order",
      status: invalid,
      code: 422,
      reason: "Invalid",
      causes: invalid.details.causes,
      statusMessage: invalid.message,
    },
    {
      name: "a Status without details has no causes",
      status: { kind: "Status", code: 403, reason: "Forbidden", message: 'users "jane" is forbidden: User "sa" cannot impersonate resource "users"' },
      code: 403,
      reason: "Forbidden",
      causes: [],
      statusMessage: 'users "jane" is forbidden: User "sa" cannot impersonate resource "users"',
    },
    {
      name: "junk among the causes is left out and non-string fields are dropped",
      status: { code: 400, reason: "BadRequest", message: "m", details: { causes: [null, "x", { field: 7, message: "only this" }, {}, { reason: "R" }] } },
      code: 400,
      reason: "BadRequest",
      causes: [{ message: "only this" }, { reason: "R" }],
      statusMessage: "m",
    },
    {
      name: "causes that are not a list are no causes",
      status: { code: 409, reason: "Conflict", message: "m", details: { causes: { field: "spec" } } },
      code: 409,
      reason: "Conflict",
      causes: [],
      statusMessage: "m",
    },
    {
      name: "a Status without a message gets a message saying so",
      status: { code: 500 },
      code: 500,
      reason: "Unknown",
      causes: [],
      statusMessage: "the server answered 500 Unknown without a message",
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const error = errorFromStatus(c.status);
      assert.equal(error.status, c.code);
      assert.equal(error.reason, c.reason);
      assert.deepEqual(error.causes, c.causes);
      assert.equal(error.statusMessage, c.statusMessage);
      assert.equal(error.message, `${c.code} ${c.reason}: ${c.statusMessage}`);
    });
  }
});

describe("withContext names the call in front of a failure", () => {
  test("status, reason, causes and the server's message are kept, the original error is the cause", () => {
    const original = new KubeApiError("422 Invalid: bad", 422, "Invalid", { causes: [{ field: "spec.lb" }], statusMessage: "bad" });
    const error = withContext("POST domainroutes.hostgate.dev team-a/shop", original);
    assert.equal(error.message, "POST domainroutes.hostgate.dev team-a/shop: 422 Invalid: bad");
    assert.equal(error.status, 422);
    assert.equal(error.reason, "Invalid");
    assert.deepEqual(error.causes, [{ field: "spec.lb" }]);
    assert.equal(error.statusMessage, "bad");
    assert.equal(error.cause, original);
  });
});
