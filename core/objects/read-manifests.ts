// Reads Kubernetes objects from files and folders. All problems across all
// files are collected and thrown together, so a user fixes them in one pass.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { findManifestFiles, findManifestFilesSync, fsProblem } from "./find-manifest-files.ts";
import { ManifestError } from "./manifest.ts";
import type { Manifest } from "./manifest.ts";
import { parseManifestText } from "./parse-manifests.ts";

function collect(texts: { file: string; text: string }[], problems: string[]): Manifest[] {
  const manifests: Manifest[] = [];
  for (const { file, text } of texts) {
    const parsed = parseManifestText(text, file);
    manifests.push(...parsed.manifests);
    problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw new ManifestError(problems);
  return manifests;
}

/**
 * Every object in `paths` (files or folders, read recursively in sorted
 * order), `List`s flattened and empty documents skipped.
 * @throws ManifestError listing every unreadable path and bad document.
 */
export async function readManifests(paths: readonly string[]): Promise<Manifest[]> {
  const { files, problems } = await findManifestFiles(paths);
  const texts: { file: string; text: string }[] = [];
  for (const file of files) {
    try {
      texts.push({ file, text: await readFile(file, "utf8") });
    } catch (error) {
      problems.push(fsProblem(file, error));
    }
  }
  return collect(texts, problems);
}

/** readManifests, blocking. */
export function readManifestsSync(paths: readonly string[]): Manifest[] {
  const { files, problems } = findManifestFilesSync(paths);
  const texts: { file: string; text: string }[] = [];
  for (const file of files) {
    try {
      texts.push({ file, text: readFileSync(file, "utf8") });
    } catch (error) {
      problems.push(fsProblem(file, error));
    }
  }
  return collect(texts, problems);
}
