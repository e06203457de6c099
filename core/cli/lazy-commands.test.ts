// Lazy commands: `hostgate serve` must not keep the modules of the other
// commands loaded (issue 11, resident memory), and a lazy command must still
// run, print its help and list the summary its module declares.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { COMMANDS, main } from "../../bin/cli.ts";
import { loadCommand } from "./main.ts";
import { PACKAGE_ROOT } from "./paths.ts";

/** The package's own modules a fresh process has loaded after importing bin/cli.ts, relative to the root. */
function modulesLoadedByCli(): string[] {
  const script = `
    import { registerHooks } from "node:module";
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    await import(${JSON.stringify(join(PACKAGE_ROOT, "bin", "cli.ts"))});
    process.stdout.write(JSON.stringify(loaded));`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  const root = new URL(`file://${PACKAGE_ROOT}/`).href;
  return (JSON.parse(child.stdout) as string[]).filter((url) => url.startsWith(root) && !url.includes("/node_modules/")).map((url) => url.slice(root.length));
}

describe("lazy commands", () => {
  test("importing the command table loads none of the modules of check, test and render", () => {
    const loaded = modulesLoadedByCli();
    assert.ok(loaded.includes("webhook/serve-command.ts"), `serve is not lazy, so its module is loaded: ${loaded.join(", ")}`);
    const others = loaded.filter((path) => /^(reconciler\/|policies\/testing\/|core\/cli\/(check|test-command)\.ts$)/.test(path));
    assert.deepEqual(others, []);
  });

  for (const [name, listed] of Object.entries(COMMANDS).filter(([, entry]) => "load" in entry)) {
    test(`the listed summary of ${name} is the one its module declares`, async () => {
      assert.equal(listed.summary, (await loadCommand(listed)).summary);
    });

    test(`help for ${name} prints its usage, from its module`, async () => {
      const { usage } = await loadCommand(listed);
      for (const argv of [
        ["help", name],
        [name, "--help"],
      ]) {
        const result = await main(argv);
        assert.deepEqual(result, { stdout: `${usage}\n`, stderr: "", exitCode: 0 }, argv.join(" "));
      }
    });
  }

  test("a lazy command runs once loaded: render of a missing file is a usage error", async () => {
    const result = await main(["render", "-f", join(PACKAGE_ROOT, "no-such-file.yaml")]);
    assert.equal(result.exitCode, 2, result.stderr);
    assert.match(result.stderr, /no-such-file\.yaml/);
  });
});
