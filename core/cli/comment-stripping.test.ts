// Whole-line comment stripping of dependency sources: it blanks only what it
// can prove is a comment, keeps every code line and the line count, gives up
// on anything else, and is active in the hostgate process before the
// Kubernetes client loads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { stripWholeLineComments } from "./comment-stripping.ts";
import { PACKAGE_ROOT } from "./paths.ts";

const lines = (...text: string[]) => text.join("\n");

describe("stripWholeLineComments", () => {
  const blanked: { name: string; source: string; expected: string }[] = [
    {
      name: "a JSDoc block before a method is blanked line by line",
      source: lines("class A {", "    /**", "     * Lists things.", "     * @param x the thing", "     */", "    list(x) {", "        return x;", "    }", "}"),
      expected: lines("class A {", "", "", "", "", "    list(x) {", "        return x;", "    }", "}"),
    },
    {
      name: "one-line block comments and line comments are blanked",
      source: lines("/* header */", "const a = 1;", "  // a note", "export { a };"),
      expected: lines("", "const a = 1;", "", "export { a };"),
    },
    {
      name: "comment markers inside quoted strings leave the code line as it is",
      source: lines("/** Sets the accept header. */", 'ctx.setHeaderParam("Accept", "application/json, */*;q=0.8");', "const p = '/api/v1/{name}';"),
      expected: lines("", 'ctx.setHeaderParam("Accept", "application/json, */*;q=0.8");', "const p = '/api/v1/{name}';"),
    },
    {
      name: "escaped quotes do not end a string early",
      source: lines("// x", "const s = 'it\\'s /* not */ a comment';"),
      expected: lines("", "const s = 'it\\'s /* not */ a comment';"),
    },
    {
      name: "the source map reference stays",
      source: lines("export const a = 1;", "// plain note", "//# sourceMappingURL=a.js.map"),
      expected: lines("export const a = 1;", "", "//# sourceMappingURL=a.js.map"),
    },
  ];
  for (const c of blanked) {
    test(c.name, () => {
      const stripped = stripWholeLineComments(c.source);
      assert.equal(stripped, c.expected);
      assert.equal(stripped!.split("\n").length, c.source.split("\n").length);
    });
  }

  test("a source without comments comes back as the same string", () => {
    const source = lines("export const a = 1;", "export const b = 'x';");
    assert.equal(stripWholeLineComments(source), source);
  });

  const refused: { name: string; source: string }[] = [
    { name: "a backtick anywhere (a template literal can span lines)", source: lines("/** doc */", "const t = `", "/* not a comment */", "`;") },
    { name: "a regular expression on a code line", source: lines("/** doc */", "const r = /a'b/;") },
    { name: "a division on a code line", source: lines("/** doc */", "const half = a / 2;") },
    { name: "a comment after code on the same line", source: lines("/** doc */", "const a = 1; // one") },
    { name: "a block comment starting after code", source: lines("const a = 1; /* starts", "/* inside", "*/", "const b = 2;") },
    { name: "code after the end of a block comment", source: lines("/* doc", "*/ const a = 1;") },
    { name: "code after a one-line block comment", source: lines("/* doc */ const a = 1;") },
    { name: "a block comment that never ends", source: lines("const a = 1;", "/** doc") },
    { name: "a string continued on the next line", source: lines("/** doc */", "const s = 'a\\", "/* b */';") },
    { name: "a string left open on its line", source: lines("/** doc */", "const s = 'a;") },
  ];
  for (const c of refused) {
    test(`gives up (undefined) on ${c.name}`, () => {
      assert.equal(stripWholeLineComments(c.source), undefined);
    });
  }
});

describe("comment stripping in the hostgate process", () => {
  test("after bin/cli.ts is imported, @kubernetes/client-node loads without its comments and still works", () => {
    const clientNode = dirname(createRequire(join(PACKAGE_ROOT, "package.json")).resolve("@kubernetes/client-node"));
    const onDisk = readFileSync(join(clientNode, "gen", "types", "ObjectParamAPI.js"), "utf8");
    assert.match(onDisk, /\/\*\*/, "the file on disk has JSDoc comments (else this test proves nothing)");
    // The class text is what V8 holds: Function#toString returns it.
    const script = `
      await import(${JSON.stringify(join(PACKAGE_ROOT, "bin", "cli.ts"))});
      const k8s = await import("@kubernetes/client-node");
      const config = new k8s.KubeConfig();
      config.loadFromOptions({ clusters: [{ name: "c", server: "https://127.0.0.1:6443" }], users: [{ name: "u", token: "t" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x" });
      const api = config.makeApiClient(k8s.CustomObjectsApi);
      process.stdout.write(JSON.stringify({ text: k8s.CustomObjectsApi.toString(), list: typeof api.listClusterCustomObject }));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", cwd: PACKAGE_ROOT });
    assert.equal(child.status, 0, child.stderr);
    const { text, list } = JSON.parse(child.stdout) as { text: string; list: string };
    assert.equal(list, "function");
    assert.match(text, /listClusterCustomObject\(/);
    assert.doesNotMatch(text, /\/\*\*/);
  });
});
