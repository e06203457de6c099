// `hostgate serve` as a real process: started the way `npm start` starts it,
// asked for a verdict over HTTPS, then stopped with a real SIGTERM.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir } from "./fixtures.ts";
import { postJson } from "../webhook/testing/http.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("hostgate serve as a process", () => {
  it("serves the banner's request and exits 0 soon after SIGTERM", async () => {
    const dir = tempDir("serve-process");
    dirs.push(dir);
    const child = spawn(process.execPath, [join(ROOT, "bin", "cli.ts"), "serve", "--state", join(ROOT, "examples", "state"), "--tls-dir", join(dir, "tls"), "--listen", "127.0.0.1:0", "--health-listen", "127.0.0.1:0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!/curl -sS/.test(stdout)) {
      assert.ok(Date.now() < deadline, `no banner within 20 s; stdout:\n${stdout}\nstderr:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const curl = /curl -sS --cacert (\S+) -H 'Content-Type: application\/json' (\S+) -d '(.+)'/.exec(stdout);
    assert.ok(curl, stdout);
    const answer = JSON.parse((await postJson(curl[2]!, curl[3]!, readFileSync(curl[1]!, "utf8"))).text) as { response: { allowed: boolean } };
    assert.equal(answer.response.allowed, false);

    const signalled = Date.now();
    child.kill("SIGTERM");
    const code = await exited;
    assert.equal(code, 0, stderr);
    assert.ok(Date.now() - signalled < 5000, "bounded shutdown");
    assert.match(stdout, /"msg":"stopped; every in-flight request was answered"/, "the last log lines are flushed before exit");
    assert.doesNotMatch(stderr, /\n\s+at /);
  });
});
