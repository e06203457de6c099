// The cluster backend over the in-memory API server (RBAC, hostgate's
// admission chain in the API server's order, dry runs): what a person sees
// and may do, and every verdict in the cluster's own words.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ClusterBackend, GRANTS_TTL_MS, NAMESPACES_TTL_MS, PORTAL_FIELD_MANAGER } from "./cluster-backend.ts";
import { memoryCluster, DEFAULT_RULES } from "../testing/memory-cluster.ts";
import type { MemoryClusterOptions } from "../testing/memory-cluster.ts";
import type { RbacRule } from "../testing/fake-rbac.ts";
import { CANNOT_ACT_FOR_YOU, CHANGED_SINCE_OPENED } from "../refusal.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { WatchEvent } from "../../core/kube/list-watch-client.ts";
import { DOMAIN_ROUTES, HOSTNAME_GRANTS } from "../../core/state/sources/indexed-resources.ts";
import type { ListWatchClient } from "../../core/kube/list-watch-client.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";

const JANE = { user: "jane", groups: ["team-a"] };
/** May read DomainRoutes in team-b, nothing more. */
const VICTOR = { user: "victor", groups: ["auditors"] };
const READ_TEAM_B: RbacRule = {
  groups: ["auditors"],
  apiGroups: ["hostgate.dev"],
  resources: ["domainroutes"],
  verbs: ["get", "list", "watch"],
  namespaces: ["team-b"],
};

async function world(options: MemoryClusterOptions = {}) {
  const cluster = await memoryCluster(options);
  const backend = new ClusterBackend({ client: cluster.api, own: cluster.api, config: cluster.config, watchTimeoutSeconds: () => 300 });
  return { cluster, backend };
}

function draft(spec: Record<string, unknown>, name = "new-shop", namespace = "team-a"): KubeObject {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace }, spec };
}

const INTERNAL_SHOP = { domain: "new.shop.example.com", lb: "alb-in", backend: { service: { name: "shop-web", port: 8080 } } };

