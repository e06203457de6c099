// The in-memory API server's person-facing side: requests made as someone
// (as, can), the injected authorizer and admission chain, and dry runs.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeKubeApi } from "./fake-kube-api.ts";
import { cannotImpersonateError, forbiddenError, invalidError, webhookDenial } from "./fake-admission.ts";
import type { AdmissionRequest, Admit, Authorize } from "./fake-admission.ts";
import type { ResourceRef } from "../resource.ts";
import type { KubeObject } from "../object-key.ts";
import type { WatchEvent } from "../list-watch-client.ts";
import type { KubeApiError } from "../api-error.ts";

const ROUTES: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true };
const TEAM_A_ROUTES: ResourceRef = { ...ROUTES, namespace: "team-a" };
const CLAIMS: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainclaims", kind: "DomainClaim", namespaced: false };
const JANE = { user: "jane", groups: ["team-a"] };

const route = (name: string, domain = `${name}.example.com`): KubeObject => ({
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name, namespace: "team-a" },
  spec: { domain },
});

/** Jane may do everything in team-a and nothing elsewhere. */
const teamAOnly: Authorize = (who, verb, resource, namespace, name) =>
  namespace === "team-a" ? undefined : forbiddenError(who, verb, resource, namespace, name);

/** An admission chain that admits everything and records each request in `seen`. */
function recordInto(seen: AdmissionRequest[]): Admit {
  return (request) => {
    seen.push(request);
    return { allowed: true };
  };
}

function watchEvents(api: FakeKubeApi): WatchEvent[] {
  const events: WatchEvent[] = [];
  api.watch(
    ROUTES,
    { resourceVersion: api.server.resourceVersion, allowWatchBookmarks: false, timeoutSeconds: 60 },
    { onEvent: (e) => events.push(e), onEnd: () => {} },
  );
  return events;
}

describe("requests made as a person", () => {
  test("a refused create is the API server's 403, worded as it words it, and stores nothing", async () => {
    const api = new FakeKubeApi({ authorize: teamAOnly });
    await assert.rejects(api.as(JANE).create(ROUTES, { ...route("shop"), metadata: { name: "shop", namespace: "team-b" } }), (error: KubeApiError) => {
      assert.equal(error.status, 403);
      assert.equal(error.reason, "Forbidden");
      assert.equal(
        error.statusMessage,
        'domainroutes.hostgate.dev is forbidden: User "jane" cannot create resource "domainroutes" in API group "hostgate.dev" in the namespace "team-b"',
      );
      return true;
    });
    assert.deepEqual(api.objects(ROUTES), []);
  });

  test("a refused read names the object, a cluster-scoped one the cluster scope, a status update the status subresource", async () => {
    const nobody: Authorize = (who, verb, resource, namespace, name) => forbiddenError(who, verb, resource, namespace, name);
    const api = new FakeKubeApi({ authorize: nobody });
    const stored = await api.create(ROUTES, route("shop"));
    const as = api.as(JANE);
    await assert.rejects(as.get(ROUTES, { namespace: "team-a", name: "shop" }), {
      message:
        /domainroutes\.hostgate\.dev "shop" is forbidden: User "jane" cannot get resource "domainroutes" in API group "hostgate\.dev" in the namespace "team-a"$/,
    });
    await assert.rejects(as.list(CLAIMS, { limit: 10, signal: new AbortController().signal }), {
      message: /domainclaims\.hostgate\.dev is forbidden: User "jane" cannot list resource "domainclaims" in API group "hostgate\.dev" at the cluster scope$/,
    });
    await assert.rejects(as.updateStatus(ROUTES, stored), { message: /cannot update resource "domainroutes\/status"/ });
  });

  test("a refused watch ends through onEnd with the 403, never by a throw", async () => {
    const api = new FakeKubeApi({ authorize: teamAOnly });
    const ended = await new Promise<KubeApiError | undefined>((resolve) => {
      api.as(JANE).watch(
        { ...ROUTES, namespace: "team-b" },
        { resourceVersion: "1", allowWatchBookmarks: false, timeoutSeconds: 60 },
        {
          onEvent: () => assert.fail("no event expected"),
          onEnd: resolve,
        },
      );
    });
    assert.equal(ended?.status, 403);
    assert.match(ended!.message, /cannot watch resource "domainroutes"/);
  });

  test("can() answers what the authorizer answers; without an authorizer everyone may", async () => {
    const api = new FakeKubeApi({ authorize: teamAOnly });
    assert.equal(await api.can(JANE, { verb: "list", group: "hostgate.dev", resource: "domainroutes", namespace: "team-a" }), true);
    assert.equal(await api.can(JANE, { verb: "list", group: "hostgate.dev", resource: "domainroutes", namespace: "team-b" }), false);
    assert.equal(await new FakeKubeApi().can(JANE, { verb: "delete", group: "", resource: "services", namespace: "x" }), true);
  });

  test("refused impersonation fails every request as the person before RBAC is asked, can() too, and never the fake's own", async () => {
    let asked = 0;
    const api = new FakeKubeApi({
      impersonate: (who) => cannotImpersonateError("system:serviceaccount:hostgate-system:hostgate-portal", who),
      authorize: () => {
        asked++;
        return undefined;
      },
    });
    const message =
      'users "jane" is forbidden: User "system:serviceaccount:hostgate-system:hostgate-portal" cannot impersonate resource "users" in API group "" at the cluster scope';
    await assert.rejects(api.as(JANE).create(ROUTES, route("shop")), { status: 403, statusMessage: message });
    await assert.rejects(api.can(JANE, { verb: "list", group: "hostgate.dev", resource: "domainroutes", namespace: "team-a" }), { status: 403 });
    assert.equal(asked, 0);
    await api.create(ROUTES, route("shop"));
  });

  test("requests on the fake itself are not authorized (a cluster admin), requests as someone are admitted with their identity", async () => {
    const seen: AdmissionRequest[] = [];
    const api = new FakeKubeApi({
      authorize: () => forbiddenError(JANE, "create", { group: "", resource: "x" }, undefined),
      admit: recordInto(seen),
    });
    await api.create(ROUTES, route("shop"));
    assert.equal(seen[0]?.identity, undefined);
    const api2 = new FakeKubeApi({ admit: recordInto(seen) });
    await api2.as(JANE).create(ROUTES, route("web"));
    assert.deepEqual(seen[1]?.identity, JANE);
    assert.equal(seen[1]?.operation, "CREATE");
    assert.equal(seen[1]?.object?.metadata?.namespace, "team-a");
  });
});

