// The image and the Deployments must give hostgate the memory environment
// its figures were measured with: the Dockerfile's ENV is what a plain
// `docker run` gets, the Deployments' env is what the cluster runs, and the
// two drifting apart would make one of them untested.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { deployedContainer } from "../bench/deployed-container.ts";
import { PACKAGE_ROOT } from "../core/cli/paths.ts";

/** ENV of the Dockerfile's last stage (the runtime image), with quotes removed and line continuations joined. */
function runtimeImageEnv(): Record<string, string> {
  const text = readFileSync(join(PACKAGE_ROOT, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const stages = text.split(/^FROM /m);
  const env: Record<string, string> = {};
  for (const line of stages[stages.length - 1]!.split("\n")) {
    const match = /^ENV\s+(.*)$/.exec(line.trim());
    if (match === null) continue;
    for (const pair of match[1]!.matchAll(/(\w+)=("([^"]*)"|\S+)/g)) env[pair[1]!] = pair[3] ?? pair[2]!;
  }
  return env;
}

describe("the memory environment of the image and the Deployments", () => {
  it("gives the image the webhook Deployment's NODE_OPTIONS and MALLOC_ARENA_MAX", () => {
    const image = runtimeImageEnv();
    const webhook = deployedContainer("deployment.yaml").env;
    assert.equal(image.NODE_OPTIONS, webhook.NODE_OPTIONS);
    assert.equal(image.MALLOC_ARENA_MAX, webhook.MALLOC_ARENA_MAX);
  });

  for (const file of ["deployment.yaml", "reconciler-deployment.yaml"]) {
    it(`sizes the heap of ${file} from its memory limit, which it sets, and limits malloc arenas`, () => {
      const { env, memoryLimit } = deployedContainer(file);
      assert.match(env.NODE_OPTIONS ?? "", /--max-old-space-size-percentage=\d+/);
      assert.doesNotMatch(env.NODE_OPTIONS ?? "", /--max-old-space-size=/, "a fixed heap size would not follow the limit");
      assert.notEqual(memoryLimit, undefined, "without a memory limit the percentage is of the node's memory");
      assert.equal(env.MALLOC_ARENA_MAX, "2");
    });
  }

  it("sets the semi-space explicitly for the webhook, so its heap guard knows the old generation's limit", () => {
    assert.match(deployedContainer("deployment.yaml").env.NODE_OPTIONS ?? "", /--max-semi-space-size=\d+/);
  });
});
