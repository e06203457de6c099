// Local mode: the page over a state folder. Dry runs give exactly what
// `hostgate check` gives for the same route, real writes are refused with the
// way to apply the route, and the folder's reloads are the watch.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { LOCAL_NO_SERVICES, LOCAL_WRITES_NOTHING, LocalBackend } from "./local-backend.ts";
import { runCheck } from "../../core/cli/check.ts";
import type { CheckEntry } from "../../core/cli/check.ts";
import { BUILTIN_POLICIES, DEFAULT_CONFIG, DEFAULT_STATE } from "../../core/cli/paths.ts";
import { loadPlatformConfig } from "../../core/config/index.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { KubeApiError } from "../../core/kube/api-error.ts";
import type { WatchEvent } from "../../core/kube/list-watch-client.ts";
import { FileStateSource } from "../../core/state/sources/file-state-source.ts";
import { loadCrdCatalog } from "../../crds/catalog.ts";
import { loadPolicySet } from "../../policies/engine/module-loader.ts";
import type { Refusal } from "../portal-backend.ts";

const JANE = { user: "jane", groups: ["team-a"] };
const INTERNAL_SHOP = { domain: "new.shop.example.com", lb: "alb-in", backend: { service: { name: "shop-web", port: 8080 } } };

function draft(spec: Record<string, unknown>, name = "new-shop", namespace = "team-a"): KubeObject {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace }, spec };
}

let dir: string;
let source: FileStateSource;
let backend: LocalBackend;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "hostgate-local-backend-"));
  cpSync(DEFAULT_STATE, join(dir, "state"), { recursive: true });
  // No file watcher: the tests reload by hand, so nothing races them.
  source = new FileStateSource({ directory: join(dir, "state"), watcher: () => ({ recursive: true, close: () => {} }) });
  await source.start();
  const config = loadPlatformConfig(DEFAULT_CONFIG);
  backend = new LocalBackend({ state: source.existingObjects(), config, policies: loadPolicySet([BUILTIN_POLICIES]), crds: loadCrdCatalog() });
});

