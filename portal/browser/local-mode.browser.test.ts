// Local mode (`hostgate serve --state DIR --portal-listen … --portal-as …`):
// the page over the example state folder, judged by the local verdict
// function, where nothing is ever written. The form checks as in cluster mode,
// the Service is typed (no cluster to list Services from), and saving is off
// with a note saying why.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { BUILTIN_POLICIES, DEFAULT_CONFIG, DEFAULT_STATE } from "../../core/cli/paths.ts";
import { loadPlatformConfig } from "../../core/config/index.ts";
import { FileStateSource } from "../../core/state/sources/file-state-source.ts";
import { loadCrdCatalog } from "../../crds/catalog.ts";
import { loadPolicySet } from "../../policies/engine/module-loader.ts";
import { LocalBackend } from "../backends/local-backend.ts";
import { assertNoProblems, PageHarness, screenshot } from "./page-harness.ts";

const WAIT = { timeout: 10_000 };
const DEV = { user: "dev", groups: ["team-a"] };

describe("the self-service page in local mode", { timeout: 120_000 }, () => {
  let source: FileStateSource;
  let harness: PageHarness;
  before(async () => {
    // Read only (local mode writes nothing), and no file watcher: nothing changes the folder during the test.
    source = new FileStateSource({ directory: DEFAULT_STATE, watcher: () => ({ recursive: true, close: () => {} }) });
    await source.start();
    const backend = new LocalBackend({
      state: source.existingObjects(),
      config: loadPlatformConfig(DEFAULT_CONFIG),
      policies: loadPolicySet([BUILTIN_POLICIES]),
      crds: loadCrdCatalog(),
    });
    harness = await PageHarness.start(backend, { kind: "fixed", identity: DEV });
  });
  afterEach(async () => {
    await harness?.closePages();
  });
  after(async () => {
    await harness?.stop();
    await source?.stop();
  });

  it("the form checks against the state folder, the Service is typed, and Create is off with the reason", async () => {
    const opened = await harness.open(DEV);
    const { page } = opened;
    await page.getByText("Local mode: checks run against the state folder and nothing is written.").waitFor(WAIT);
    await page.locator('tr[data-route="team-a/shop-web"]').waitFor(WAIT);
    await page.getByRole("button", { name: "New route" }).click();
    await page.getByLabel("Namespace", { exact: true }).selectOption("team-a");
    await page.getByLabel("Name", { exact: true }).fill("local");
    await page.getByLabel("Domain", { exact: true }).fill("local.example.com");
    await page.getByLabel("Internal: only the company network").check();
    const service = page.getByLabel("Service", { exact: true });
    assert.equal(await service.evaluate((node) => node.tagName), "INPUT");
    await service.fill("shop-web");
    await page.getByLabel("Service port", { exact: true }).fill("8080");
    await page.locator("#f-domain-error", { hasText: /^hostname-granted: / }).waitFor(WAIT);

    await page.getByLabel("Domain", { exact: true }).fill("local.shop.example.com");
    await page.getByText("hostgate's checks would accept this route.").waitFor(WAIT);
    assert.equal(await page.getByRole("button", { name: "Create route" }).isDisabled(), true);
    await page.getByText("Local mode writes nothing").waitFor(WAIT);
    await screenshot(page, "local-mode");
    assertNoProblems(opened);
  });
});
