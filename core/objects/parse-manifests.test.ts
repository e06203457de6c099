import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseManifestText } from "./parse-manifests.ts";

/** A YAML document for a ConfigMap called `name`. */
function configMap(name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
}

describe("parseManifestText", () => {
  const cases: {
    name: string;
    text: string;
    file?: string;
    sources?: string[];
    names?: string[];
    problems?: RegExp[];
  }[] = [
    {
      name: "a file with one object is named by the file alone",
      text: configMap("a"),
      sources: ["f.yaml"],
    },
    {
      name: "documents of a multi-document file are numbered from 1",
      text: `${configMap("a")}---\n${configMap("b")}`,
      sources: ["f.yaml#1", "f.yaml#2"],
      names: ["a", "b"],
    },
    {
      name: "empty documents are skipped but still counted so numbers match the file",
      text: `---\n---\n${configMap("a")}---\n# only a comment\n---\n${configMap("b")}---\n`,
      sources: ["f.yaml#2", "f.yaml#4"],
    },
    {
      name: "one object between stray separators is still named by the file alone",
      text: `---\n${configMap("a")}---\n`,
      sources: ["f.yaml"],
    },
    {
      name: "a kind List is flattened into its items",
      text: `apiVersion: v1\nkind: List\nitems:\n- ${configMap("a").trimEnd().replaceAll("\n", "\n  ")}\n- ${configMap("b").trimEnd().replaceAll("\n", "\n  ")}\n`,
      sources: ["f.yaml items[0]", "f.yaml items[1]"],
      names: ["a", "b"],
    },
    {
      name: "items of a typed list inherit apiVersion and kind from the list",
      text: `apiVersion: hostgate.dev/v1alpha1\nkind: DomainRouteList\nitems:\n- metadata: {name: web, namespace: team-a}\n`,
      sources: ["f.yaml items[0]"],
      names: ["web"],
    },
    {
      name: "a JSON file reads like YAML",
      file: "f.json",
      text: `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}`,
      sources: ["f.json"],
      names: ["j"],
    },
    {
      name: "an empty file yields nothing and no problem",
      text: "",
      sources: [],
    },
    {
      name: "a syntax error names file, line and column",
      text: `${configMap("a")}---\napiVersion: v1\nkind: [ConfigMap\n`,
      sources: ["f.yaml#1"],
      problems: [/^f\.yaml:\d+:\d+: invalid YAML: .+; fix the syntax at that position$/],
    },
    {
      name: "a duplicate key is a syntax error rather than a silent overwrite",
      text: `apiVersion: v1\nkind: ConfigMap\nkind: Secret\n`,
      problems: [/^f\.yaml:3:1: invalid YAML: Map keys must be unique/],
    },
    {
      name: "a document without apiVersion and kind is reported by number and line",
      text: `${configMap("a")}---\nfoo: bar\n`,
      sources: ["f.yaml#1"],
      problems: [/^f\.yaml:6:1: document 2 is not a Kubernetes object \(needs apiVersion and kind\): apiVersion and kind are missing/],
    },
    {
      name: "a scalar document is reported as not a Kubernetes object",
      text: "just some text\n",
      problems: [/^f\.yaml:1:1: document 1 is not a Kubernetes object .*it is a string/],
    },
    {
      name: "a sequence document is reported as not a Kubernetes object",
      text: "- a\n- b\n",
      problems: [/document 1 is not a Kubernetes object .*it is a sequence/],
    },
    {
      name: "a junk item of a List is reported at the item's line",
      text: `apiVersion: v1\nkind: List\nitems:\n- ${configMap("a").trimEnd().replaceAll("\n", "\n  ")}\n- 42\n`,
      sources: ["f.yaml items[0]"],
      problems: [/^f\.yaml:8:3: items\[1\] of document 1 \(List\) is not a Kubernetes object/],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const parsed = parseManifestText(c.text, c.file ?? "f.yaml");
      if (c.sources)
        assert.deepEqual(
          parsed.manifests.map((m) => m.source),
          c.sources,
        );
      if (c.names) {
        assert.deepEqual(
          parsed.manifests.map((m) => (m.object.metadata as { name: string }).name),
          c.names,
        );
      }
      assert.equal(parsed.problems.length, c.problems?.length ?? 0, parsed.problems.join("\n"));
      for (const [i, pattern] of (c.problems ?? []).entries()) assert.match(parsed.problems[i], pattern);
    });
  }

  it("keeps integers as JS numbers", () => {
    const parsed = parseManifestText(`${configMap("a")}spec:\n  port: 8080\n  ttl: 300\n`, "f.yaml");
    assert.deepEqual(parsed.manifests[0].object.spec, { port: 8080, ttl: 300 });
  });

  it("refuses alias bombs instead of expanding them", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const [prev, name] of [
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
    ]) {
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    const parsed = parseManifestText(`apiVersion: v1\nkind: ConfigMap\n${levels.join("\n")}\n`, "f.yaml");
    assert.deepEqual(parsed.manifests, []);
    assert.match(parsed.problems[0], /^f\.yaml:1:1: document 1: too many YAML alias expansions/);
  });

  it("expands anchors and merge keys", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: &l {team: a}\n  annotations:\n    <<: *l\n    extra: x\n`;
    const parsed = parseManifestText(text, "f.yaml");
    assert.deepEqual((parsed.manifests[0].object.metadata as Record<string, unknown>).annotations, {
      team: "a",
      extra: "x",
    });
  });
});
