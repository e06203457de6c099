// The Chromium the browser tests drive: the one @sparticuz/chromium ships
// inside its npm package, so `npm ci` alone brings it (nothing is downloaded,
// no apt package). Its executablePath() unpacks the browser into os.tmpdir()
// on first use and afterwards returns any `chromium` found there without
// checking its version, so a stale binary of another version would be reused
// silently. Hence: one folder per package version, filled in a private
// folder and renamed into place, so parallel test files never see half a
// browser.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sparticuz from "@sparticuz/chromium";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

/**
 * Flags of sparticuz.args that would make the tests lie: they turn off the
 * same-origin policy and site isolation (so CSRF and CORS behaviour would not
 * be real), or run everything in one process (made for AWS Lambda).
 */
const DROPPED_FLAGS = new Set(["--single-process", "--disable-web-security", "--allow-running-insecure-content", "--disable-site-isolation-trials"]);

/** This closed network: no background fetches, no component updates, no first-run tasks. */
const ADDED_FLAGS = ["--disable-background-networking", "--disable-component-update", "--no-first-run"];

/** The launch flags: sparticuz.args (including --no-sandbox, needed as root) minus DROPPED_FLAGS and the --disable-features list (site isolation), plus ADDED_FLAGS. */
export function chromiumArgs(packaged: readonly string[] = sparticuz.args): string[] {
  return [...packaged.filter((flag) => !DROPPED_FLAGS.has(flag) && !flag.startsWith("--disable-features=")), ...ADDED_FLAGS];
}

async function packageVersion(): Promise<string> {
  // The package exports no ./package.json; its entry is build/index.js, one folder below it.
  const manifest = JSON.parse(await readFile(new URL("../package.json", import.meta.resolve("@sparticuz/chromium")), "utf8")) as { version: string };
  return manifest.version;
}

let unpacked: Promise<string> | undefined;

/** The path of the packaged Chromium, unpacked once per package version under os.tmpdir(). */
export function chromiumExecutable(): Promise<string> {
  unpacked ??= unpack();
  return unpacked;
}

/** A lock older than this was left by a test process that died while unpacking. */
const STALE_LOCK_MS = 120_000;

async function unpack(): Promise<string> {
  const base = tmpdir();
  const version = await packageVersion();
  const folder = join(base, `hostgate-chromium-${version}`);
  const binary = join(folder, "chromium");
  if (existsSync(binary)) return binary;
  // One test file unpacks (about 230 MB); the others, started at the same time, wait for it.
  const lock = `${folder}.lock`;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (existsSync(binary)) return binary;
    const since = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (since > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    return existsSync(binary) ? binary : await unpackInto(base, folder, version);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function unpackInto(base: string, folder: string, version: string): Promise<string> {
  const binary = join(folder, "chromium");
  const staging = await mkdtemp(join(base, `hostgate-chromium-${version}.partial-`));
  const saved = process.env.TMPDIR;
  // executablePath() unpacks into os.tmpdir(), which reads TMPDIR on every call.
  process.env.TMPDIR = staging;
  try {
    const path = await sparticuz.executablePath();
    if (path !== join(staging, "chromium")) throw new Error(`@sparticuz/chromium unpacked to ${path}, not into ${staging}: did its TMPDIR handling change?`);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    await rename(staging, folder);
  } catch (error) {
    // Another test file finished first: its copy is complete (renamed whole), so use it.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  }
  return binary;
}

/** Launches the packaged Chromium headless, and checks it is the version the package promises (its major). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await chromiumExecutable();
  const browser = await chromium.launch({ executablePath, args: chromiumArgs(), headless: true });
  const expected = (await packageVersion()).split(".")[0];
  const actual = browser.version().split(".")[0];
  if (actual !== expected) {
    await browser.close();
    throw new Error(`Chromium ${browser.version()} at ${executablePath} is not @sparticuz/chromium ${expected}: remove that folder and run again`);
  }
  return browser;
}
