// Expands the paths a user gave into the manifest files to read, in a stable
// order so every run (and every test) sees objects in the same sequence.
import { readdirSync, realpathSync, statSync } from "node:fs";
import type { Dirent, Stats } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { extname, join } from "node:path";

export interface FoundFiles {
  files: string[];
  problems: string[];
}

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/**
 * Inside a directory only manifest files are read; hidden entries (editor
 * swap files, `.git`) and `node_modules` are skipped so pointing at a repo
 * folder just works. A file named explicitly is read whatever its extension.
 */
function wanted(entry: Dirent): boolean {
  return !entry.name.startsWith(".") && entry.name !== "node_modules";
}

function isManifestFile(name: string): boolean {
  return MANIFEST_EXTENSIONS.has(extname(name).toLowerCase());
}

/** Code-unit order, not locale order: identical on every machine. */
function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function fsProblem(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return `${path}: not found; check the path (it is resolved from ${process.cwd()})`;
    case "EACCES":
    case "EPERM":
      return `${path}: permission denied; make it readable`;
    case "ELOOP":
      return `${path}: symbolic link loop; fix the link`;
    default:
      return `${path}: cannot read (${code ?? String(error)})`;
  }
}

function notFileOrDirectory(path: string): string {
  return `${path}: not a regular file or directory; pass manifest files or folders`;
}

export async function findManifestFiles(paths: readonly string[]): Promise<FoundFiles> {
  const found: FoundFiles = { files: [], problems: [] };
  const seenDirectories = new Set<string>();

  async function walk(directory: string): Promise<void> {
    // A symlink back up the tree would otherwise recurse forever.
    const real = await realpath(directory);
    if (seenDirectories.has(real)) return;
    seenDirectories.add(real);
    const entries = (await readdir(directory, { withFileTypes: true })).filter(wanted).sort(byName);
    for (const entry of entries) {
      const path = join(directory, entry.name);
      let isDirectory = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDirectory = (await stat(path)).isDirectory();
        } catch (error) {
          found.problems.push(fsProblem(path, error));
          continue;
        }
      }
      if (isDirectory) await walk(path);
      else if (isManifestFile(entry.name)) found.files.push(path);
    }
  }

  for (const path of paths) {
    let stats: Stats;
    try {
      stats = await stat(path);
      if (stats.isDirectory()) await walk(path);
      else if (stats.isFile()) found.files.push(path);
      else found.problems.push(notFileOrDirectory(path));
    } catch (error) {
      found.problems.push(fsProblem(path, error));
    }
  }
  return found;
}

/** Same as findManifestFiles, blocking; for CLI start-up and tests. */
export function findManifestFilesSync(paths: readonly string[]): FoundFiles {
  const found: FoundFiles = { files: [], problems: [] };
  const seenDirectories = new Set<string>();

  function walk(directory: string): void {
    const real = realpathSync(directory);
    if (seenDirectories.has(real)) return;
    seenDirectories.add(real);
    const entries = readdirSync(directory, { withFileTypes: true }).filter(wanted).sort(byName);
    for (const entry of entries) {
      const path = join(directory, entry.name);
      let isDirectory = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDirectory = statSync(path).isDirectory();
        } catch (error) {
          found.problems.push(fsProblem(path, error));
          continue;
        }
      }
      if (isDirectory) walk(path);
      else if (isManifestFile(entry.name)) found.files.push(path);
    }
  }

  for (const path of paths) {
    try {
      const stats = statSync(path);
      if (stats.isDirectory()) walk(path);
      else if (stats.isFile()) found.files.push(path);
      else found.problems.push(notFileOrDirectory(path));
    } catch (error) {
      found.problems.push(fsProblem(path, error));
    }
  }
  return found;
}
