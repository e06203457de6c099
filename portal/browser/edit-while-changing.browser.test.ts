// Editing a route that changes on the server while the form is open. The
// reconciler writes status all the time, and every status write moves the
// route's resourceVersion, the precondition of the save: a status-only change
// (same generation) must not make the save fail. A change of the spec by
// someone else (a new generation) must not be overwritten: the form says so,
// and the API server refuses the save as a conflict.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { DOMAIN_ROUTES } from "../../core/state/sources/indexed-resources.ts";
import { internalRoute, seedLiveRoute, startMemoryPortal } from "./memory-portal.ts";
import type { MemoryPortal } from "./memory-portal.ts";
import { assertNoProblems, screenshot } from "./page-harness.ts";

const JANE = { user: "jane", groups: ["team-a"] };
const WAIT = { timeout: 10_000 };

async function editPort(page: Page, key: string, port: string): Promise<void> {
  await page.getByRole("button", { name: `Edit ${key}` }).click();
  await page.getByLabel("Service port", { exact: true }).selectOption(port);
  await page.locator(".preview li", { hasText: `:${port}` }).waitFor(WAIT);
}

describe("editing a route that changes meanwhile", { timeout: 120_000 }, () => {
  let world: MemoryPortal;
  before(async () => {
    world = await startMemoryPortal();
  });
  afterEach(async () => {
    await world?.harness.closePages();
  });
  after(async () => {
    await world?.stop();
  });

  it("a status change while the form is open does not make the save fail", async () => {
    await seedLiveRoute(world.cluster, internalRoute("team-a", "steady", "steady.shop.example.com", "shop-admin", 8080));
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    await page.locator('tr[data-route="team-a/steady"] .state-live').waitFor(WAIT);
    await editPort(page, "team-a/steady", "9090");
    const before = await world.cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "steady" });
    await world.cluster.status.pending("team-a", "steady", "dns");
    await page.locator('tr[data-route="team-a/steady"] .state-pending').waitFor(WAIT);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#announcer", { hasText: "Saved team-a/steady." }).waitFor(WAIT);
    const saved = await world.cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "steady" });
    assert.deepEqual((saved?.spec as { backend?: unknown } | undefined)?.backend, { service: { name: "shop-admin", port: 9090 } });
    assert.notEqual(saved?.metadata?.generation, before?.metadata?.generation);
    assertNoProblems(opened);
  });

  it("a label and a finalizer another writer adds while the form is open survive the save (review R17 B3)", async () => {
    const stored = await seedLiveRoute(world.cluster, internalRoute("team-a", "tagged", "tagged.shop.example.com", "shop-admin", 8080));
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    await page.locator('tr[data-route="team-a/tagged"] .state-live').waitFor(WAIT);
    await editPort(page, "team-a/tagged", "9090");
    // The reconciler's finalizer and a colleague's label: metadata only, the generation stays.
    const { status: _status, ...object } = stored;
    const metadata = { ...object.metadata, labels: { owner: "team-a" }, finalizers: ["hostgate.dev/cleanup"] };
    await world.cluster.api.update(DOMAIN_ROUTES, { ...object, metadata });
    // A status write after it: once the row shows it, the page has had the metadata change too (one ordered stream).
    await world.cluster.status.pending("team-a", "tagged", "dns");
    await page.locator('tr[data-route="team-a/tagged"] .state-pending').waitFor(WAIT);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#announcer", { hasText: "Saved team-a/tagged." }).waitFor(WAIT);
    const saved = await world.cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "tagged" });
    assert.deepEqual(saved?.metadata?.labels, { owner: "team-a" });
    assert.deepEqual(saved?.metadata?.finalizers, ["hostgate.dev/cleanup"]);
    assert.deepEqual((saved?.spec as { backend?: unknown } | undefined)?.backend, { service: { name: "shop-admin", port: 9090 } });
    assertNoProblems(opened);
  });

  it("someone else's change to the spec is said in the form, and the save is refused rather than overwriting it", async () => {
    const stored = await seedLiveRoute(world.cluster, internalRoute("team-a", "shared", "shared.shop.example.com", "shop-admin", 8080));
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    await page.locator('tr[data-route="team-a/shared"] .state-live').waitFor(WAIT);
    await editPort(page, "team-a/shared", "9090");
    // A colleague moves the route to the other Service meanwhile.
    const { status: _status, ...object } = stored;
    await world.cluster.api.update(DOMAIN_ROUTES, { ...object, spec: { ...(object.spec as object), backend: { service: { name: "shop-web", port: 8080 } } } });
    await page.getByText("Someone else changed this route since you opened it").waitFor(WAIT);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#error-summary", { hasText: /changed since you opened it/ }).waitFor(WAIT);
    await page.locator("#form-status", { hasText: "Not saved: the cluster holds a different version of this route now." }).waitFor(WAIT);
    await screenshot(page, "edit-conflict");
    const kept = await world.cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shared" });
    assert.deepEqual((kept?.spec as { backend?: unknown } | undefined)?.backend, { service: { name: "shop-web", port: 8080 } });
    assertNoProblems(opened, { refusedWrites: 1 });
  });
});