after(async () => {
  await source.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What `hostgate check -f FILE -o json` says about `route` against examples/state. */
async function checked(route: KubeObject): Promise<CheckEntry> {
  const file = join(dir, `${route.metadata!.name}.yaml`);
  writeFileSync(file, stringify(route));
  const result = await runCheck(["-f", file, "-o", "json"]);
  return (JSON.parse(result.output) as CheckEntry[])[0]!;
}

/** Every check denial shows under its field (or above the form without one), its message in the refusal's words. */
function assertSameDenials(refusal: Refusal, entry: CheckEntry): void {
  const fields = new Set(entry.denials.flatMap((d) => (d.field === undefined || d.field === "<nil>" ? [] : [d.field.replace(/^\./, "")])));
  assert.deepEqual(new Set(Object.keys(refusal.fields)), fields);
  for (const d of entry.denials) {
    const shown = d.field === undefined || d.field === "<nil>" ? refusal.general : refusal.fields[d.field.replace(/^\./, "")]!;
    const words = d.policy === "crd-schema" ? d.message.replace(`${d.field}: `, "") : `${d.policy}: ${d.message}`;
    assert.ok(shown.includes(words), `${JSON.stringify(words)} is not among ${JSON.stringify(shown)}`);
  }
  assert.equal(Object.values(refusal.fields).flat().length + refusal.general.length, entry.denials.length);
}

describe("the local backend", () => {
  const cases: { name: string; route: KubeObject; stage?: Refusal["stage"] }[] = [
    { name: "a domain not granted to the namespace", route: draft({ ...INTERNAL_SHOP, domain: "new.team-b.example.com" }), stage: "policy" },
    { name: "a public route without protection", route: draft({ ...INTERNAL_SHOP, lb: "alb-out" }), stage: "policy" },
    {
      name: "a missing lb, a port out of range and an ungranted domain (every stage at once)",
      route: draft({ domain: "new.team-b.example.com", backend: { service: { name: "shop-web", port: 70000 } } }),
      stage: "schema",
    },
    { name: "an unknown field", route: draft({ ...INTERNAL_SHOP, colour: "blue" }), stage: "schema" },
    { name: "an internal route on a granted name", route: draft(INTERNAL_SHOP) },
  ];
  for (const c of cases) {
    test(`a dry run of ${c.name} gives what hostgate check gives for the same file`, async () => {
      const [outcome, entry] = await Promise.all([backend.write(JANE, "create", c.route, { dryRun: true }), checked(c.route)]);
      assert.equal(outcome.ok, entry.allowed);
      assert.equal(outcome.warnings.length, entry.warnings.length);
      if (outcome.ok) {
        assert.deepEqual((outcome.object.spec as { routing?: unknown }).routing, { mode: "Managed" });
        return;
      }
      assert.equal(outcome.refusal.stage, c.stage);
      assertSameDenials(outcome.refusal, entry);
    });
  }

  test("real writes and deletes are refused with the way to apply the route instead", async () => {
    for (const outcome of [
      await backend.write(JANE, "create", draft(INTERNAL_SHOP), { dryRun: false }),
      await backend.remove(JANE, "team-a", "shop-web", {}, { dryRun: false }),
    ]) {
      assert.equal(outcome.ok, false);
      if (outcome.ok) continue;
      assert.equal(outcome.refusal.stage, "other");
      assert.deepEqual(outcome.refusal.general, [LOCAL_WRITES_NOTHING]);
    }
  });

  test("namespaces are those the folder's grants name for DomainRoutes, each with every right (no RBAC locally)", async () => {
    const all = { list: true, create: true, update: true, delete: true };
    assert.deepEqual(await backend.namespaces(JANE), [
      { name: "marketing", may: all },
      { name: "platform", may: all },
      { name: "team-a", may: all },
    ]);
    assert.deepEqual(await backend.choices(JANE, "team-a"), {
      hostnames: ["*.shop.example.com", "shop.example.com"],
      services: { forbidden: LOCAL_NO_SERVICES },
      providers: ["sso"],
    });
  });

  test("an update is judged against the stored route; one of a route the folder lacks is not found", async () => {
    const stored = (await backend.route(JANE, "team-a", "shop-admin"))!;
    const outcome = await backend.write(JANE, "update", { ...stored, spec: { ...(stored.spec as object), lb: "alb-out" } }, { dryRun: true });
    assert.equal(!outcome.ok && outcome.refusal.fields["spec.protection"]?.length, 1);
    const missing = await backend.write(
      JANE,
      "update",
      { ...draft(INTERNAL_SHOP), metadata: { name: "ghost", namespace: "team-a", resourceVersion: "1" } },
      { dryRun: true },
    );
    assert.equal(!missing.ok && missing.refusal.status, 404);
  });

  test("a caller changing a listed route changes nothing in the state", async () => {
    const listed = (await backend.routes(JANE, "team-a")).items[0]!;
    (listed.spec as { domain: string }).domain = "changed.example.com";
    assert.equal(((await backend.routes(JANE, "team-a")).items[0]!.spec as { domain: string }).domain, "admin.shop.example.com");
  });

  test("a reload of the folder is a watch event; a watch from an older version is 410 Gone", async () => {
    const page = await backend.routes(JANE, "team-a");
    assert.deepEqual(
      page.items.map((r) => r.metadata?.name),
      ["shop-admin", "shop-web"],
    );
    const events: WatchEvent[] = [];
    const handle = backend.watchRoutes(JANE, "team-a", page.resourceVersion, { onEvent: (e) => events.push(e), onEnd: () => {} });
    writeFileSync(join(dir, "state", "new-shop.yaml"), stringify(draft(INTERNAL_SHOP)));
    await source.reload();
    handle.abort();
    assert.deepEqual(
      events.map((e) => [e.type, (e.object as KubeObject).metadata?.name]),
      [["ADDED", "new-shop"]],
    );
    const ended = await new Promise<KubeApiError | undefined>((resolve) =>
      backend.watchRoutes(JANE, "team-a", page.resourceVersion, { onEvent: () => {}, onEnd: resolve }),
    );
    assert.equal(ended?.status, 410);
  });
});
