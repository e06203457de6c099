// The image's runtime tree, proved without a container engine: `npm run
// package` assembles what the Dockerfile's runtime stage copies (package.json,
// dist/, production node_modules), and hostgate must run from it alone:
// `check`, `render` and `serve` (until /readyz answers) on Node 24, with the
// tree's own node_modules the only place Node can resolve packages from. A
// run-time import of a devDependency (absent from the image) fails here.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:http";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { assemblePackage } from "../bin/package.ts";
import { filesUnder } from "../bin/build.ts";
import { ROOT } from "./fixtures.ts";
import { localServeArgs, startServe } from "./serve-child.ts";

const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };

// Outside the repository: Node resolves a package by walking up from the importing file, so a tree
// inside the repository would fall back on the repository's node_modules and hide a missing package.
const work = mkdtempSync(join(tmpdir(), "hostgate-release-"));
const tree = join(work, "package");
let packaged: ReturnType<typeof assemblePackage>;

/** The environment of the runs: nothing that would let Node look for packages elsewhere. */
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "NODE_PATH" && name !== "NODE_OPTIONS"));

before(() => {
  for (let dir = work; dir !== dirname(dir); dir = dirname(dir)) {
    assert.ok(
      !existsSync(join(dir, "node_modules")),
      `${join(dir, "node_modules")} exists: runs from ${tree} could resolve packages from it; set TMPDIR elsewhere`,
    );
  }
  packaged = assemblePackage(ROOT, tree);
});
after(() => rmSync(work, { recursive: true, force: true }));

