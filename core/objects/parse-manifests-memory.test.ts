// A state file is converted one YAML document at a time: only one
// document's syntax tree is alive at once, so parsing a file needs memory
// for its plain data, not for the trees of all its documents. Checked in a
// child process whose V8 heap is capped: holding every tree (what
// parseAllDocuments does) runs out of memory there.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

const MODULE = new URL("./parse-manifests.ts", import.meta.url).href;

// Builds `count` small ConfigMaps as one multi-document text, parses it and prints how many came back.
const CHILD = `
const { parseManifestText } = await import(process.argv[1]);
const count = Number(process.argv[2]);
const text = Array.from({ length: count }, (_, i) => "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: cm-" + i + "\\ndata:\\n  a: \\"1\\"\\n").join("---\\n");
const { manifests, problems } = parseManifestText(text, "state.yaml");
console.log(manifests.length, problems.length);
`;

describe("parseManifestText memory", () => {
  it("parses 5,000 documents within a 20 MB heap (it needs about 11; holding every document's syntax tree needs more than 24 MB)", () => {
    const child = spawnSync(process.execPath, ["--max-old-space-size=20", "--input-type=module", "-e", CHILD, MODULE, "5000"], { encoding: "utf8" });
    assert.equal(child.status, 0, `the child failed (status ${child.status}):\n${child.stderr.slice(-2000)}`);
    assert.equal(child.stdout.trim(), "5000 0");
  });
});
