// Reads Kubernetes objects from files and folders. All problems across all
// files are collected and thrown together, so a user fixes them in one pass.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { findManifestFiles, findManifestFilesSync, fsProblem } from "./find-manifest-files.ts";
import { ManifestError } from "./manifest.ts";
import type { Manifest } from "./manifest.ts";
import { parseManifestText } from "./parse-manifests.ts";

// Each file is parsed as soon as it is read, so only one file's text (and
// one document's YAML AST) is alive at a time, not every file's text at once.
// Problems keep their order: unreadable paths first, then bad documents.
class Collected {
  readonly manifests: Manifest[] = [];
  readonly documentProblems: string[] = [];

  add(file: string, text: string): void {
    const parsed = parseManifestText(text, file);
    for (const manifest of parsed.manifests) this.manifests.push(manifest);
    for (const problem of parsed.problems) this.documentProblems.push(problem);
  }

  finish(pathProblems: string[]): Manifest[] {
    const problems = [...pathProblems, ...this.documentProblems];
    if (problems.length > 0) throw new ManifestError(problems);
    return this.manifests;
  }
}

/**
 * Every object in `paths` (files or folders, read recursively in sorted
 * order), `List`s flattened and empty documents skipped.
 * @throws ManifestError listing every unreadable path and bad document.
 */
export async function readManifests(paths: readonly string[]): Promise<Manifest[]> {
  const { files, problems } = await findManifestFiles(paths);
  const collected = new Collected();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      problems.push(fsProblem(file, error));
      continue;
    }
    collected.add(file, text);
  }
  return collected.finish(problems);
}

/** readManifests, blocking. */
export function readManifestsSync(paths: readonly string[]): Manifest[] {
  const { files, problems } = findManifestFilesSync(paths);
  const collected = new Collected();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      problems.push(fsProblem(file, error));
      continue;
    }
    collected.add(file, text);
  }
  return collected.finish(problems);
}
