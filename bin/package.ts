// `npm run package`: assembles, in .package/ (or the folder given with
// --out), exactly the tree the Dockerfile's runtime stage copies into the
// image: package.json, dist/ (the release build, bin/build.ts) and the
// production dependencies. It needs no network: node_modules/ is a pruned
// copy of the installed one, holding the packages package-lock.json does not
// mark `"dev": true` (what `npm ci --omit=dev` installs), so a run-time
// import of a devDependency fails from this tree as it would in the image.
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build, ROOT } from "./build.ts";

/** What package-lock.json (lockfileVersion 2 or 3) says of one installed package. */
interface LockedPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface Lockfile {
  lockfileVersion?: number;
  packages?: Record<string, LockedPackage>;
}

/** The lockfile's installed paths (`node_modules/a`, `node_modules/a/node_modules/b`) that production needs, sorted. */
export function productionPaths(
  lockText: string,
  manifest: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> },
): { path: string; locked: LockedPackage }[] {
  const lock = JSON.parse(lockText) as Lockfile;
  if (lock.packages === undefined || (lock.lockfileVersion ?? 0) < 2) {
    throw new Error(
      `package-lock.json has lockfileVersion ${lock.lockfileVersion ?? "(none)"} without "packages": regenerate it with npm 7 or newer (npm install)`,
    );
  }
  // The root entry records package.json's dependencies as of the last install: a difference means node_modules is stale too.
  const root = lock.packages[""] ?? {};
  for (const field of ["dependencies", "optionalDependencies"] as const) {
    const wanted = JSON.stringify(sorted(manifest[field] ?? {}));
    const locked = JSON.stringify(sorted(root[field] ?? {}));
    if (wanted !== locked) throw new Error(`package-lock.json's ${field} differ from package.json's (${locked} vs ${wanted}): run npm install, then npm ci`);
  }
  return Object.entries(lock.packages)
    .filter(([path, locked]) => path.startsWith("node_modules/") && locked.dev !== true)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, locked]) => ({ path, locked }));
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface PackageResult {
  target: string;
  /** Installed paths copied into target/node_modules. */
  packages: string[];
  /** Optional packages the lockfile lists that are not installed here (npm skips them on other platforms too). */
  skippedOptional: string[];
}

/** Builds `root` and assembles the image's runtime tree in `target` (emptied first). */
export function assemblePackage(root: string = ROOT, target: string = join(root, ".package")): PackageResult {
  const out = resolve(target);
  if (out === resolve(root) || resolve(root).startsWith(`${out}/`))
    throw new Error(`package: refusing to empty ${out}: it holds the repository; pass another --out`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  build(root, join(out, "dist"));
  cpSync(join(root, "package.json"), join(out, "package.json"));
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Parameters<typeof productionPaths>[1];
  const lockFile = join(root, "package-lock.json");
  if (!existsSync(lockFile)) throw new Error(`package: ${lockFile} is missing; the production dependencies are taken from it (run npm install to write it)`);
  const packages: string[] = [];
  const skippedOptional: string[] = [];
  for (const { path, locked } of productionPaths(readFileSync(lockFile, "utf8"), manifest)) {
    if (locked.link === true)
      throw new Error(`package: ${path} is a link (a workspace or file: dependency), which the image cannot hold; depend on a published version instead`);
    const from = join(root, path);
    if (!existsSync(join(from, "package.json"))) {
      if (locked.optional === true) {
        skippedOptional.push(path);
        continue;
      }
      throw new Error(`package: ${path} (a production dependency in package-lock.json) is not installed: run npm ci`);
    }
    const installed = (JSON.parse(readFileSync(join(from, "package.json"), "utf8")) as { version?: string }).version;
    if (installed !== locked.version) throw new Error(`package: ${path} is ${installed} but package-lock.json locks ${locked.version}: run npm ci`);
    // Nested node_modules are entries of their own in the lockfile (and may hold dev-only packages): copied by their own entry.
    const nested = join(from, "node_modules");
    cpSync(from, join(out, path), { recursive: true, filter: (source) => source !== nested });
    packages.push(path);
  }
  return { target: out, packages, skippedOptional };
}

if (process.argv[1] !== undefined && import.meta.filename === realpathSync(process.argv[1])) {
  const args = process.argv.slice(2);
  const outFlag = args.indexOf("--out");
  const unknown = args.filter((arg, i) => arg !== "--out" && i !== outFlag + 1);
  if (unknown.length > 0 || (outFlag >= 0 && args[outFlag + 1] === undefined)) {
    process.stderr.write(`usage: node bin/package.ts [--out DIR]   (default .package/; unexpected: ${unknown.join(" ") || "--out without a folder"})\n`);
    process.exit(2);
  }
  try {
    const started = Date.now();
    const result = assemblePackage(ROOT, outFlag >= 0 ? args[outFlag + 1] : undefined);
    const where = relative(process.cwd(), result.target) || result.target;
    const skipped = result.skippedOptional.length > 0 ? `; optional, not installed here: ${result.skippedOptional.join(", ")}` : "";
    process.stdout.write(
      `packaged ${where}/ (package.json, dist/, ${result.packages.length} production packages${skipped}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    process.stdout.write(`try it: cd ${where} && node dist/bin/cli.js --help\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