function collect(backend: ClusterBackend, who: typeof JANE, namespace: string, resourceVersion: string): { events: WatchEvent[]; stop: () => void } {
  const events: WatchEvent[] = [];
  const handle = backend.watchRoutes(who, namespace, resourceVersion, { onEvent: (e) => events.push(e), onEnd: () => {} });
  return { events, stop: () => handle.abort() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the cluster backend: what a person sees", () => {
  test("a person sees only the granted namespaces where they may list DomainRoutes, with what else they may do there", async () => {
    const { backend } = await world({ rules: [...DEFAULT_RULES, READ_TEAM_B] });
    assert.deepEqual(await backend.namespaces(JANE), [{ name: "team-a", may: { list: true, create: true, update: true, delete: true } }]);
    assert.deepEqual(await backend.namespaces(VICTOR), [{ name: "team-b", may: { list: true, create: false, update: false, delete: false } }]);
    assert.deepEqual(await backend.namespaces({ user: "nobody", groups: [] }), []);
  });

  test("a person's namespaces are asked once a minute: within it the answer is reused, a failed answer is not", async () => {
    const cluster = await memoryCluster();
    let now = 0;
    let reviews = 0;
    let failing = false;
    const client = {
      as: (who: typeof JANE) => cluster.api.as(who),
      describe: () => cluster.api.describe(),
      can: async (who: typeof JANE, question: Parameters<typeof cluster.api.can>[1]) => {
        reviews++;
        if (failing) throw new Error("the API server did not answer");
        return cluster.api.can(who, question);
      },
    };
    const backend = new ClusterBackend({ client, own: cluster.api, config: cluster.config, now: () => now });
    await backend.namespaces(JANE);
    // One list review per granted namespace (4), the three write verbs where jane may list (team-a).
    assert.equal(reviews, 7);
    now += NAMESPACES_TTL_MS - 1;
    await backend.namespaces({ user: "jane", groups: ["team-a"] });
    assert.equal(reviews, 7);
    now += 1;
    failing = true;
    await assert.rejects(backend.namespaces(JANE));
    failing = false;
    const before = reviews;
    assert.deepEqual(
      (await backend.namespaces(JANE)).map((n) => n.name),
      ["team-a"],
    );
    assert.equal(reviews, before + 7);
  });

  test("the choices are the namespace's granted hostnames, its Services listed as the person, and the platform's providers", async () => {
    const { backend } = await world();
    assert.deepEqual(await backend.choices(JANE, "team-a"), {
      hostnames: ["*.shop.example.com", "shop.example.com"],
      services: [
        {
          name: "shop-admin",
          ports: [
            { port: 8080, name: "http", protocol: "TCP" },
            { port: 9090, name: "metrics", protocol: "TCP" },
          ],
        },
        { name: "shop-web", ports: [{ port: 8080, name: "http", protocol: "TCP" }] },
      ],
      providers: ["sso"],
    });
  });

  test("Services the person may not list are a note naming the API server's refusal, not an error", async () => {
    const { backend } = await world({ rules: [READ_TEAM_B] });
    const choices = await backend.choices(VICTOR, "team-b");
    assert.deepEqual(choices.hostnames, ["*.team-b.example.com"]);
    assert.deepEqual(choices.services, {
      forbidden: 'services is forbidden: User "victor" cannot list resource "services" in API group "" in the namespace "team-b"',
    });
  });

  test("choices are refused (403) for a namespace the person is not offered: another team's granted hostnames are not shown", async () => {
    const { backend } = await world({ rules: [...DEFAULT_RULES, READ_TEAM_B] });
    const cases = [
      { who: { user: "mallory", groups: [] }, namespace: "team-a" },
      { who: JANE, namespace: "team-b" },
      { who: VICTOR, namespace: "team-a" },
      { who: JANE, namespace: "not-granted" },
    ];
    for (const { who, namespace } of cases) {
      await assert.rejects(backend.choices(who, namespace), (error: KubeApiError) => {
        assert.ok(error instanceof KubeApiError, `${who.user} in ${namespace}`);
        assert.equal(error.status, 403);
        assert.equal(error.reason, "Forbidden");
        assert.match(error.statusMessage, new RegExp(`user "${who.user}" is not offered namespace "${namespace}"`));
        return true;
      });
    }
    assert.deepEqual((await backend.choices(VICTOR, "team-b")).hostnames, ["*.team-b.example.com"]);
  });

  test("every HostnameGrant is listed as the portal at most once per GRANTS_TTL_MS, however many people ask, at once or one after another", async () => {
    const cluster = await memoryCluster({ rules: [...DEFAULT_RULES, READ_TEAM_B] });
    let now = 0;
    const lists: string[] = [];
    const own: ListWatchClient = {
      list: (resource, request) => {
        lists.push(resource.resource);
        return cluster.api.list(resource, request);
      },
      watch: (resource, request, callbacks) => cluster.api.watch(resource, request, callbacks),
      describe: () => cluster.api.describe(),
    };
    const backend = new ClusterBackend({ client: cluster.api, own, config: cluster.config, now: () => now });
    const people = Array.from({ length: 30 }, (_, i) => ({ user: `dev-${i}`, groups: ["team-a"] }));
    await Promise.all(people.map((who) => backend.choices(who, "team-a")));
    await Promise.all(people.map((who) => backend.choices(who, "team-a")));
    assert.deepEqual(lists, [HOSTNAME_GRANTS.resource]);
    now += GRANTS_TTL_MS - 1;
    await backend.choices(VICTOR, "team-b");
    assert.equal(lists.length, 1);
    now += 1;
    await backend.choices(JANE, "team-a");
    assert.deepEqual(lists, [HOSTNAME_GRANTS.resource, HOSTNAME_GRANTS.resource]);
  });

  test("routes are listed as the person, stamped with apiVersion and kind; another team's are a 403", async () => {
    const { backend } = await world();
    const page = await backend.routes(JANE, "team-a");
    assert.deepEqual(
      page.items.map((r) => [r.apiVersion, r.kind, r.metadata?.name]),
      [
        ["hostgate.dev/v1alpha1", "DomainRoute", "shop-admin"],
        ["hostgate.dev/v1alpha1", "DomainRoute", "shop-web"],
      ],
    );
    await assert.rejects(backend.routes(JANE, "marketing"), {
      status: 403,
      message: /cannot list resource "domainroutes" in API group "hostgate\.dev" in the namespace "marketing"/,
    });
    assert.equal((await backend.route(JANE, "team-a", "shop-web"))?.spec && true, true);
  });
});

