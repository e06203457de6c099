// The self-service page in Chromium against the in-memory cluster: creating a
// route and watching it go live without a reload, a policy's refusal shown
// beside the field that causes it before submit, editing and deleting, and a
// condition message holding HTML shown as text. Each test opens its own page
// as a person of team-a (group team-a edits DomainRoutes there) and ends
// asserting the page logged no error: a CSP violation would be one.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Locator, Page } from "playwright-core";
import { DOMAIN_ROUTES } from "../../core/state/sources/indexed-resources.ts";
import { internalRoute, seedLiveRoute, startMemoryPortal } from "./memory-portal.ts";
import type { MemoryPortal } from "./memory-portal.ts";
import { assertNoProblems, screenshot } from "./page-harness.ts";

const JANE = { user: "jane", groups: ["team-a"] };
const WAIT = { timeout: 10_000 };

function row(page: Page, key: string): Locator {
  return page.locator(`tr[data-route="${key}"]`);
}

/** Waits until the route's state words match. */
async function stateBecomes(page: Page, key: string, words: RegExp): Promise<void> {
  await row(page, key).locator(".state", { hasText: words }).waitFor(WAIT);
}

/** Opens the empty form and fills what every test route needs except the fields under test. */
async function newRoute(page: Page, fields: { name: string; domain: string; reach?: "Public" | "Internal"; service?: string }): Promise<void> {
  await page.getByRole("button", { name: "New route" }).click();
  await page.getByLabel("Namespace", { exact: true }).selectOption("team-a");
  await page.getByLabel("Name", { exact: true }).fill(fields.name);
  await page.getByLabel("Domain", { exact: true }).fill(fields.domain);
  if (fields.reach) await page.getByLabel(fields.reach === "Public" ? "Public: anyone on the internet" : "Internal: only the company network").check();
  await page.getByLabel("Service", { exact: true }).selectOption(fields.service ?? "shop-web");
}

