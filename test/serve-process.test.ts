// `hostgate serve` as a real process: started the way `npm start` starts it,
// asked for a verdict over HTTPS, then stopped with a real SIGTERM.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir } from "./fixtures.ts";
import { localServeArgs, startServe } from "./serve-child.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("hostgate serve as a process", () => {
  it("serves the banner's request and exits 0 soon after SIGTERM", async () => {
    const dir = tempDir("serve-process");
    dirs.push(dir);
    const serve = startServe(join(ROOT, "bin", "cli.ts"), localServeArgs(join(ROOT, "examples", "state"), join(dir, "tls")));
    assert.equal(await serve.postBannerReview(), false);

    serve.child.kill("SIGTERM");
    const code = await serve.exited;
    assert.equal(code, 0, serve.stderr());
    // Soon: locally there is no readiness delay (nothing routes to it), and nothing in flight to wait for, so the
    // timeout is not waited on either. What the process says it did, not how long it took (which load decides).
    assert.match(serve.stdout(), /"delayMs":0,.*"msg":"shutting down: readiness now fails; still serving during the delay"/);
    assert.match(serve.stdout(), /"forced":false,.*"msg":"stopped; every in-flight request was answered"/, "the last log lines are flushed before exit");
    assert.doesNotMatch(serve.stderr(), /\n\s+at /);
  });
});
