import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { main } from "../../bin/cli.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const AWS_CONFIG = join(ROOT, "examples", "platform-config-aws.yaml");

describe("hostgate iam-policy", () => {
  it("prints the policy for the config's zones and listeners as JSON", async () => {
    const result = await main(["iam-policy", "--config", AWS_CONFIG]);
    assert.deepEqual([result.exitCode, result.stderr], [0, ""]);
    assert.deepEqual(JSON.parse(result.stdout), JSON.parse(readFileSync(join(ROOT, "deploy", "aws", "iam-policy.example.json"), "utf8")));
  });

  it("says so, and prints nothing, when the config calls no AWS API", async () => {
    const result = await main(["iam-policy", "--config", join(ROOT, "examples", "platform-config.yaml")]);
    assert.deepEqual([result.exitCode, result.stdout], [0, ""]);
    assert.match(result.stderr, /calls no AWS API with this config \(dns\.provider is none and certificates\.provider is none\)/);
  });

  const usage = [
    { name: "without --config", argv: ["iam-policy"], says: /--config FILE is required/ },
    {
      name: "with an unknown partition",
      argv: ["iam-policy", "--config", AWS_CONFIG, "--partition", "mars"],
      says: /--partition "mars" is not an AWS partition/,
    },
    { name: "with an unknown flag", argv: ["iam-policy", "--config", AWS_CONFIG, "--zone", "Z1"], says: /Unknown option '--zone'/ },
    { name: "with a config that does not exist", argv: ["iam-policy", "--config", join(ROOT, "no-such-config.yaml")], says: /no-such-config\.yaml/ },
  ];
  for (const c of usage) {
    it(`exits 2 ${c.name}, saying why`, async () => {
      const result = await main(c.argv);
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, c.says);
      assert.equal(result.stdout, "");
    });
  }

  it("writes the ARNs of another partition when asked", async () => {
    const result = await main(["iam-policy", "--config", AWS_CONFIG, "--partition", "aws-us-gov"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /arn:aws-us-gov:route53:::hostedzone\/Z0123456789ABC/);
  });
});
