// The self-service page in the image's runtime tree (`npm run package`, as
// test/release-package.test.ts builds it): its static files are data no
// module imports, so tsc never emits them and bin/build.ts must copy them
// (DATA_FILES). Proved by serving the page from the tree alone: the shell
// and every script and stylesheet it loads answer 200.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assemblePackage } from "../bin/package.ts";
import { filesUnder } from "../bin/build.ts";
import { ROOT } from "./fixtures.ts";
import { localServeArgs, startServe } from "./serve-child.ts";

// Outside the repository, so Node cannot fall back on the repository's node_modules (see release-package.test.ts).
const work = mkdtempSync(join(tmpdir(), "hostgate-release-portal-"));
const tree = join(work, "package");
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "NODE_PATH" && name !== "NODE_OPTIONS"));

before(() => void assemblePackage(ROOT, tree));
after(() => rmSync(work, { recursive: true, force: true }));

describe("the self-service page in the package tree", () => {
  it("ships every file of portal/client next to the compiled page", () => {
    const shipped = filesUnder(join(tree, "dist", "portal", "client"));
    assert.deepEqual(shipped, filesUnder(join(ROOT, "portal", "client")));
  });

  it("serve --portal-listen --portal-as answers the shell, its scripts and its stylesheet with 200, then exits 0 on SIGTERM", async () => {
    const args = [
      ...localServeArgs(join("dist", "examples", "state"), join(work, "tls")),
      "--shutdown-delay",
      "0s",
      "--portal-listen",
      "127.0.0.1:0",
      "--portal-as",
      "jane:team-a",
    ];
    const serve = startServe(join("dist", "bin", "cli.js"), args, { cwd: tree, env });
    try {
      const url = (await serve.waitFor(/self-service page .* at (http:\/\/127\.0\.0\.1:\d+)\//, "the page's address"))[1]!;
      const shell = await fetch(`${url}/`);
      const html = await shell.text();
      assert.equal(shell.status, 200, html);
      assert.match(html, /Signed in as <span id="user">jane<\/span>/);
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      assert.deepEqual(assets.sort(), ["/assets/app.css", "/assets/app.js"]);
      // app.js imports the other modules: each must be there too.
      for (const file of filesUnder(join(ROOT, "portal", "client"))) {
        const answer = await fetch(`${url}/assets/${file}`);
        assert.equal(answer.status, 200, `/assets/${file}: ${answer.status}`);
        await answer.arrayBuffer();
      }
    } finally {
      serve.child.kill("SIGTERM");
    }
    assert.equal(await serve.exited, 0, serve.stderr());
    assert.doesNotMatch(serve.stderr(), /ERR_MODULE_NOT_FOUND|\n\s+at /);
  });
});
