// The page's pure modules (portal/client/route-model.js, field-paths.js), run
// in Node: the form's values become the DomainRoute sent for a dry run, and a
// refusal's field path finds the control that shows it. The page is plain
// JavaScript served as-is, so these are imported at run time, typed here by
// what the tests use.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DOMAIN_ROUTES } from "../../core/state/sources/indexed-resources.ts";
import { memoryCluster } from "../testing/memory-cluster.ts";

interface FormValues {
  namespace: string;
  name: string;
  domain: string;
  lb: "" | "alb-out" | "alb-in";
  backendKind: "service" | "external" | "none";
  serviceName: string;
  servicePort: string;
  externalIp: string;
  externalPort: string;
  externalProtocol: string;
  protect: boolean;
  provider: string;
  appId: string;
  allowPaths: string;
  authenticatePaths: string;
}
type Route = { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, any>; status?: unknown };
interface RouteModel {
  emptyValues(): FormValues;
  valuesFromRoute(route: Route): FormValues;
  routeFromValues(values: FormValues, base?: Route): Route;
}
interface StoredChange {
  rebasedEdit(base: Route, latest: Route): Route | undefined;
}
interface FieldPaths {
  parentPath(path: string): string | undefined;
  placeFor(path: string, known: (candidate: string) => boolean): string | undefined;
}

// A variable specifier: the main tsconfig does not read JavaScript (tsconfig.portal-client.json checks these files).
const modelPath = "../client/route-model.js";
const pathsPath = "../client/field-paths.js";
const storedChangePath = "../client/stored-change.js";
const model = (await import(modelPath)) as RouteModel;
const paths = (await import(pathsPath)) as FieldPaths;
const storedChange = (await import(storedChangePath)) as StoredChange;

function values(changes: Partial<FormValues>): FormValues {
  return { ...model.emptyValues(), namespace: "team-a", name: "shop", domain: "shop.example.com", ...changes };
}

describe("the form's values become the DomainRoute the page sends", () => {
  const cases: Array<{ name: string; values: FormValues; spec: Record<string, unknown> }> = [
    {
      name: "a Service backend with a chosen port becomes spec.backend.service with a number",
      values: values({ lb: "alb-in", serviceName: "web", servicePort: "8080" }),
      spec: { domain: "shop.example.com", lb: "alb-in", backend: { service: { name: "web", port: 8080 } } },
    },
    {
      name: "no load balancer chosen leaves spec.lb out, for the API to say it is required",
      values: values({ serviceName: "web", servicePort: "80" }),
      spec: { domain: "shop.example.com", backend: { service: { name: "web", port: 80 } } },
    },
    {
      name: "a port that is not a whole number is sent as typed, for the API to refuse in its own words",
      values: values({ lb: "alb-in", backendKind: "external", externalIp: "10.0.0.7", externalPort: "80a", externalProtocol: "HTTPS" }),
      spec: { domain: "shop.example.com", lb: "alb-in", backend: { external: { ip: "10.0.0.7", port: "80a", protocol: "HTTPS" } } },
    },
    {
      name: "no Service and no port chosen leaves spec.backend out (the API then names spec.backend)",
      values: values({ lb: "alb-in" }),
      spec: { domain: "shop.example.com", lb: "alb-in" },
    },
    {
      name: "an own VirtualService is routing.mode External with no backend",
      values: values({ lb: "alb-in", backendKind: "none", serviceName: "web", servicePort: "80" }),
      spec: { domain: "shop.example.com", lb: "alb-in", routing: { mode: "External" } },
    },
    {
      name: "a login becomes spec.protection, with an Allow then an Authenticate rule from the boxes (blank lines and repeats dropped)",
      values: values({
        lb: "alb-out",
        serviceName: "web",
        servicePort: "80",
        protect: true,
        provider: "sso",
        appId: " shop-app ",
        allowPaths: "/healthz\n\n /public/ \n/healthz",
        authenticatePaths: "/admin",
      }),
      spec: {
        domain: "shop.example.com",
        lb: "alb-out",
        backend: { service: { name: "web", port: 80 } },
        protection: {
          provider: "sso",
          appId: "shop-app",
          rules: [
            { action: "Allow", paths: ["/healthz", "/public/"] },
            { action: "Authenticate", paths: ["/admin"] },
          ],
        },
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const route = model.routeFromValues(c.values);
      assert.deepEqual(route, { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "shop", namespace: "team-a" }, spec: c.spec });
    });
  }
});

