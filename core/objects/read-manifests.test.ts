import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { ManifestError } from "./manifest.ts";
import type { Manifest } from "./manifest.ts";
import { readManifests, readManifestsSync } from "./read-manifests.ts";

/** Builds a throwaway folder from `{relative path: content}`; removed after the suite. */
function fixtureTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "hostgate-manifests-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function configMap(name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
}

const readers: { name: string; read: (paths: string[]) => Promise<Manifest[]> }[] = [
  { name: "readManifests", read: (paths) => readManifests(paths) },
  { name: "readManifestsSync", read: async (paths) => readManifestsSync(paths) },
];

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = fixtureTree(files);
  roots.push(root);
  return root;
}

for (const reader of readers) {
  describe(reader.name, () => {
    it("reads a folder recursively in sorted order, skipping hidden folders, node_modules and other extensions", async () => {
      const root = tree({
        "b.yaml": configMap("b"),
        "a.yml": configMap("a"),
        "sub/c.json": JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }),
        "sub/deeper/d.yaml": configMap("d"),
        "sub/notes.txt": "not yaml at all: [",
        ".git/e.yaml": configMap("hidden"),
        "node_modules/pkg/f.yaml": configMap("dependency"),
        ".hidden.yaml": configMap("hidden-file"),
      });
      const manifests = await reader.read([root]);
      assert.deepEqual(
        manifests.map((m) => m.source.slice(root.length + 1)),
        ["a.yml", "b.yaml", "sub/c.json", "sub/deeper/d.yaml"],
      );
    });

    it("reads files and folders in the order given", async () => {
      const root = tree({ "x/one.yaml": configMap("one"), "two.yaml": configMap("two") });
      const manifests = await reader.read([join(root, "two.yaml"), join(root, "x")]);
      assert.deepEqual(
        manifests.map((m) => (m.object.metadata as { name: string }).name),
        ["two", "one"],
      );
    });

    it("reads a file named explicitly whatever its extension", async () => {
      const root = tree({ "objects.txt": configMap("t") });
      const manifests = await reader.read([join(root, "objects.txt")]);
      assert.equal(manifests.length, 1);
    });

    it("follows a symlinked folder once and does not loop on a cycle", async () => {
      const root = tree({ "real/a.yaml": configMap("a") });
      symlinkSync(join(root, "real"), join(root, "real", "loop"));
      const manifests = await reader.read([join(root, "real")]);
      assert.equal(manifests.length, 1);
    });

    const failures: { name: string; files: Record<string, string>; paths: (root: string) => string[]; problems: RegExp[] }[] = [
      {
        name: "a missing path is reported as not found",
        files: {},
        paths: (root) => [join(root, "nope.yaml")],
        problems: [/nope\.yaml: not found; check the path/],
      },
      {
        name: "problems from every file are listed together",
        files: { "a.yaml": "kind: [\n", "b.yaml": "hello: world\n", "c.yaml": configMap("fine") },
        paths: (root) => [root, join(root, "missing")],
        problems: [/missing: not found/, /a\.yaml:\d+:\d+: invalid YAML/, /b\.yaml:1:1: document 1 is not a Kubernetes object \(needs apiVersion and kind\)/],
      },
    ];
    for (const c of failures) {
      it(c.name, async () => {
        const root = tree(c.files);
        const error = await reader.read(c.paths(root)).then(
          () => assert.fail("expected a ManifestError"),
          (e: unknown) => e,
        );
        assert.ok(error instanceof ManifestError, String(error));
        assert.equal(error.exitCode, 2);
        assert.equal(error.problems.length, c.problems.length, error.message);
        for (const [i, pattern] of c.problems.entries()) assert.match(error.problems[i], pattern);
      });
    }
  });
}

describe("ManifestError", () => {
  it("shows a single problem after what was being read", () => {
    assert.equal(new ManifestError(["f.yaml: not found"]).message, "the manifests cannot be read: f.yaml: not found");
  });

  it("lists several problems under a count", () => {
    assert.equal(new ManifestError(["one", "two"]).message, "the manifests cannot be read (2 problems):\n  - one\n  - two");
  });
});