/** `hostgate ARGS` from the package tree (`node dist/bin/cli.js`), and from the TypeScript sources, both with cwd in the tree. */
function run(from: "package" | "sources", ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const entry = from === "package" ? join("dist", "bin", "cli.js") : join(ROOT, "bin", "cli.ts");
  const result = spawnSync(process.execPath, [entry, ...args], { cwd: tree, env, encoding: "utf8", timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the package tree (npm run package)", () => {
  it("holds package.json, dist/ and node_modules/ and nothing else, as the image's runtime stage does", () => {
    assert.deepEqual(readdirSync(tree).sort(), ["dist", "node_modules", "package.json"]);
    assert.equal(readFileSync(join(tree, "package.json"), "utf8"), readFileSync(join(ROOT, "package.json"), "utf8"));
  });

  it("holds every production dependency and no package the lockfile marks dev", () => {
    for (const name of Object.keys(manifest.dependencies)) assert.ok(existsSync(join(tree, "node_modules", name, "package.json")), `${name} is missing`);
    const dev = Object.entries(lock.packages).filter(([path, entry]) => path.startsWith("node_modules/") && entry.dev === true);
    assert.ok(dev.length > 0, "the lockfile marks no package dev: the check below would prove nothing");
    for (const [path] of dev) assert.ok(!existsSync(join(tree, path)), `${path} is a devDependency (or only theirs) but was packaged`);
    assert.equal(
      packaged.packages.length,
      Object.keys(lock.packages).filter((p) => p.startsWith("node_modules/") && lock.packages[p]!.dev !== true).length - packaged.skippedOptional.length,
    );
  });

  it("ships no tests, bench or fuzzers in dist/, and the data files the code reads next to it", () => {
    const files = filesUnder(join(tree, "dist"));
    assert.deepEqual(
      files.filter((f) => /\.test\.js$|^bench\/|^test\/|fuzz/.test(f)),
      [],
    );
    for (const data of [
      "crds/hostgate.dev_domainroutes.yaml",
      "policies/library/hostname-granted.yaml",
      "examples/platform-config.yaml",
      "examples/state/domain-routes.yaml",
    ]) {
      assert.ok(files.includes(data), `dist/${data} is missing`);
    }
  });

  it("imports, in every module it ships, only Node built-ins and the production dependencies package.json names", () => {
    // Code paths the runs below do not take (cluster mode, the reconciler) are covered here.
    const allowed = new Set([...Object.keys(manifest.dependencies), ...builtinModules]);
    const bad: string[] = [];
    const seen = new Set<string>();
    for (const file of filesUnder(join(tree, "dist")).filter((f) => f.endsWith(".js"))) {
      const text = readFileSync(join(tree, "dist", file), "utf8");
      // Static imports and re-exports (`... from "x";`, `import "x";`) and literal dynamic imports (`import("x")`), as tsc writes them.
      for (const match of text.matchAll(/\bfrom "([^"\n]+)";|^import "([^"\n]+)";|\bimport\("([^"\n]+)"\)/gm)) {
        const specifier = (match[1] ?? match[2] ?? match[3])!;
        if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
        const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
        seen.add(name);
        if (!allowed.has(name)) bad.push(`dist/${file} imports ${specifier}`);
      }
    }
    assert.deepEqual(bad, []);
    for (const name of ["express", "yaml", "pino"]) assert.ok(seen.has(name), `the scan found no import of ${name}: it misreads tsc's output`);
  });
});

describe("the Dockerfile", () => {
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it("builds on Node 24 and runs on a Node 24 runtime as 65532:65532, starting dist/bin/cli.js", () => {
    assert.equal(stages.length, 2, "a build stage and a runtime stage");
    assert.match(stages[0]!, /^node:24[-\w.]* AS build\n/);
    assert.match(runtime, /^gcr\.io\/distroless\/nodejs24-debian\d+:nonroot\n/);
    assert.match(runtime, /^USER 65532:65532$/m);
    assert.match(runtime, /^ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/dist\/bin\/cli\.js"\]$/m);
    assert.doesNotMatch(runtime, /^RUN /m, "the runtime image has no shell to run anything with");
  });

  it("copies into the runtime stage exactly the entries npm run package assembles", () => {
    const copied = [...runtime.matchAll(/^COPY --from=build \S+ \.\/(\S+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(copied, readdirSync(tree).sort());
    assert.equal([...runtime.matchAll(/^(COPY|ADD) /gm)].length, copied.length, "something else is copied into the runtime stage");
  });

  it("leaves what the build makes or installs out of the build context (.dockerignore)", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim());
    for (const entry of ["node_modules", "dist", ".package", ".git"]) assert.ok(ignored.includes(entry), `.dockerignore misses ${entry}`);
  });
});

describe("hostgate run from the package tree", () => {
  const cases: { name: string; args: string[]; status: number }[] = [
    { name: "check allows the example routes, as the sources do", args: ["check", "-f", join(ROOT, "examples", "routes")], status: 0 },
    { name: "check denies the rejected examples, as the sources do", args: ["check", "-f", join(ROOT, "examples", "rejected")], status: 1 },
    {
      name: "render prints the reconciler's objects for the example routes, as the sources do",
      args: ["render", "-f", join(ROOT, "examples", "routes")],
      status: 0,
    },
  ];
  for (const { name, args, status } of cases) {
    it(name, () => {
      const shipped = run("package", ...args);
      assert.equal(shipped.status, status, `exit ${shipped.status}; stderr:\n${shipped.stderr}`);
      assert.doesNotMatch(shipped.stderr, /ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
      const sources = run("sources", ...args);
      assert.equal(sources.status, status, sources.stderr);
      assert.equal(shipped.stdout, sources.stdout);
      assert.equal(shipped.stderr, sources.stderr);
    });
  }

  it("test runs the built-in library's suites shipped in dist/, as many as the sources have", () => {
    const shipped = run("package", "test");
    assert.equal(shipped.status, 0, `exit ${shipped.status}; stderr:\n${shipped.stderr}`);
    const summary = (text: string) => /^(\d+) passed, 0 failed$/m.exec(text)?.[0];
    assert.ok(summary(shipped.stdout), shipped.stdout);
    assert.equal(summary(shipped.stdout), summary(run("sources", "test").stdout));
  });

  it("serve answers /readyz 200 and a review, then exits 0 on SIGTERM", async () => {
    const serve = startServe(join("dist", "bin", "cli.js"), localServeArgs(join("dist", "examples", "state"), join(work, "tls")), { cwd: tree, env });
    try {
      const health = await serve.waitFor(/health:\s+(http:\/\/\S+\/readyz)/, "health address");
      const deadline = Date.now() + 20_000;
      while ((await status(health[1]!)) !== 200) {
        assert.ok(Date.now() < deadline, `/readyz not 200 within 20 s; stderr:\n${serve.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(await serve.postBannerReview(), false);
    } finally {
      serve.child.kill("SIGTERM");
    }
    assert.equal(await serve.exited, 0, serve.stderr());
    assert.doesNotMatch(serve.stderr(), /ERR_MODULE_NOT_FOUND|\n\s+at /);
  });
});

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", () => resolve(0));
  });
}
