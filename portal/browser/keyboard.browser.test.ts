// The form used with the keyboard alone, and every control found by its
// label: Tab reaches each control in order, the radios answer the arrow keys,
// a refused submit moves focus to the first field with a message, and after
// a successful one focus is back on "New route".
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { startMemoryPortal } from "./memory-portal.ts";
import type { MemoryPortal } from "./memory-portal.ts";
import { assertNoProblems, screenshot } from "./page-harness.ts";

const JANE = { user: "jane", groups: ["team-a"] };
const WAIT = { timeout: 10_000 };

type FocusView = { document: { activeElement: { id: string; textContent: string | null } | null } };

/** The id of the focused element, or its text when it has none (buttons). */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = (globalThis as unknown as FocusView).document.activeElement;
    return active?.id || active?.textContent?.trim() || "";
  });
}

/** Presses Tab until `target` (an id or a button's text) has focus; fails after `limit` presses. */
async function tabTo(page: Page, target: string, limit = 12): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    if (now === target) return;
    seen.push(now);
  }
  assert.fail(`Tab never reached ${target}; focus went through ${seen.join(" → ")}`);
}

describe("the self-service page with the keyboard alone", { timeout: 120_000 }, () => {
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

  it("every control of the form is found by its label, and only by its own", async () => {
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    await page.getByRole("button", { name: "New route" }).click();
    await page.getByLabel("Require a login").check();
    const labels = [
      "Namespace",
      "Name",
      "Domain",
      "Public: anyone on the internet",
      "Internal: only the company network",
      "A Service in this namespace",
      "A machine by IP address (VM)",
      "My own VirtualService routes it",
      "Service",
      "Service port",
      "Require a login",
      "Login provider",
      "App ID",
      "Paths open without login",
      "Paths that always need a login",
    ];
    for (const label of labels) {
      const control = page.getByLabel(label, { exact: true });
      assert.equal(await control.count(), 1, `one control labelled ${JSON.stringify(label)}`);
      assert.equal(await control.isVisible(), true, `${label} is shown`);
    }
    await page.getByLabel("A machine by IP address (VM)", { exact: true }).check();
    for (const label of ["IP address", "Port", "Protocol"]) {
      const control = page.getByLabel(label, { exact: true });
      assert.equal(await control.count(), 1, `one control labelled ${JSON.stringify(label)}`);
      assert.equal(await control.isVisible(), true, `${label} is shown`);
    }
    // Every control of the form, shown or not, has a <label for> naming it.
    const ids = await page.locator("#editor input, #editor select, #editor textarea").evaluateAll((nodes) => nodes.map((node) => node.id));
    assert.ok(ids.length >= labels.length + 3);
    for (const id of ids) {
      assert.notEqual(id, "", "a control without an id cannot have a <label for>");
      assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `a label for #${id}`);
    }
    await screenshot(page, "form-all-fields");
    assertNoProblems(opened);
  });

  it("Tab, the arrow keys and Enter create a route; a refused submit puts focus on the first field with a message", async () => {
    const opened = await world.harness.open(JANE);
    const { page } = opened;
    await tabTo(page, "new-route");
    await page.keyboard.press("Enter");
    assert.equal(await focused(page), "editor-title");
    // The namespace's Services arrive after the form opens (a list to choose from, as the person may list them).
    await page.locator("select#f-service-name option", { hasText: "shop-web" }).waitFor({ state: "attached", ...WAIT });
    // team-a is jane's only namespace, so it is chosen already.
    await tabTo(page, "f-namespace", 1);
    assert.equal(await page.getByLabel("Namespace", { exact: true }).inputValue(), "team-a");
    await tabTo(page, "f-name", 1);
    await page.keyboard.type("kb");
    await tabTo(page, "f-domain", 1);
    await page.keyboard.type("kb.shop.example.com");
    // Into the load balancer radios (none chosen: there is no default) and out again without choosing.
    await tabTo(page, "f-lb-out", 1);
    await tabTo(page, "f-backend-service", 1);
    await tabTo(page, "f-service-name", 1);
    await page.keyboard.type("shop-web");
    await page
      .getByLabel("Service port", { exact: true })
      .locator("option:checked", { hasText: "8080" })
      .waitFor({ state: "attached", ...WAIT });
    await tabTo(page, "Create route");
    await page.keyboard.press("Enter");

    // The API server refuses a route without spec.lb: focus lands on the radios, the message beside them.
    await page.locator("#f-lb-error").waitFor({ state: "visible", ...WAIT });
    assert.equal(await focused(page), "f-lb-out");
    assert.equal(await page.getByLabel("Public: anyone on the internet").getAttribute("aria-invalid"), "true");
    await screenshot(page, "keyboard-first-error");

    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(page), "f-lb-in");
    assert.equal(await page.getByLabel("Internal: only the company network").isChecked(), true);
    await page.locator("#f-lb-error").waitFor({ state: "hidden", ...WAIT });
    await tabTo(page, "Create route");
    await page.keyboard.press("Enter");
    await page.locator("#announcer", { hasText: "Created team-a/kb." }).waitFor(WAIT);
    await page.locator('tr[data-route="team-a/kb"]').waitFor(WAIT);
    assert.equal(await focused(page), "new-route");
    assertNoProblems(opened, { refusedWrites: 1 });
  });
});