describe("the admission chain", () => {
  test("the admitted object is what is stored, and each warning reaches onWarning in order", async () => {
    const api = new FakeKubeApi({
      admit: (r) => ({ allowed: true, object: { ...r.object!, spec: { ...(r.object!.spec as object), lb: "alb-in" } }, warnings: ["first", "second"] }),
    });
    const warnings: string[] = [];
    const created = await api.as(JANE).create(ROUTES, route("shop"), { onWarning: (w) => warnings.push(w) });
    assert.deepEqual(created.spec, { domain: "shop.example.com", lb: "alb-in" });
    assert.deepEqual(api.objects(ROUTES)[0]?.spec, { domain: "shop.example.com", lb: "alb-in" });
    assert.deepEqual(warnings, ["first", "second"]);
  });

  test("a refusal is thrown after its warnings are sent, and nothing is stored", async () => {
    const denial = webhookDenial("validate.hostgate.dev", ROUTES, "shop", {
      code: 403,
      reason: "Forbidden",
      message: "DomainRoute team-a/shop violates 1 policy:\n- hostname-granted: spec.domain names x",
      causes: [{ field: "spec.domain", reason: "FieldValueForbidden", message: "hostname-granted: spec.domain names x" }],
    });
    const api = new FakeKubeApi({ admit: () => ({ allowed: false, error: denial, warnings: ["careful"] }) });
    const warnings: string[] = [];
    await assert.rejects(api.create(ROUTES, route("shop"), { onWarning: (w) => warnings.push(w) }), (error: KubeApiError) => {
      assert.equal(error.status, 403);
      assert.equal(
        error.statusMessage,
        'domainroutes.hostgate.dev "shop" is forbidden: admission webhook "validate.hostgate.dev" denied the request: DomainRoute team-a/shop violates 1 policy:\n- hostname-granted: spec.domain names x',
      );
      assert.deepEqual(error.causes, [{ field: "spec.domain", reason: "FieldValueForbidden", message: "hostname-granted: spec.domain names x" }]);
      return true;
    });
    assert.deepEqual(warnings, ["careful"]);
    assert.deepEqual(api.objects(ROUTES), []);
  });

  test("the schema step's 422 lists one failure as is and several in brackets, each a cause", () => {
    const one = invalidError(ROUTES, "x", [{ field: "spec.lb", reason: "FieldValueRequired", detail: "Required value" }]);
    assert.equal(one.statusMessage, 'DomainRoute.hostgate.dev "x" is invalid: spec.lb: Required value');
    const two = invalidError(ROUTES, "x", [
      { field: "spec.domain", reason: "FieldValueInvalid", detail: 'Invalid value: "Foo": bad' },
      { field: "spec.lb", reason: "FieldValueRequired", detail: "Required value" },
    ]);
    assert.equal(two.status, 422);
    assert.equal(two.reason, "Invalid");
    assert.equal(two.statusMessage, 'DomainRoute.hostgate.dev "x" is invalid: [spec.domain: Invalid value: "Foo": bad, spec.lb: Required value]');
    assert.deepEqual(two.causes[1], { reason: "FieldValueRequired", message: "Required value", field: "spec.lb" });
  });

  test("a webhook denial without a code is 403 Forbidden, and a 500 is an internal error", () => {
    const bare = webhookDenial("validate.hostgate.dev", ROUTES, undefined, {});
    assert.equal(bare.status, 403);
    assert.equal(bare.reason, "Forbidden");
    assert.equal(
      bare.statusMessage,
      'domainroutes.hostgate.dev "Unknown" is forbidden: admission webhook "validate.hostgate.dev" denied the request without explanation',
    );
    const internal = webhookDenial("validate.hostgate.dev", ROUTES, "shop", { code: 500, message: "boom" });
    assert.equal(internal.reason, "InternalError");
    assert.equal(internal.statusMessage, 'Internal error occurred: admission webhook "validate.hostgate.dev" denied the request: boom');
    assert.deepEqual(internal.causes, [{ message: 'admission webhook "validate.hostgate.dev" denied the request: boom' }]);
  });

  test("an update is admitted with the stored object as oldObject, a delete with no object", async () => {
    const seen: AdmissionRequest[] = [];
    const api = new FakeKubeApi({ admit: recordInto(seen) });
    const stored = await api.create(ROUTES, route("shop"));
    await api.update(ROUTES, { ...stored, spec: { domain: "b.example.com" } });
    await api.delete(ROUTES, { namespace: "team-a", name: "shop" });
    assert.deepEqual(
      seen.map((r) => [
        r.operation,
        (r.object?.spec as { domain?: string } | undefined)?.domain,
        (r.oldObject?.spec as { domain?: string } | undefined)?.domain,
      ]),
      [
        ["CREATE", "shop.example.com", undefined],
        ["UPDATE", "b.example.com", "shop.example.com"],
        ["DELETE", undefined, "b.example.com"],
      ],
    );
  });
});