describe("the cluster backend: dry runs are the API server's verdicts", () => {
  test("a domain not granted to the namespace is refused by hostname-granted, its message at spec.domain", async () => {
    const { backend } = await world();
    const outcome = await backend.write(JANE, "create", draft({ ...INTERNAL_SHOP, domain: "new.team-b.example.com" }), { dryRun: true });
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.refusal.stage, "policy");
    assert.equal(outcome.refusal.status, 403);
    assert.deepEqual(Object.keys(outcome.refusal.fields), ["spec.domain"]);
    assert.match(
      outcome.refusal.fields["spec.domain"]![0]!,
      /^hostname-granted: spec\.domain names new\.team-b\.example\.com, which is not granted to namespace team-a/,
    );
  });

  test("a schema refusal names each field the API server's causes name, before any policy runs", async () => {
    const { backend } = await world();
    const outcome = await backend.write(JANE, "create", draft({ domain: "new.team-b.example.com", backend: { service: { name: "shop-web", port: 70000 } } }), {
      dryRun: true,
    });
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.refusal.stage, "schema");
    assert.equal(outcome.refusal.status, 422);
    assert.deepEqual(outcome.refusal.fields["spec.lb"], ["Required value"]);
    assert.match(outcome.refusal.fields["spec.backend.service.port"]![0]!, /should be less than or equal to 65535/);
    // The ungranted domain is not reported yet: the API server stopped at the schema.
    assert.equal(outcome.refusal.fields["spec.domain"], undefined);
  });

  test("a public route without protection is refused by public-needs-protection at spec.protection", async () => {
    const { backend } = await world();
    const outcome = await backend.write(JANE, "create", draft({ ...INTERNAL_SHOP, lb: "alb-out" }), { dryRun: true });
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.refusal.stage, "policy");
    assert.match(outcome.refusal.fields["spec.protection"]![0]!, /^public-needs-protection: new\.shop\.example\.com is published on alb-out/);
  });

  test("an allowed dry run answers the defaulted object and the warnings, and stores nothing (no watch event)", async () => {
    const { cluster, backend } = await world();
    const before = await backend.routes(JANE, "team-a");
    const watch = collect(backend, JANE, "team-a", before.resourceVersion);
    const outcome = await backend.write(JANE, "create", draft(INTERNAL_SHOP), { dryRun: true });
    assert.equal(outcome.ok, true);
    if (!outcome.ok) return;
    assert.deepEqual((outcome.object.spec as { routing?: unknown }).routing, { mode: "Managed" });
    assert.equal(outcome.object.metadata?.resourceVersion, undefined);
    assert.equal((outcome.object.metadata!.managedFields as { manager: string }[])[0]?.manager, PORTAL_FIELD_MANAGER);
    assert.equal(outcome.warnings.length, 1);
    assert.match(outcome.warnings[0]!, /new\.shop\.example\.com is not covered by the \*\.example\.com certificate/);
    await settle();
    watch.stop();
    assert.deepEqual(watch.events, []);
    assert.equal(await cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "new-shop" }), undefined);
  });

  test("an unknown field is refused by strict field validation, naming the field", async () => {
    const { backend } = await world();
    const outcome = await backend.write(JANE, "create", draft({ ...INTERNAL_SHOP, colour: "blue" }), { dryRun: true });
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.refusal.status, 400);
    assert.match(outcome.refusal.general.join(" "), /spec\.colour/);
  });
});

