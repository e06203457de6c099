// `npm run build`: the release build. Type-checks and compiles what `hostgate`
// runs to dist/ (tsconfig.build.json), then copies the data files the code
// reads at run time to the same places under dist/, so that every path the
// code derives from its own location (core/cli/paths.ts, crds/catalog.ts)
// finds them there: `node dist/bin/cli.js` needs nothing else from the
// repository. dist/ is emptied first so nothing of an older build lingers.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, realpathSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The data files of the built program, relative to the repository root (the
 * same path under dist/). Each reader is named: keep this list in step with it.
 */
export const DATA_FILES: readonly { path: string; pattern: RegExp; readBy: string }[] = [
  { path: "crds", pattern: /\.yaml$/, readBy: "CRD_DIRECTORY in crds/catalog.ts" },
  { path: "policies/library", pattern: /\.yaml$/, readBy: "BUILTIN_POLICIES in core/cli/paths.ts (modules, and the suites `hostgate test` runs)" },
  { path: "examples/platform-config.yaml", pattern: /\.yaml$/, readBy: "DEFAULT_CONFIG in core/cli/paths.ts" },
  { path: "examples/state", pattern: /\.yaml$/, readBy: "DEFAULT_STATE in core/cli/paths.ts (`hostgate check`)" },
  // Served byte for byte (no build step): tsc never reaches them, since no module imports them.
  { path: "portal/client", pattern: /\.(js|css)$/, readBy: "DEFAULT_CLIENT_DIR in portal/portal-app.ts (the self-service page's scripts and styles)" },
];

/**
 * Builds `root` into `out` (dist/ unless told; `npm run package` builds
 * straight into its tree); throws with tsc's own report when the program
 * does not type-check.
 */
export function build(root: string = ROOT, out: string = join(root, "dist")): string {
  rmSync(out, { recursive: true, force: true });
  const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", out], { cwd: root, encoding: "utf8" });
  if (result.error !== undefined) throw new Error(`build: could not run tsc (${tsc}): ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`build: tsc -p tsconfig.build.json failed (exit ${result.status}); fix these type errors:\n${result.stdout}${result.stderr}`);
  }
  if (!existsSync(join(out, "bin", "cli.js")))
    throw new Error(`build: tsc succeeded but wrote no ${relative(root, join(out, "bin", "cli.js"))}: check outDir and files in tsconfig.build.json`);
  for (const data of DATA_FILES) copyData(root, out, data);
  return out;
}

function copyData(root: string, out: string, data: (typeof DATA_FILES)[number]): void {
  const from = join(root, data.path);
  if (!existsSync(from))
    throw new Error(`build: ${data.path} is missing, but ${data.readBy} reads it at run time; restore it or update DATA_FILES in bin/build.ts`);
  const copied: string[] = [];
  cpSync(from, join(out, data.path), {
    recursive: true,
    filter: (source) => {
      if (statSync(source).isDirectory()) return true;
      const wanted = data.pattern.test(source);
      if (wanted) copied.push(source);
      return wanted;
    },
  });
  if (copied.length === 0) throw new Error(`build: ${data.path} holds no file matching ${data.pattern}, but ${data.readBy} reads them at run time`);
}

/** The files under `dir`, relative to it, sorted (for tests and reports). */
export function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]));
}

if (process.argv[1] !== undefined && import.meta.filename === realpathSync(process.argv[1])) {
  try {
    const started = Date.now();
    const out = build();
    process.stdout.write(
      `built ${relative(process.cwd(), out) || out}/ in ${((Date.now() - started) / 1000).toFixed(1)} s; run it with: node dist/bin/cli.js --help\n`,
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
