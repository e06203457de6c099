// Writes deploy/base/policy-modules.yaml: the built-in policy library
// (policies/library/*.yaml) as PolicyModule objects, so `kubectl apply -k
// deploy/` installs the library as cluster objects. A module file and a
// PolicyModule object are the same document (crds/hostgate.dev_policymodules.yaml),
// so each module goes in as written, comments included; the only addition is
// the labels every object of the install carries (app.kubernetes.io name and
// part-of; no component: both the webhook and the reconciler read them).
// test/deploy-policy-modules.test.ts fails when the manifest and the library
// differ; run `node bin/policy-modules-manifest.ts` to regenerate it.
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { findModuleFiles } from "../policies/engine/module-loader.ts";

const ROOT = join(import.meta.dirname, "..");
export const LIBRARY_DIRECTORY = join(ROOT, "policies", "library");
export const POLICY_MODULES_MANIFEST = join(ROOT, "deploy", "base", "policy-modules.yaml");
export const INSTALL_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/name": "hostgate", "app.kubernetes.io/part-of": "hostgate" };

/** The manifest's text for the module files (in the order given): each file as written, labelled, one per `---`. */
export function policyModulesManifest(files: readonly string[], root: string = ROOT): string {
  const header = [
    "# Generated from policies/library by `node bin/policy-modules-manifest.ts`; do not edit.",
    "# The built-in policy library as PolicyModule objects (crds/hostgate.dev_policymodules.yaml).",
    "# test/deploy-policy-modules.test.ts fails when this file and the library differ.",
  ];
  const labels = Object.entries(INSTALL_LABELS).map(([key, value]) => `    ${key}: ${value}\n`);
  const documents = files.map((file) => {
    const where = relative(root, file);
    const text = readFileSync(file, "utf8");
    // The text goes in verbatim (a re-serialised document would lose the library's line breaks); the labels go after the name.
    const docs = parseAllDocuments(text);
    const values = docs.map((d) => d.toJS() as { metadata?: { labels?: unknown } } | null).filter((v) => v !== null && v !== undefined);
    const at = [...text.matchAll(/^metadata:\n {2}name: [^\n]+\n/gm)];
    if (values.length !== 1 || at.length !== 1 || values[0]!.metadata?.labels !== undefined) {
      throw new Error(
        `${where}: a library module file must hold one module whose metadata is written \`metadata:\` then \`  name: <name>\` on the next line, without labels` +
          " (the install's labels are added after the name); rewrite its metadata that way",
      );
    }
    const end = at[0]!.index + at[0]![0].length;
    return `# From ${where}\n${text.slice(0, end)}  labels:\n${labels.join("")}${text.slice(end)}${text.endsWith("\n") ? "" : "\n"}`;
  });
  return `${header.join("\n")}\n${documents.join("---\n")}`;
}

if (process.argv[1] === import.meta.filename) {
  writeFileSync(POLICY_MODULES_MANIFEST, policyModulesManifest(findModuleFiles([LIBRARY_DIRECTORY])));
  process.stdout.write(`wrote ${relative(process.cwd(), POLICY_MODULES_MANIFEST)}\n`);
}
