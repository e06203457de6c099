import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KubeApiError } from "../core/kube/api-error.ts";
import type { StatusCause } from "../core/kube/api-error.ts";
import type { Finding, Verdict } from "../policies/verdict.ts";
import type { Refusal } from "./portal-backend.ts";
import { CANNOT_ACT_FOR_YOU, CHANGED_SINCE_OPENED, normaliseField, refusalFromError, refusalFromVerdict } from "./refusal.ts";

/** A KubeApiError as the transports build one from a metav1.Status. */
function statusError(code: number, reason: string, message: string, causes: StatusCause[] = []): KubeApiError {
  return new KubeApiError(`${code} ${reason}: ${message}`, code, reason, { causes, statusMessage: message });
}

const PREFIX = 'domainroutes.hostgate.dev "shop" is forbidden: admission webhook "validate.hostgate.dev" denied the request: ';
const OLD_PREFIX = 'admission webhook "validate.hostgate.dev" denied the request: ';
/** hostgate's own denial text (policies/denial-message.ts). */
const HOSTGATE_DENIAL = [
  "DomainRoute team-a/shop violates 3 policies:",
  "- hostname-granted: spec.domain shop.example.com is granted to no namespace team-a may use; ask for a HostnameGrant",
  "- public-needs-protection: a public route (spec.lb alb-out) needs spec.protection, or a grant allowing it",
  "- quota: team-a holds 50 routes already",
  "- … and 2 more violations (`hostgate check` lists them all)",
].join("\n");
const IMPERSONATION_403 =
  'users "jane" is forbidden: User "system:serviceaccount:hostgate-system:hostgate-portal" cannot impersonate resource "users" in API group "" at the cluster scope';
const RBAC_403 =
  'domainroutes.hostgate.dev is forbidden: User "jane" cannot create resource "domainroutes" in API group "hostgate.dev" in the namespace "team-b"';

const refused = (over: Partial<Refusal> & Pick<Refusal, "stage" | "status" | "reason">): Refusal => ({ fields: {}, general: [], ...over });