describe("an edit starts from the route as read", () => {
  const stored: Route = {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "shop", namespace: "team-a", resourceVersion: "7", uid: "u-1", generation: 2, labels: { app: "shop" } },
    spec: {
      domain: "shop.example.com",
      lb: "alb-out",
      routing: { mode: "Managed" },
      backend: { service: { name: "web", namespace: "team-a", port: 80 } },
      dns: { ttl: 60 },
      protection: {
        provider: "sso",
        appId: "shop",
        rules: [
          { action: "Allow", paths: ["/b"] },
          { action: "Allow", paths: ["/a"] },
        ],
      },
    },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  };

  it("an untouched form sends the stored object back unchanged, status left out", () => {
    const { status: _status, ...expected } = stored;
    assert.deepEqual(model.routeFromValues(model.valuesFromRoute(stored), stored), expected);
  });

  it("changing the port keeps what the form does not show (labels, resourceVersion, spec.dns, the Service's namespace, the rules)", () => {
    const route = model.routeFromValues({ ...model.valuesFromRoute(stored), servicePort: "8443" }, stored);
    assert.equal(route.metadata.resourceVersion, "7");
    assert.deepEqual(route.metadata.labels, { app: "shop" });
    assert.deepEqual(route.spec.dns, { ttl: 60 });
    assert.deepEqual(route.spec.backend, { service: { name: "web", namespace: "team-a", port: 8443 } });
    assert.deepEqual(route.spec.protection.rules, stored.spec.protection.rules);
  });

  it("editing the rule boxes replaces the rules with one rule per action", () => {
    const route = model.routeFromValues({ ...model.valuesFromRoute(stored), allowPaths: "/a\n/c" }, stored);
    assert.deepEqual(route.spec.protection.rules, [{ action: "Allow", paths: ["/a", "/c"] }]);
  });

  it("turning the login off removes spec.protection", () => {
    const route = model.routeFromValues({ ...model.valuesFromRoute(stored), protect: false }, stored);
    assert.equal("protection" in route.spec, false);
  });

  it("switching from a Service to a machine by IP replaces the backend", () => {
    const route = model.routeFromValues({ ...model.valuesFromRoute(stored), backendKind: "external", externalIp: "10.1.2.3", externalPort: "443" }, stored);
    assert.deepEqual(route.spec.backend, { external: { ip: "10.1.2.3", port: 443, protocol: "HTTP" } });
  });

  it("switching an External route to a Service sets routing.mode back to Managed", () => {
    const external: Route = { ...stored, spec: { domain: "shop.example.com", lb: "alb-in", routing: { mode: "External" } } };
    assert.equal(model.valuesFromRoute(external).backendKind, "none");
    const route = model.routeFromValues({ ...model.valuesFromRoute(external), backendKind: "service", serviceName: "web", servicePort: "80" }, external);
    assert.deepEqual(route.spec.routing, { mode: "Managed" });
    assert.deepEqual(route.spec.backend, { service: { name: "web", port: 80 } });
  });
});