describe("dry runs", () => {
  test("a dry-run create answers with a uid and no resourceVersion, and stores, records and tells no watch nothing", async () => {
    const seen: AdmissionRequest[] = [];
    const api = new FakeKubeApi({ admit: recordInto(seen) });
    const events = watchEvents(api);
    const answer = await api.as(JANE).create(TEAM_A_ROUTES, route("shop"), { dryRun: true, fieldManager: "hostgate-portal" });
    assert.equal(answer.metadata?.uid, "dry-run-uid-1");
    assert.equal(answer.metadata?.resourceVersion, undefined);
    assert.equal(answer.metadata?.generation, 1);
    assert.equal((answer.metadata!.managedFields as { manager: string }[])[0]?.manager, "hostgate-portal");
    assert.equal(seen[0]?.dryRun, true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, []);
    assert.deepEqual(api.objects(ROUTES), []);
    assert.deepEqual(api.writes, []);
    // The real sequence is untouched: the first stored object is still uid-1.
    assert.equal((await api.create(ROUTES, route("shop"))).metadata?.uid, "uid-1");
  });

  test("a dry-run create of a taken name is still 409 AlreadyExists", async () => {
    const api = new FakeKubeApi();
    await api.create(ROUTES, route("shop"));
    await assert.rejects(api.create(ROUTES, route("shop"), { dryRun: true }), { status: 409, reason: "AlreadyExists" });
  });

  test("a dry-run update answers at the stored resourceVersion with the next generation, checks the precondition, and changes nothing", async () => {
    const api = new FakeKubeApi();
    const stored = await api.create(ROUTES, route("shop"));
    const events = watchEvents(api);
    const answer = await api.update(ROUTES, { ...stored, spec: { domain: "b.example.com" } }, { dryRun: true });
    assert.equal(answer.metadata?.resourceVersion, stored.metadata?.resourceVersion);
    assert.equal(answer.metadata?.generation, 2);
    assert.deepEqual(answer.spec, { domain: "b.example.com" });
    await assert.rejects(api.update(ROUTES, { ...stored, metadata: { ...stored.metadata, resourceVersion: "1" } }, { dryRun: true }), {
      status: 409,
      reason: "Conflict",
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, []);
    assert.deepEqual(api.objects(ROUTES), [stored]);
  });

  test("a dry-run delete checks its preconditions and deletes nothing", async () => {
    const api = new FakeKubeApi();
    const stored = await api.create(ROUTES, route("shop"));
    api.takeWrites();
    const key = { namespace: "team-a", name: "shop" };
    await assert.rejects(api.delete(ROUTES, key, { uid: "other" }, { dryRun: true }), { status: 409 });
    assert.equal(await api.delete(ROUTES, key, { uid: stored.metadata?.uid as string }, { dryRun: true }), true);
    assert.deepEqual(api.objects(ROUTES), [stored]);
    assert.deepEqual(api.writes, []);
  });
});