describe("the self-service page in a browser", { timeout: 120_000 }, () => {
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

  it("a route created through the form shows as pending, then live as the status driver writes its conditions, without a reload", async () => {
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    // Survives only if the page is never reloaded.
    await page.evaluate(() => {
      (globalThis as { notReloaded?: boolean }).notReloaded = true;
    });
    await screenshot(page, "list");
    await newRoute(page, { name: "blog", domain: "blog.shop.example.com", reach: "Internal" });
    await page.getByText("The cluster would accept this route.").waitFor(WAIT);
    await screenshot(page, "form-accepted");
    await page.getByRole("button", { name: "Create route" }).click();
    await page.locator("#announcer", { hasText: "Created team-a/blog." }).waitFor(WAIT);
    await row(page, "team-a/blog").locator(".state-pending").waitFor(WAIT);
    await screenshot(page, "route-pending");

    await world.cluster.status.pending("team-a", "blog", "certificate");
    await row(page, "team-a/blog")
      .locator(".detail", { hasText: /certificate/ })
      .waitFor(WAIT);
    await world.cluster.status.live("team-a", "blog");
    await stateBecomes(page, "team-a/blog", /^live/);
    await row(page, "team-a/blog").locator(".state-live").waitFor(WAIT);
    await screenshot(page, "route-live");

    assert.equal(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded), true);
    const stored = await world.cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "blog" });
    assert.deepEqual(stored?.spec, {
      domain: "blog.shop.example.com",
      lb: "alb-in",
      routing: { mode: "Managed" },
      backend: { service: { name: "shop-web", port: 8080 } },
    });
    assertNoProblems(opened);
  });

  it("a policy's refusal shows beside the field that causes it before submit, and goes when the field is fixed", async () => {
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    // In a zone the platform manages (example.com), but team-a's grant covers only shop.example.com and below.
    await newRoute(page, { name: "promo", domain: "promo.example.com", reach: "Internal" });

    // hostname-granted: the domain is not granted to team-a.
    const domain = page.getByLabel("Domain", { exact: true });
    const domainError = page.locator("#f-domain-error");
    await domainError.waitFor({ state: "visible", ...WAIT });
    assert.match((await domainError.textContent()) ?? "", /^hostname-granted: .*not granted to namespace team-a/);
    assert.equal(await domain.getAttribute("aria-invalid"), "true");
    assert.match((await domain.getAttribute("aria-describedby")) ?? "", /\bf-domain-error\b/);
    assert.match((await page.locator("#error-summary a[href='#f-domain']").textContent()) ?? "", /^Domain: hostname-granted: /);
    await screenshot(page, "denial-domain");

    await domain.fill("promo.shop.example.com");
    await domainError.waitFor({ state: "hidden", ...WAIT });
    assert.equal(await domain.getAttribute("aria-invalid"), null);

    // public-needs-protection: public without a login is refused on spec.protection.
    await page.getByLabel("Public: anyone on the internet").check();
    const protectionError = page.locator("#f-protection-error");
    await protectionError.waitFor({ state: "visible", ...WAIT });
    assert.match((await protectionError.textContent()) ?? "", /protection/);
    assert.equal(await page.getByLabel("Require a login").getAttribute("aria-invalid"), "true");
    await screenshot(page, "denial-public-without-protection");

    await page.getByLabel("Require a login").check();
    await page.getByLabel("Login provider", { exact: true }).selectOption("sso");
    await page.getByLabel("App ID", { exact: true }).fill("promo-app");
    await page.getByText("The cluster would accept this route.").waitFor(WAIT);
    assert.equal(await protectionError.isHidden(), true);
    assert.equal(await page.locator("#error-summary").isHidden(), true);
    await screenshot(page, "form-public-with-login");
    await page.getByRole("button", { name: "Cancel" }).click();
    assert.equal(await world.cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "promo" }), undefined);
    assertNoProblems(opened);
  });

  it("a name already used in the namespace shows beside the Name field", async () => {
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    await newRoute(page, { name: "shop-web", domain: "again.shop.example.com", reach: "Internal" });
    const nameError = page.locator("#f-name-error");
    await nameError.waitFor({ state: "visible", ...WAIT });
    assert.match((await nameError.textContent()) ?? "", /already exists/);
    assert.equal(await page.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), "true");
    await page.getByLabel("Name", { exact: true }).fill("again");
    await nameError.waitFor({ state: "hidden", ...WAIT });
    assertNoProblems(opened);
  });

  it("editing a route's port shows the preview and saves; deleting asks first, then the route leaves the list", async () => {
    await seedLiveRoute(world.cluster, internalRoute("team-a", "console", "console.shop.example.com", "shop-admin", 8080));
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    await stateBecomes(page, "team-a/console", /^live/);

    await page.getByRole("button", { name: "Edit team-a/console" }).click();
    assert.equal(await page.getByLabel("Domain", { exact: true }).getAttribute("readonly"), "");
    await page.getByLabel("Service port", { exact: true }).selectOption("9090");
    // The preview of the edited route (the check made when the form opened previewed port 8080).
    await page.locator(".preview li", { hasText: "shop-admin:9090" }).waitFor(WAIT);
    await page.getByText("The cluster would accept these changes.").waitFor(WAIT);
    await screenshot(page, "edit-preview");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#announcer", { hasText: "Saved team-a/console." }).waitFor(WAIT);
    await row(page, "team-a/console").getByText("Service shop-admin:9090").waitFor(WAIT);
    const saved = await world.cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "console" });
    assert.deepEqual((saved?.spec as { backend?: unknown } | undefined)?.backend, { service: { name: "shop-admin", port: 9090 } });

    await page.getByRole("button", { name: "Delete team-a/console" }).click();
    const yes = page.getByRole("button", { name: "Yes, delete" });
    await yes.waitFor(WAIT);
    assert.equal(await yes.evaluate((node) => node === (node.ownerDocument as { activeElement?: unknown }).activeElement), true);
    await screenshot(page, "delete-confirm");
    await yes.click();
    await row(page, "team-a/console").waitFor({ state: "detached", ...WAIT });
    assert.equal(await world.cluster.api.get(DOMAIN_ROUTES, { namespace: "team-a", name: "console" }), undefined);
    assertNoProblems(opened);
  });

  it("a dry run answered with the portal's own refusal (429, not a verdict) is said in words, and the page keeps working", async () => {
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    const sentence = "too many checks at once; the form checks again on your next change";
    await page.route("**/routes/dry-run", (route) =>
      route.fulfill({ status: 429, contentType: "application/json; charset=utf-8", body: JSON.stringify({ error: sentence }) }),
    );
    await newRoute(page, { name: "busy", domain: "busy.shop.example.com", reach: "Internal" });
    await page.locator("#form-status", { hasText: `Could not check: ${sentence}` }).waitFor(WAIT);
    await page.unroute("**/routes/dry-run");
    await page.getByLabel("Name", { exact: true }).fill("busy2");
    await page.getByText("The cluster would accept this route.").waitFor(WAIT);
    assert.deepEqual(
      opened.problems.map((problem) => problem.replace(/\(http:[^)]*\)$/, "")),
      ["console error: Failed to load resource: the server responded with a status of 429 (Too Many Requests) "],
    );
  });

  it("a person RBAC lets only read team-a sees its routes without New route, Edit or Delete, and no other namespace", async () => {
    world.cluster.rbac.allow({
      users: ["viewer"],
      apiGroups: ["hostgate.dev"],
      resources: ["domainroutes"],
      verbs: ["get", "list", "watch"],
      namespaces: ["team-a"],
    });
    const opened = await world.harness.open({ user: "viewer", groups: ["auditors"] });
    const { page } = opened;
    await stateBecomes(page, "team-a/shop-web", /^live/);
    assert.deepEqual(await page.locator("section.namespace h2").allTextContents(), ["team-a"]);
    assert.equal(await page.getByRole("button", { name: "New route" }).isDisabled(), true);
    assert.equal(await page.getByRole("button", { name: /^(Edit|Delete) / }).count(), 0);
    await screenshot(page, "read-only");
    assertNoProblems(opened);
  });

  it("when the event stream is refused, the page says live updates stopped and still lists the routes", async () => {
    const context = await world.harness.browser.newContext({
      extraHTTPHeaders: { "X-Forwarded-User": JANE.user, "X-Forwarded-Groups": JANE.groups.join(",") },
    });
    try {
      await context.route("**/api/events?*", (route) =>
        route.fulfill({ status: 429, contentType: "application/json; charset=utf-8", body: JSON.stringify({ error: "too many live streams" }) }),
      );
      const page = await context.newPage();
      await page.goto(`${world.harness.portal.url}/`);
      await page.getByText("Live updates stopped").waitFor(WAIT);
      await stateBecomes(page, "team-a/shop-web", /^live/);
    } finally {
      await context.close();
    }
  });

  it("a condition message holding HTML is shown as text, never run", async () => {
    const seeded = await seedLiveRoute(world.cluster, internalRoute("team-a", "odd", "odd.shop.example.com", "shop-web", 8080));
    const html = `<img src=x onerror="document.title='pwned'"><b>bold</b>`;
    const ready = { type: "Ready", status: "False", reason: "InvalidSpec", message: html, lastTransitionTime: "2030-01-01T00:00:00Z" };
    const status = { ...(seeded.status as object), conditions: [ready] };
    if (typeof seeded.metadata?.generation === "number") Object.assign(ready, { observedGeneration: seeded.metadata.generation });
    await world.cluster.api.updateStatus(DOMAIN_ROUTES, { ...seeded, status });
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    const detail = row(page, "team-a/odd").locator(".detail");
    await detail.waitFor(WAIT);
    assert.match((await detail.textContent()) ?? "", /<img src=x onerror="document\.title='pwned'"><b>bold<\/b>/);
    assert.equal(await row(page, "team-a/odd").locator("img, b").count(), 0);
    assert.notEqual(await page.title(), "pwned");
    await screenshot(page, "escaped-message");
    assertNoProblems(opened);
  });

  it("the route's dashboard and logs links from its status are shown, and a link that is not http(s) is not", async () => {
    const seeded = await seedLiveRoute(world.cluster, internalRoute("team-a", "linked", "linked.shop.example.com", "shop-web", 8080));
    const observability = { dashboard: "https://grafana.example.com/d/hostgate?var-host=linked.shop.example.com", logs: "javascript:alert(1)" };
    await world.cluster.api.updateStatus(DOMAIN_ROUTES, { ...seeded, status: { ...(seeded.status as object), observability } });
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    const dashboard = row(page, "team-a/linked").getByRole("link", { name: "Dashboard" });
    await dashboard.waitFor(WAIT);
    assert.equal(await dashboard.getAttribute("href"), observability.dashboard);
    assert.equal(await dashboard.getAttribute("rel"), "noopener noreferrer");
    assert.equal(await row(page, "team-a/linked").getByRole("link", { name: "Logs" }).count(), 0);
    assertNoProblems(opened);
  });

  it("a user name holding HTML (as the login proxy sent it) is shown as text in the page's header", async () => {
    const name = `<img src=x onerror="document.title='pwned'">`;
    const opened = await world.harness.open({ user: name, groups: ["team-a"] });
    const { page } = opened;
    await page.locator("header.top .who", { hasText: `Signed in as ${name} (team-a)` }).waitFor(WAIT);
    assert.equal(await page.locator("header.top img").count(), 0);
    assert.notEqual(await page.title(), "pwned");
    assertNoProblems(opened);
  });
});
