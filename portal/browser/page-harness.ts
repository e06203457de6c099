// What every browser test needs: the packaged Chromium (chromium.ts), the
// portal's real server (serve-portal.ts startPortal) on 127.0.0.1:0 over a
// backend the test gives (the cluster backend over the in-memory API server),
// and pages opened as a person. The login proxy is played by the browser
// context itself: extraHTTPHeaders adds X-Forwarded-User/-Groups to every
// request, EventSource included, and the loopback peer is the configured
// trusted proxy, exactly as a proxy on the same network would be.
//
// Every page records console errors and uncaught exceptions: a CSP violation
// (inline script or style) is a console error in Chromium, so "no problems"
// also proves the page keeps its CSP. Screenshots go to test-output/portal/
// (ignored by git), named by the state they show; the README shows them.
import type { PreviewContext } from "../preview.ts";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { silentLogger } from "../../core/logger.ts";
import type { Identity } from "../../core/kube/impersonation.ts";
import type { IdentitySource } from "../identity.ts";
import type { PortalBackend } from "../portal-backend.ts";
import { startPortal } from "../serve-portal.ts";
import type { RunningPortal } from "../serve-portal.ts";
import { launchChromium } from "./chromium.ts";

/** Where screenshots go: test-output/portal/ at the repository's root. */
export const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test-output", "portal");

/** The loopback peer (the browser) is the trusted login proxy. */
const LOOPBACK_PROXY: IdentitySource = { kind: "proxy", trustedProxies: ["127.0.0.0/8", "::1/128"] };

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions, in order. */
  problems: string[];
}

export class PageHarness {
  readonly browser: Browser;
  readonly portal: RunningPortal;
  readonly #contexts: BrowserContext[] = [];

  private constructor(browser: Browser, portal: RunningPortal) {
    this.browser = browser;
    this.portal = portal;
  }

  /** Starts the portal over `backend` (people named by the login proxy, unless `identity` says otherwise) and launches Chromium. */
  static async start(backend: PortalBackend, identity: IdentitySource = LOOPBACK_PROXY, preview?: PreviewContext): Promise<PageHarness> {
    const portal = await startPortal({
      backend,
      listen: { host: "127.0.0.1", port: 0 },
      identity,
      logger: silentLogger,
      ...(preview === undefined ? {} : { preview }),
    });
    try {
      return new PageHarness(await launchChromium(), portal);
    } catch (error) {
      await portal.stop();
      throw error;
    }
  }

  /** Opens the page as `who` (the headers the login proxy would add) and waits until it has drawn its namespaces. */
  async open(who: Identity): Promise<OpenedPage> {
    const context = await this.browser.newContext({
      extraHTTPHeaders: { "X-Forwarded-User": who.user, "X-Forwarded-Groups": who.groups.join(",") },
      viewport: { width: 1200, height: 900 },
    });
    this.#contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error: ${message.text()} (${message.location().url})`);
    });
    page.on("pageerror", (error) => problems.push(`uncaught: ${error.stack ?? error.message}`));
    await page.goto(`${this.portal.url}/`);
    await page.getByRole("button", { name: "New route" }).waitFor();
    return { page, context, problems };
  }

  /**
   * Closes every page opened so far (call it after each test): each page holds an event stream, and the server allows a
   * person only a few at once (429 beyond), as it should.
   */
  async closePages(): Promise<void> {
    for (const context of this.#contexts.splice(0)) await context.close();
  }

  async stop(): Promise<void> {
    await this.closePages();
    await this.browser.close();
    await this.portal.stop();
  }
}

/** Saves a full-page screenshot as test-output/portal/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** What Chromium logs for a fetch answered with an error status: a refused write (403/409/422) is an answer the page shows, not a fault. */
const REFUSED_WRITE =
  /^console error: Failed to load resource: the server responded with a status of (403|409|422) .*\/api\/namespaces\/[^/]+\/routes(\/[^/]+)?\)$/;

/**
 * No console error and no uncaught exception so far on the page, except exactly `refusedWrites` refused writes
 * the test itself provoked.
 */
export function assertNoProblems(opened: OpenedPage, expected: { refusedWrites?: number } = {}): void {
  const refused = opened.problems.filter((problem) => REFUSED_WRITE.test(problem));
  const others = opened.problems.filter((problem) => !REFUSED_WRITE.test(problem));
  assert.deepEqual(others, [], "the page logged errors (a CSP violation is one)");
  assert.equal(refused.length, expected.refusedWrites ?? 0, `refused writes logged: ${refused.join("; ")}`);
}