describe("refusalFromError", () => {
  type Case = { name: string; error: unknown; refusal: Refusal };
  const cases: Case[] = [
    {
      name: "a 422 Invalid puts each cause under its field, a leading dot dropped and indexes kept, and a cause on the object itself above the form",
      error: statusError(422, "Invalid", 'DomainRoute.hostgate.dev "shop" is invalid: [spec.domain: Invalid value: "Foo", spec.lb: Required value]', [
        { reason: "FieldValueInvalid", message: 'Invalid value: "Foo": spec.domain in body should match', field: "spec.domain" },
        { reason: "FieldValueRequired", message: "Required value", field: ".spec.lb" },
        { reason: "FieldValueInvalid", message: "Invalid value: 0", field: "spec.backend.external[0].port" },
        { reason: "FieldValueInvalid", message: "exactly one backend", field: "<nil>" },
      ]),
      refusal: refused({
        stage: "schema",
        status: 422,
        reason: "Invalid",
        fields: {
          "spec.backend.external[0].port": ["Invalid value: 0"],
          "spec.domain": ['Invalid value: "Foo": spec.domain in body should match'],
          "spec.lb": ["Required value"],
        },
        general: ["exactly one backend"],
      }),
    },
    {
      name: "a 422 Invalid without causes shows its message above the form",
      error: statusError(422, "Invalid", 'DomainRoute.hostgate.dev "shop" is invalid: spec: Required value'),
      refusal: refused({ stage: "schema", status: 422, reason: "Invalid", general: ['DomainRoute.hostgate.dev "shop" is invalid: spec: Required value'] }),
    },
    {
      name: "a webhook denial with causes is a policy refusal with the causes' fields, whatever its code",
      error: statusError(409, "Conflict", `${PREFIX}DomainRoute team-a/shop violates 1 policy:\n- domain-unique: shop.example.com is claimed by team-b/shop`, [
        { reason: "FieldValueDuplicate", field: "spec.domain", message: "domain-unique: shop.example.com is claimed by team-b/shop" },
      ]),
      refusal: refused({
        stage: "policy",
        status: 409,
        reason: "Conflict",
        fields: { "spec.domain": ["domain-unique: shop.example.com is claimed by team-b/shop"] },
      }),
    },
    {
      name: "a webhook denial without causes (current prefix) is read from hostgate's message: each violation under the first path it names",
      error: statusError(403, "Forbidden", `${PREFIX}${HOSTGATE_DENIAL}`),
      refusal: refused({
        stage: "policy",
        status: 403,
        reason: "Forbidden",
        fields: {
          "spec.domain": ["hostname-granted: spec.domain shop.example.com is granted to no namespace team-a may use; ask for a HostnameGrant"],
          "spec.lb": ["public-needs-protection: a public route (spec.lb alb-out) needs spec.protection, or a grant allowing it"],
        },
        general: ["quota: team-a holds 50 routes already", "… and 2 more violations (`hostgate check` lists them all)"],
      }),
    },
    {
      name: "a webhook denial without causes in the older format (no resource prefix) is read the same way",
      error: statusError(
        422,
        "Invalid",
        `${OLD_PREFIX}DomainRoute team-a/shop violates 1 policy:\n- backend-union: spec.backend needs exactly one of service, external`,
      ),
      refusal: refused({
        stage: "policy",
        status: 422,
        reason: "Invalid",
        fields: { "spec.backend": ["backend-union: spec.backend needs exactly one of service, external"] },
      }),
    },
    {
      name: "another webhook's denial in its own words stays whole, above the form",
      error: statusError(403, "Forbidden", `${PREFIX}no routes on Fridays`),
      refusal: refused({ stage: "policy", status: 403, reason: "Forbidden", general: ["no routes on Fridays"] }),
    },
    {
      name: "a webhook denial without explanation shows the API server's message",
      error: statusError(
        403,
        "Forbidden",
        'domainroutes.hostgate.dev "shop" is forbidden: admission webhook "x.example.com" denied the request without explanation',
      ),
      refusal: refused({
        stage: "policy",
        status: 403,
        reason: "Forbidden",
        general: ['domainroutes.hostgate.dev "shop" is forbidden: admission webhook "x.example.com" denied the request without explanation'],
      }),
    },
    {
      name: "a 403 from RBAC is a permission refusal with the API server's words",
      error: statusError(403, "Forbidden", RBAC_403),
      refusal: refused({ stage: "permission", status: 403, reason: "Forbidden", general: [RBAC_403] }),
    },
    {
      name: "a 403 refusing the page's impersonation is unavailable, in neutral words that never name the page's ServiceAccount",
      error: statusError(403, "Forbidden", IMPERSONATION_403),
      refusal: refused({ stage: "unavailable", status: 403, reason: "Forbidden", general: [CANNOT_ACT_FOR_YOU] }),
    },
    {
      name: "a 409 AlreadyExists is a conflict on metadata.name, naming the name",
      error: statusError(409, "AlreadyExists", 'domainroutes.hostgate.dev "shop" already exists'),
      refusal: refused({
        stage: "conflict",
        status: 409,
        reason: "AlreadyExists",
        fields: { "metadata.name": ['a DomainRoute named "shop" already exists in this namespace; choose another name'] },
      }),
    },
    {
      name: "a 409 Conflict (the resourceVersion moved) asks to reload",
      error: statusError(
        409,
        "Conflict",
        'Operation cannot be fulfilled on domainroutes.hostgate.dev "shop": the object has been modified; please apply your changes to the latest version and try again',
      ),
      refusal: refused({ stage: "conflict", status: 409, reason: "Conflict", general: [CHANGED_SINCE_OPENED] }),
    },
    {
      name: "a 400 strict decoding error names the unknown field as a version skew",
      error: statusError(
        400,
        "BadRequest",
        'DomainRoute in version "v1alpha1" cannot be handled as a DomainRoute: strict decoding error: unknown field "spec.x", unknown field "spec.y"',
      ),
      refusal: refused({
        stage: "other",
        status: 400,
        reason: "BadRequest",
        general: [
          'the cluster\'s DomainRoute does not know the fields "spec.x", "spec.y" the page sent: the page and the installed CRD are different versions; tell the platform team',
        ],
      }),
    },
    {
      name: "a 400 from server-side apply's schema names the field without its leading dot",
      error: statusError(
        400,
        "BadRequest",
        "failed to create typed patch object (team-a/shop; hostgate.dev/v1alpha1, Kind=DomainRoute): .spec.x: field not declared in schema",
      ),
      refusal: refused({
        stage: "other",
        status: 400,
        reason: "BadRequest",
        general: [
          'the cluster\'s DomainRoute does not know the field "spec.x" the page sent: the page and the installed CRD are different versions; tell the platform team',
        ],
      }),
    },
    {
      name: "another 400 (a webhook without dry-run support) keeps its message",
      error: statusError(400, "BadRequest", 'admission webhook "x.example.com" does not support dry run'),
      refusal: refused({ stage: "other", status: 400, reason: "BadRequest", general: ['admission webhook "x.example.com" does not support dry run'] }),
    },
    {
      name: "no answer (status 0) is unavailable",
      error: new KubeApiError("connect ECONNREFUSED 10.0.0.1:443", 0, "NetworkError"),
      refusal: refused({ stage: "unavailable", status: 0, reason: "NetworkError", general: ["the cluster did not answer; try again in a moment"] }),
    },
    {
      name: "an error that is not the API server's is unavailable and says nothing of its text",
      error: new Error("socket hang up at 10.0.0.1"),
      refusal: refused({ stage: "unavailable", status: 0, reason: "NetworkError", general: ["the cluster did not answer; try again in a moment"] }),
    },
    {
      name: "a 500 from a webhook that could not judge is unavailable with the webhook's own words",
      error: statusError(
        500,
        "InternalError",
        `Internal error occurred: ${OLD_PREFIX}the webhook could not evaluate this request (boom); it is denied because hostgate fails closed`,
      ),
      refusal: refused({
        stage: "unavailable",
        status: 500,
        reason: "InternalError",
        general: ["the webhook could not evaluate this request (boom); it is denied because hostgate fails closed"],
      }),
    },
    {
      name: "a 503 is unavailable with the API server's message",
      error: statusError(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
      refusal: refused({ stage: "unavailable", status: 503, reason: "ServiceUnavailable", general: ["the server is currently unable to handle the request"] }),
    },
    {
      name: "a 401 (the page's own credentials) is unavailable",
      error: statusError(401, "Unauthorized", "Unauthorized"),
      refusal: refused({
        stage: "unavailable",
        status: 401,
        reason: "Unauthorized",
        general: ["the cluster refused the page's own credentials; tell the platform team"],
      }),
    },
    {
      name: "a 429 is unavailable: try again",
      error: statusError(429, "TooManyRequests", "the server has received too many requests"),
      refusal: refused({ stage: "unavailable", status: 429, reason: "TooManyRequests", general: ["the cluster is busy; try again in a moment"] }),
    },
    {
      name: "a 404 is another refusal with its message",
      error: statusError(404, "NotFound", 'namespaces "team-z" not found'),
      refusal: refused({ stage: "other", status: 404, reason: "NotFound", general: ['namespaces "team-z" not found'] }),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(refusalFromError(c.error), c.refusal);
    });
  }

  it("lists fields in path order, whatever order the causes came in", () => {
    const error = statusError(422, "Invalid", "x", [
      { field: "spec.lb", message: "b" },
      { field: "metadata.name", message: "a" },
    ]);
    assert.deepEqual(Object.keys(refusalFromError(error).fields), ["metadata.name", "spec.lb"]);
  });
});