describe("the cluster backend: writes", () => {
  test("a real create is stored with the portal's field manager, and a watch from the list sees it", async () => {
    const { backend } = await world();
    const before = await backend.routes(JANE, "team-a");
    const watch = collect(backend, JANE, "team-a", before.resourceVersion);
    const outcome = await backend.write(JANE, "create", draft(INTERNAL_SHOP), { dryRun: false });
    assert.equal(outcome.ok, true);
    await settle();
    watch.stop();
    assert.deepEqual(
      watch.events.map((e) => [e.type, (e.object as KubeObject).metadata?.name]),
      [["ADDED", "new-shop"]],
    );
  });

  test("the status driver's conditions reach the watch: pending, then live", async () => {
    const { cluster, backend } = await world();
    const created = await backend.write(JANE, "create", draft(INTERNAL_SHOP), { dryRun: false });
    assert.equal(created.ok, true);
    const watch = collect(backend, JANE, "team-a", String(created.ok && created.object.metadata?.resourceVersion));
    await cluster.status.pending("team-a", "new-shop");
    await cluster.status.live("team-a", "new-shop");
    await settle();
    watch.stop();
    const ready = watch.events.map((e) =>
      ((e.object as KubeObject).status as { conditions: { type: string; status: string; reason: string }[] }).conditions.find((c) => c.type === "Ready"),
    );
    assert.deepEqual(
      ready.map((c) => [c?.status, c?.reason]),
      [
        ["False", "CertificatePending"],
        ["True", "Ready"],
      ],
    );
  });

  test("an update from a stale resourceVersion is a conflict, worded as changed since opened", async () => {
    const { cluster, backend } = await world();
    const read = (await backend.route(JANE, "team-a", "shop-admin"))!;
    await cluster.status.pending("team-a", "shop-admin");
    const outcome = await backend.write(JANE, "update", { ...read, spec: { ...(read.spec as object), dns: { ttl: 120 } } }, { dryRun: false });
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.refusal.stage, "conflict");
    assert.deepEqual(outcome.refusal.general, [CHANGED_SINCE_OPENED]);
  });

  test("an update at the current resourceVersion is stored; one without a resourceVersion is refused before asking", async () => {
    const { backend } = await world();
    const read = (await backend.route(JANE, "team-a", "shop-admin"))!;
    const outcome = await backend.write(JANE, "update", { ...read, spec: { ...(read.spec as object), dns: { ttl: 120 } } }, { dryRun: false });
    assert.equal(outcome.ok, true);
    assert.equal(outcome.ok && (outcome.object.spec as { dns: { ttl: number } }).dns.ttl, 120);
    const { resourceVersion: _rv, ...metadata } = read.metadata!;
    const blind = await backend.write(JANE, "update", { ...read, metadata }, { dryRun: false });
    assert.equal(blind.ok, false);
    assert.equal(!blind.ok && blind.refusal.stage, "other");
  });

  test("a write without permission is refused as permission, with the API server's words", async () => {
    const { backend } = await world({ rules: [...DEFAULT_RULES, READ_TEAM_B] });
    const outcome = await backend.write(VICTOR, "create", draft({ ...INTERNAL_SHOP, domain: "x.team-b.example.com" }, "x", "team-b"), { dryRun: true });
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.refusal.stage, "permission");
    assert.deepEqual(outcome.refusal.general, [
      'domainroutes.hostgate.dev is forbidden: User "victor" cannot create resource "domainroutes" in API group "hostgate.dev" in the namespace "team-b"',
    ]);
  });

  test("a route that names no namespace, or is not a DomainRoute, is refused before asking", async () => {
    const { backend } = await world();
    const nameless = await backend.write(JANE, "create", { ...draft(INTERNAL_SHOP), metadata: { name: "x" } }, { dryRun: true });
    assert.equal(!nameless.ok && nameless.refusal.fields["metadata.namespace"]?.length, 1);
    const service = await backend.write(JANE, "create", { ...draft(INTERNAL_SHOP), apiVersion: "v1", kind: "Service" }, { dryRun: true });
    assert.equal(!service.ok && service.refusal.stage, "other");
  });

  test("a delete holds to its preconditions; a dry-run delete deletes nothing; a real one removes the route", async () => {
    const { backend } = await world();
    const read = (await backend.route(JANE, "team-a", "shop-admin"))!;
    const uid = read.metadata!.uid as string;
    const stale = await backend.remove(JANE, "team-a", "shop-admin", { uid: "another-incarnation" }, { dryRun: false });
    assert.equal(!stale.ok && stale.refusal.stage, "conflict");
    const dry = await backend.remove(JANE, "team-a", "shop-admin", { uid, resourceVersion: read.metadata!.resourceVersion as string }, { dryRun: true });
    assert.equal(dry.ok, true);
    assert.notEqual(await backend.route(JANE, "team-a", "shop-admin"), undefined);
    const real = await backend.remove(JANE, "team-a", "shop-admin", { uid, resourceVersion: read.metadata!.resourceVersion as string }, { dryRun: false });
    assert.deepEqual(real.ok && real.object.metadata, { namespace: "team-a", name: "shop-admin", uid });
    assert.equal(await backend.route(JANE, "team-a", "shop-admin"), undefined);
    const again = await backend.remove(JANE, "team-a", "shop-admin", {}, { dryRun: false });
    assert.equal(!again.ok && again.refusal.status, 404);
  });
});

describe("the cluster backend: the portal may not impersonate", () => {
  test("namespaces fail with the impersonation filter's 403, and a write is refused as unavailable in neutral words", async () => {
    const { backend } = await world({ portalMayImpersonate: false });
    await assert.rejects(backend.namespaces(JANE), {
      status: 403,
      message:
        /users "jane" is forbidden: User "system:serviceaccount:hostgate-system:hostgate-portal" cannot impersonate resource "users" in API group "" at the cluster scope/,
    });
    const outcome = await backend.write(JANE, "create", draft(INTERNAL_SHOP), { dryRun: true });
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.refusal.stage, "unavailable");
    assert.deepEqual(outcome.refusal.general, [CANNOT_ACT_FOR_YOU]);
  });
});