describe("an open edit meets a change of the stored route", () => {
  const base: Route = {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "shop", namespace: "team-a", resourceVersion: "7", uid: "u-1", generation: 2 },
    spec: { domain: "shop.example.com", lb: "alb-in", backend: { service: { name: "web", port: 80 } } },
  };
  const cases: Array<{ name: string; latest: Route; rebased: boolean }> = [
    {
      name: "a label, an annotation and a finalizer added (same generation) re-base the edit on the latest object",
      latest: {
        ...base,
        metadata: { ...base.metadata, resourceVersion: "9", labels: { team: "a" }, annotations: { note: "x" }, finalizers: ["hostgate.dev/cleanup"] },
      },
      rebased: true,
    },
    {
      name: "a status write (same generation) re-bases the edit, status included",
      latest: { ...base, metadata: { ...base.metadata, resourceVersion: "8" }, status: { conditions: [{ type: "Ready", status: "False" }] } },
      rebased: true,
    },
    {
      name: "a spec change by someone else (a new generation) is a conflict, not merged",
      latest: { ...base, metadata: { ...base.metadata, resourceVersion: "9", generation: 3 }, spec: { ...base.spec, lb: "alb-out" } },
      rebased: false,
    },
    {
      name: "the route deleted and made again (a new uid) is a conflict",
      latest: { ...base, metadata: { ...base.metadata, resourceVersion: "12", uid: "u-2" } },
      rebased: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const next = storedChange.rebasedEdit(base, c.latest);
      assert.deepEqual(next, c.rebased ? c.latest : undefined);
      if (next) assert.notEqual(next, c.latest, "a copy: the page's list keeps its own object");
    });
  }

  it("a label and a finalizer added by another writer after the form opened survive the person's save (review R17's case, in-memory API server)", async () => {
    const cluster = await memoryCluster();
    const jane = cluster.api.as({ user: "jane", groups: ["team-a"] });
    const created = await jane.create(DOMAIN_ROUTES, {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainRoute",
      metadata: { name: "fresh", namespace: "team-a" },
      spec: { domain: "fresh.shop.example.com", lb: "alb-in", backend: { service: { name: "shop-web", port: 8080 } } },
    });
    let editBase = structuredClone(created) as unknown as Route;
    // The reconciler adds its finalizer, a colleague a label: neither moves the generation.
    const other = await cluster.api.update(DOMAIN_ROUTES, {
      ...created,
      metadata: { ...created.metadata, labels: { owner: "team-a" }, finalizers: ["hostgate.dev/cleanup"] },
    });
    assert.equal(other.metadata?.generation, created.metadata?.generation);
    editBase = storedChange.rebasedEdit(editBase, other as unknown as Route) ?? assert.fail("a metadata-only change must re-base the edit");
    const edited = model.routeFromValues({ ...model.valuesFromRoute(editBase), servicePort: "9090" }, editBase);
    await jane.update(DOMAIN_ROUTES, edited as never);
    const stored = await cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "fresh" });
    assert.deepEqual(stored?.metadata?.labels, { owner: "team-a" });
    assert.deepEqual(stored?.metadata?.finalizers, ["hostgate.dev/cleanup"]);
    assert.deepEqual((stored?.spec as Route["spec"] | undefined)?.backend, { service: { name: "shop-web", port: 9090 } });
  });
});

describe("a refusal's field path finds the control that shows it", () => {
  const shown = new Set(["metadata.name", "spec.domain", "spec.backend", "spec.backend.external.port", "spec.protection", "spec.protection.rules"]);
  const known = (candidate: string) => shown.has(candidate);
  const cases: Array<[string, string | undefined]> = [
    ["spec.domain", "spec.domain"],
    [".spec.domain", "spec.domain"],
    ["spec.backend.external.port", "spec.backend.external.port"],
    ["spec.backend.service.name", "spec.backend"],
    ["spec.protection.rules[0].paths[1]", "spec.protection.rules"],
    ["spec.protection.appId", "spec.protection"],
    ["spec.dns.ttl", undefined],
    ["metadata.labels[app]", undefined],
  ];
  for (const [path, place] of cases) {
    it(`${path} goes to ${place ?? "the summary"}`, () => {
      assert.equal(paths.placeFor(path, known), place);
    });
  }

  it("the parent of a path drops its last index or its last name", () => {
    assert.equal(paths.parentPath("a.b[2]"), "a.b");
    assert.equal(paths.parentPath("a.b.c"), "a.b");
    assert.equal(paths.parentPath("a"), undefined);
  });
});