describe("refusalFromVerdict", () => {
  const verdict = (denials: Finding[]): Verdict => ({
    allowed: denials.length === 0,
    denials,
    warnings: [],
    audits: [],
    patch: [],
    object: null,
    applied: { policies: [], schema: true },
  });
  const schemaLb: Finding = { policy: "crd-schema", message: "spec.lb: Required value", field: "spec.lb", reason: "FieldValueRequired" };
  const granted: Finding = { policy: "hostname-granted", message: "spec.domain is granted to no namespace", field: "spec.domain", reason: "Forbidden" };
  const quota: Finding = { policy: "quota", message: "team-a holds 50 routes", reason: "Invalid" };

  type Case = { name: string; denials: Finding[]; refusal: Refusal | undefined };
  const cases: Case[] = [
    { name: "an admitted verdict is no refusal", denials: [], refusal: undefined },
    {
      name: "policy findings are a policy refusal, each under its field as the webhook's causes read (policy: message)",
      denials: [granted, quota],
      refusal: refused({
        stage: "policy",
        status: 403,
        reason: "Forbidden",
        fields: { "spec.domain": ["hostname-granted: spec.domain is granted to no namespace"] },
        general: ["quota: team-a holds 50 routes"],
      }),
    },
    {
      name: "any schema finding makes it a schema refusal, the schema's message without the field it stands next to, policies' too",
      denials: [schemaLb, granted],
      refusal: refused({
        stage: "schema",
        status: 422,
        reason: "Invalid",
        fields: { "spec.domain": ["hostname-granted: spec.domain is granted to no namespace"], "spec.lb": ["Required value"] },
      }),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(refusalFromVerdict(verdict(c.denials)), c.refusal);
    });
  }
});

describe("normaliseField", () => {
  const cases: { name: string; field: string | undefined; expected: string | undefined }[] = [
    { name: "keeps a dotted path", field: "spec.domain", expected: "spec.domain" },
    { name: "drops a CEL fieldPath's leading dot", field: ".spec.backend", expected: "spec.backend" },
    { name: "keeps list indexes", field: "spec.backend.external[0]", expected: "spec.backend.external[0]" },
    { name: "trims spaces", field: "  spec.lb ", expected: "spec.lb" },
    { name: "reads the object itself (<nil>) as no field", field: "<nil>", expected: undefined },
    { name: "reads an empty field as no field", field: "", expected: undefined },
    { name: "reads a missing field as no field", field: undefined, expected: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(normaliseField(c.field), c.expected);
    });
  }
});
